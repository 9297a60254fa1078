/**
 * Where a result goes: one format to stdout or to --output FILE, or several formats
 * into --output-dir. Files are written atomically (temp file + rename), so a failed
 * run never leaves half a report; the JSON result is streamed, whatever its size.
 *
 * Before probing, the flags are checked and the destination proven writable (exit 2).
 * After probing, nothing may cost the run its result: each format is written on its own,
 * and when one fails the JSON result is kept (in --output-dir, beside --output FILE, or in
 * the temp directory) before the run ends with REPORT_FAILED (exit 70) saying what was
 * written and what was not.
 */
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { PortolanError } from '../errors.js';
import type { RunResult } from '../model.js';
import { pathProblem } from '../platform/file-names.js';
import { terminalText } from '../printable.js';
import { FORMATS, type Format, isFormat, type ReportOmissions } from '../report/index.js';
import {
  checkReportDir,
  checkReportFile,
  type FailedReport,
  type ReportBody,
  reportBaseName,
  reportBody,
  writeFileNew,
  writeReportFile,
  writeReports,
} from '../report/write.js';

export interface OutputOptions {
  format: string;
  output?: string;
  outputDir?: string;
  verbose?: boolean;
}

export function outputOptions(cmd: Command): Command {
  return cmd
    .option('-f, --format <formats>', `one or more of ${FORMATS.join(', ')} (comma-separated)`, 'table')
    .option('-o, --output <file>', 'write the (single) format to FILE instead of stdout')
    .option(
      '--output-dir <dir>',
      'write every --format into DIR (names from target, role and time; latest.* too); checked before probing',
    )
    .option('-v, --verbose', 'the table lists every row, not only root causes, inconclusive points and notices');
}

export function parseFormats(text: string): Format[] {
  const list = text.split(',').map((s) => s.trim());
  const bad = list.find((f) => !isFormat(f));
  if (bad !== undefined)
    throw new PortolanError('INVALID_VALUE', `--format "${bad}": expected one or more of ${FORMATS.join(', ')}`);
  return [...new Set(list as Format[])];
}

/**
 * Check output flags before probing, so a typo or a folder that cannot be written costs
 * nothing: the directory is created if needed and a probe file written in it.
 */
export function checkOutputOptions(o: OutputOptions): void {
  checkOutputSyntax(o);
  if (o.outputDir !== undefined) checkReportDir(o.outputDir, '--output-dir');
  if (o.output !== undefined) checkReportFile(o.output, '--output');
}

/** The output flags as written (formats, conflicts, path syntax), touching no file: what `--dry-run` checks. */
export function checkOutputSyntax(o: OutputOptions): Format[] {
  const formats = parseFormats(o.format);
  if (formats.length > 1 && !o.outputDir)
    throw new PortolanError('MISSING_OPTION', 'several --format values need --output-dir DIR');
  if (o.output && o.outputDir) {
    throw new PortolanError('CONFLICTING_OPTIONS', '--output and --output-dir conflict: choose one');
  }
  for (const [flag, path] of [
    ['--output-dir', o.outputDir],
    ['--output', o.output],
  ] as const) {
    const problem = path === undefined ? null : pathProblem(path, process.platform);
    if (problem) throw new PortolanError('INVALID_VALUE', `${flag} "${path}": ${problem}`);
  }
  return formats;
}

/**
 * Colour only for the terminal table on a TTY, and never when NO_COLOR is set to anything
 * (no-color.org); `explicit` is `--color` / `--no-color` where a command has them.
 */
export function colorWanted(format: Format, toFile: boolean, explicit?: boolean): boolean {
  if (explicit !== undefined) return explicit;
  return format === 'table' && !toFile && process.stdout.isTTY === true && !process.env.NO_COLOR;
}

/** Where `emitResult` writes; the CLI passes the process's streams, tests their own. */
export interface OutputStreams {
  stdout: Writable;
  stderr: { write(text: string): unknown };
}

