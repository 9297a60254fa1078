/**
 * How `check` runs and delivers at any size. The run streams (checkTargets): each finished
 * target is written to stdout at once with `--format ndjson`, and otherwise put in a spool
 * on disk, so probing holds only the targets in flight. At the end the JSON result is
 * written from the spool a record at a time; the other formats render from the whole
 * result joined in memory, or past WHOLE_REPORT_TARGETS from a report view that keeps only
 * what they show (README: sizes).
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { type CheckRequest, checkTargets } from '../check/run-check.js';
import { PortolanError } from '../errors.js';
import type { RunResult } from '../model.js';
import { terminalText } from '../printable.js';
import { jsonResultFromRecords } from '../report/json-records.js';
import { ndjsonRunLine, ndjsonTargetLine } from '../report/ndjson.js';
import { ReportView } from '../report/report-view.js';
import { checkReportFile, writeReportFile } from '../report/write.js';
import { RecordSpool } from '../result/record-spool.js';
import { joinResult, type RunHeader } from '../result/target-records.js';
import {
  checkOutputOptions,
  type EmitOptions,
  emitResult,
  notDelivered,
  type OutputOptions,
  parseFormats,
  verdictLine,
  writeChunks,
} from './output.js';
import { progressEnabled, startProgress } from './progress.js';

/**
 * Targets up to which the table, HTML, JUnit and Markdown reports render from the whole
 * result (about 90 KB of JSON, several times that as objects, per domain controller). Past
 * this they render from a report view built as each target finishes (src/report/report-view.ts),
 * so memory stays bounded at any size; at this size and below the reports are unchanged.
 */
export const WHOLE_REPORT_TARGETS = 1000;

export interface DeliveryFlags extends OutputOptions {
  quiet?: boolean;
}

/** Whether the flags ask for the streamed NDJSON format. */
export function wantsNdjson(o: OutputOptions): boolean {
  return o.format.split(',').some((f) => f.trim() === 'ndjson');
}

/** The output flags checked before probing (exit 2), NDJSON's included. */
export function checkDeliveryOptions(o: OutputOptions): void {
  if (!wantsNdjson(o)) {
    checkOutputOptions(o);
    return;
  }
  if (o.format.trim() !== 'ndjson') {
    throw new PortolanError(
      'INVALID_VALUE',
      `--format "${o.format}": ndjson streams alone; it does not mix with other formats`,
    );
  }
  if (o.outputDir) {
    throw new PortolanError(
      'CONFLICTING_OPTIONS',
      '--format ndjson streams to stdout or --output FILE, not --output-dir',
    );
  }
  if (o.output !== undefined) checkReportFile(o.output, '--output');
}

/**
 * Run the check with progress on stderr and deliver it; the run's header (its summary)
 * comes back. Ctrl-C stops the run but still delivers the partial result; a second exits at once.
 */
export async function runAndDeliver(request: CheckRequest, flags: DeliveryFlags): Promise<RunHeader> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\nportolan: stopping; the partial result follows (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = startProgress({ quiet: Boolean(flags.quiet) });
  const ndjson = wantsNdjson(flags);
  const inMemory = ndjson ? [] : parseFormats(flags.format).filter((f) => f !== 'json' || Boolean(flags.outputDir));
  const sink: Writable | null = ndjson ? (flags.output ? createWriteStream(flags.output) : process.stdout) : null;
  const spool = ndjson ? null : new RecordSpool();
  let view: ReportView | null = null;
  try {
    const header = await checkTargets(request, {
      signal: controller.signal,
      onProgress: progress.update,
      onStart: (targets) => {
        if (targets > WHOLE_REPORT_TARGETS && inMemory.length > 0) view = new ReportView();
        progress.start(targets);
      },
      onTarget: async (record, ordinal) => {
        progress.target();
        if (sink) await writeChunks(sink, [ndjsonTargetLine(record, ordinal)]);
        spool?.add(record, ordinal);
        view?.add(record, ordinal);
      },
    });
    progress.stop(`${header.summary.status}: ${header.summary.headline}`);
    // Off a TTY no progress line showed the verdict: say it beside the "wrote" lines.
    const verdict = !progressEnabled(Boolean(flags.quiet));
    if (sink) {
      await writeChunks(sink, [ndjsonRunLine(header)]);
      if (flags.output) {
        await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
        sayWritten(header, flags.output, verdict);
      }
    } else if (spool) {
      await deliverSpooled(header, spool, view, flags, verdict);
    }
    return header;
  } catch (err) {
    progress.stop(null);
    throw err;
  } finally {
    spool?.close();
    process.removeListener('SIGINT', onSigint);
  }
}

/** The stderr lines after a streamed file is complete: the verdict (off a TTY) and where it went. */
function sayWritten(header: RunHeader, file: string, verdict: boolean): void {
  if (verdict) process.stderr.write(`${verdictLine(header)}\n`);
  process.stderr.write(`wrote ${terminalText(file)}\n`);
}

/**
 * The JSON result is written record by record; other formats render the joined result, or
 * past WHOLE_REPORT_TARGETS the report view (with the JSON, if asked for too, from the spool).
 */
async function deliverSpooled(
  header: RunHeader,
  spool: RecordSpool,
  view: ReportView | null,
  flags: DeliveryFlags,
  verdict: boolean,
) {
  const formats = parseFormats(flags.format);
  if (formats.length === 1 && formats[0] === 'json' && !flags.outputDir) {
    const body = jsonResultFromRecords(header, () => spool.records());
    try {
      if (flags.output) {
        writeReportFile(flags.output, body);
        sayWritten(header, flags.output, verdict);
      } else {
        await writeChunks(process.stdout, body);
      }
    } catch (err) {
      throw notDelivered([{ format: 'json', path: flags.output ?? 'stdout', error: err as Error }], [], null);
    }
    return;
  }
  const { result, view: shown } = spooledResult(header, spool, view);
  await emitResult(result, flags, { verdict, view: shown });
}

/**
 * What the table, HTML, JUnit and Markdown reports render of a spooled run: the result
 * joined from the spool, or when there is a report view (past WHOLE_REPORT_TARGETS) the
 * view's result and what it left out, with the JSON result written from the spool.
 * `check` and `portolan report RUN.ndjson` both render through this.
 */
export function spooledResult(
  header: RunHeader,
  spool: RecordSpool,
  view: ReportView | null,
): { result: RunResult; view?: EmitOptions['view'] } {
  if (!view) return { result: joinResult(header, spool.records()) };
  const { result, omitted } = view.result(header);
  return { result, view: { omitted, json: () => jsonResultFromRecords(header, () => spool.records()) } };
}
