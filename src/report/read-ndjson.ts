/**
 * A run saved by `check --format ndjson` read back a line at a time, so `portolan report` can
 * re-render a run whose JSON result is too large for one string (a 10,000-target domain
 * controller run: about 660 MB of NDJSON). Every line is checked before it is used: JSON, its
 * kind's schema (checks/schema/ndjson.schema.json), each ordinal once, the run line last and
 * only once, and no ordinal missing. Anything else is RESULT_INVALID at `file:line` (exit 2).
 * A stream that ends without its run line (a run cut off, a file copied while it was written)
 * is refused too: the run line carries the expectations and the summary the reports are built
 * from, so there is no run to render without it.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { PortolanError } from '../errors.js';
import { LineTooLong, readLines } from '../read-lines.js';
import type { RunHeader, TargetRecord } from '../result/target-records.js';
import { type NdjsonLineKind, ndjsonLineProblems } from './validate-result.js';

/**
 * Characters one line may hold. A domain controller's record is about 90 KB; a target checked
 * for every role in a plan stays well under a megabyte. A longer line is not a record.
 */
export const MAX_NDJSON_LINE = 32 * 1024 * 1024;

/** Schema problems shown for one line at most. */
const PROBLEMS_SHOWN = 3;

/** Bytes read to tell NDJSON from a JSON result. */
const SNIFF_BYTES = 4096;

/**
 * Whether `file` holds NDJSON lines rather than a JSON result: its first non-blank text opens
 * an object whose first key is `kind` (how every line of `check --format ndjson` starts), or,
 * failing that, its name ends in .ndjson or .jsonl (so a damaged stream is reported line by line).
 */
export function isNdjsonFile(file: string): boolean {
  let head = '';
  try {
    const fd = openSync(file, 'r');
    try {
      const bytes = Buffer.alloc(SNIFF_BYTES);
      head = bytes.toString('utf8', 0, readSync(fd, bytes, 0, SNIFF_BYTES, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    // Unreadable: the reader that follows says so.
  }
  return /^\s*\{\s*"kind"\s*:/.test(head) || /\.(ndjson|jsonl)$/i.test(file);
}

/**
 * Reads the NDJSON run in `file`, handing each target's record to `onTarget` with its ordinal
 * (in the order the lines come, which is the order targets finished), and returns the run's
 * header and how many targets it has.
 */
export async function readNdjsonRun(
  file: string,
  onTarget: (record: TargetRecord, ordinal: number) => void,
): Promise<{ header: RunHeader; targets: number }> {
  /** Line of each ordinal seen. */
  const lineOf = new Map<number, number>();
  let header: RunHeader | null = null;
  let runLine = 0;
  let last = 0;
  const invalid = (line: number, detail: string) =>
    new PortolanError('RESULT_INVALID', detail, { location: `${file}:${line}` });
  try {
    for await (const { number, text } of readLines(file, MAX_NDJSON_LINE)) {
      last = number;
      if (text.trim() === '') continue;
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (err) {
        throw invalid(number, `not JSON: ${(err as Error).message}`);
      }
      const kind = (data as { kind?: unknown } | null)?.kind;
      if (kind !== 'target' && kind !== 'run') {
        throw invalid(number, 'expected a line of `check --format ndjson` ("kind": "target" or "run")');
      }
      if (header) throw invalid(number, `a ${kind} line after the run line (line ${runLine}), which must be last`);
      const problems = ndjsonLineProblems(kind as NdjsonLineKind, data);
      if (problems.length > 0) {
        const shown = problems.slice(0, PROBLEMS_SHOWN).map((p) => `${p.pointer || '(line)'} ${p.message}`);
        if (problems.length > PROBLEMS_SHOWN) shown.push(`and ${problems.length - PROBLEMS_SHOWN} more`);
        throw invalid(number, `not a ${kind} line (checks/schema/ndjson.schema.json): ${shown.join('; ')}`);
      }
      const { kind: _, ...rest } = data as { kind: string };
      if (kind === 'run') {
        header = rest as RunHeader;
        runLine = number;
        continue;
      }
      const { ordinal, ...record } = rest as TargetRecord & { ordinal: number };
      const seen = lineOf.get(ordinal);
      if (seen !== undefined) throw invalid(number, `ordinal ${ordinal} was already given on line ${seen}`);
      lineOf.set(ordinal, number);
      onTarget(record, ordinal);
    }
  } catch (err) {
    if (err instanceof PortolanError) throw err;
    if (err instanceof LineTooLong) {
      throw invalid(
        err.line,
        `line longer than ${err.maxLength.toLocaleString('en-US')} characters: not an NDJSON record`,
      );
    }
    throw new PortolanError('FILE_UNREADABLE', `cannot read the run: ${(err as Error).message}`, {
      location: file,
      cause: err,
    });
  }
  if (!header) {
    throw invalid(
      last,
      'the stream ends without its run line: the run was cut off or the file is incomplete; ' +
        'nothing to render without the run line (expectations and summary)',
    );
  }
  for (let ordinal = 0; ordinal < lineOf.size; ordinal++) {
    if (!lineOf.has(ordinal)) {
      const beyond = Math.max(...lineOf.keys());
      throw invalid(
        lineOf.get(beyond) ?? runLine,
        `ordinal ${beyond} given but ordinal ${ordinal} missing: ${lineOf.size} target lines must number 0 to ${lineOf.size - 1}`,
      );
    }
  }
  return { header, targets: lineOf.size };
}