export interface EmitOptions {
  /**
   * Print the verdict and headline on stderr: the CLI asks for it when no progress line
   * showed them and the report itself does not go to stdout (--output-dir or --output in a
   * CI log would otherwise say only "wrote ...").
   */
  verdict?: boolean;
  streams?: OutputStreams;
  /** Set when the result is a large run's report view (src/report/report-view.ts). */
  view?: { omitted: ReportOmissions; json: () => ReportBody };
}

/** `NON-COMPLIANT: 3 blocked ports ...`: the one line a log needs. */
export function verdictLine(result: Pick<RunResult, 'summary'>): string {
  return terminalText(`${result.summary.status.toUpperCase()}: ${result.summary.headline}`);
}

export async function emitResult(result: RunResult, o: OutputOptions, opts: EmitOptions = {}): Promise<void> {
  const streams = opts.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const say = (line: string) => streams.stderr.write(`${line}\n`);
  const formats = parseFormats(o.format);
  if (opts.verdict && (o.outputDir || o.output)) say(verdictLine(result));
  if (o.outputDir) {
    const outcome = writeReports(result, { formats, dir: o.outputDir, ...opts.view });
    for (const w of outcome.written) say(`wrote ${terminalText(w.path)}`);
    if (outcome.failed.length === 0) return;
    const kept = outcome.written.some((w) => w.format === 'json')
      ? null
      : keepJson(result, [o.outputDir], opts.view?.json);
    throw notDelivered(
      outcome.failed,
      outcome.written.map((w) => w.path),
      kept,
    );
  }
  const format = formats[0] as Format;
  try {
    const body = reportBody(
      result,
      format,
      { color: colorWanted(format, Boolean(o.output)), verbose: Boolean(o.verbose), omitted: opts.view?.omitted },
      opts.view?.json,
    );
    if (o.output) {
      writeReportFile(o.output, body);
      say(`wrote ${terminalText(o.output)}`);
    } else {
      await writeChunks(streams.stdout, typeof body === 'string' ? [body.endsWith('\n') ? body : `${body}\n`] : body);
    }
  } catch (err) {
    const where = o.output ?? 'stdout';
    // Beside --output FILE when another format failed there; if the JSON itself failed, somewhere else.
    const kept = keepJson(result, o.output && format !== 'json' ? [dirname(resolve(o.output))] : [], opts.view?.json);
    throw notDelivered([{ format, path: where, error: err as Error }], [], kept);
  }
}

/**
 * Saves the JSON result when a report failed and no JSON was written: in the first of
 * `dirs` that takes it, else the temp directory. The path, or null if nowhere took it.
 */
export function keepJson(result: RunResult, dirs: string[], json?: () => ReportBody): string | null {
  for (const dir of [...dirs, tmpdir()]) {
    try {
      return writeFileNew(dir, reportBaseName(result), 'json', reportBody(result, 'json', {}, json));
    } catch {
      // try the next place
    }
  }
  return null;
}

/**
 * REPORT_FAILED (exit 70) saying which reports failed and why, what was written, where the
 * result was kept, and `also` (the history record) when given.
 */
export function notDelivered(
  failed: FailedReport[],
  written: string[],
  kept: string | null,
  also: string | null = null,
): PortolanError {
  const lines = failed.map((f) => `${f.format} report not written (${f.path}): ${firstLine(f.error)}`);
  if (written.length) lines.push(`written: ${written.join(', ')}`);
  if (kept)
    lines.push(`the JSON result was kept in ${kept}; \`portolan report ${kept} --format FORMAT\` renders it again`);
  if (also) lines.push(also);
  if (!written.length && !kept && !also) lines.push('nothing was written');
  return new PortolanError('REPORT_FAILED', terminalText(lines.join('\n  ')), {
    cause: failed[0]?.error,
  });
}

function firstLine(err: Error): string {
  return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message.split('\n')[0] ?? ''}`;
}

/** Writes `chunks` to a stream, waiting for it to drain whenever it asks us to. */
export async function writeChunks(stream: Writable, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (!stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          stream.removeListener('error', onError);
          resolve();
        };
        const onError = (err: Error) => {
          stream.removeListener('drain', onDrain);
          reject(err);
        };
        stream.once('drain', onDrain);
        stream.once('error', onError);
      });
    }
  }
}
