/**
 * `portolan report RESULT.json --format FMT [--output FILE]`: re-renders a saved JSON result
 * in any format. The input is checked against checks/schema/result.schema.json first; an invalid
 * file is a usage error (exit 2) naming the file, the JSON pointer and what was expected.
 * `portolan report RUN.ndjson` renders a run saved by `check --format ndjson` the way `check`
 * renders a streamed run (record by record, past 1,000 targets from the report view), which is
 * how runs too large for a JSON result are re-rendered. `portolan report --run ID` renders a
 * run recorded in the history instead.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { PortolanError } from '../../errors.js';
import type { RunResult } from '../../model.js';
import { FORMATS, type Format, isFormat } from '../../report/index.js';
import { jsonResultFromRecords } from '../../report/json-records.js';
import { isNdjsonFile, readNdjsonRun } from '../../report/read-ndjson.js';
import { ReportView } from '../../report/report-view.js';
import { validateResult } from '../../report/validate-result.js';
import { checkReportFile, type ReportBody, reportBody, writeReportFile } from '../../report/write.js';
import { RecordSpool } from '../../result/record-spool.js';
import { spooledResult, WHOLE_REPORT_TARGETS } from '../check-delivery.js';
import { historyOption, withHistory } from '../history-flags.js';
import { colorWanted, writeChunks } from '../output.js';

interface ReportOpts {
  format: string;
  run?: string;
  history?: string;
  plan?: string;
  output?: string;
  color?: boolean;
  verbose?: boolean;
}

/** Problems shown at most; the rest are counted. */
const MAX_PROBLEMS = 10;

/**
 * Bytes of the largest JSON result read. The text must fit one JavaScript string, which V8
 * caps just under 512 Mi characters; a larger result (10,000 domain controllers: 936 MiB)
 * would fail deep inside the read, so it is refused before reading, pointing at NDJSON.
 */
export const MAX_JSON_RESULT_BYTES = 500 * 1024 * 1024;

const MIB = 1024 * 1024;

export function loadResultFile(file: string): RunResult {
  let text: string;
  try {
    const { size } = statSync(file);
    if (size > MAX_JSON_RESULT_BYTES) {
      throw new PortolanError(
        'RESULT_TOO_LARGE',
        `${Math.ceil(size / MIB)} MiB is more than the ${MAX_JSON_RESULT_BYTES / MIB} MiB a JSON result can be read as; ` +
          'for runs this large write `check --format ndjson` and render that file with `portolan report RUN.ndjson`',
        { location: file },
      );
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof PortolanError) throw err;
    throw new PortolanError('FILE_UNREADABLE', `cannot read the result: ${(err as Error).message}`, {
      location: file,
      cause: err,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PortolanError('RESULT_INVALID', `not JSON: ${(err as Error).message}`, { location: file, cause: err });
  }
  const outcome = validateResult(data);
  if (outcome.ok) return outcome.result;
  const lines = outcome.problems
    .slice(0, MAX_PROBLEMS)
    .map((p) => `  ${p.pointer === '' ? '(root)' : p.pointer}: ${p.message}`);
  if (outcome.problems.length > MAX_PROBLEMS) lines.push(`  ... and ${outcome.problems.length - MAX_PROBLEMS} more`);
  throw new PortolanError(
    'RESULT_INVALID',
    `not a portolan result (checks/schema/result.schema.json, schemaVersion 1):\n${lines.join('\n')}`,
    { location: file },
  );
}

export function registerReport(program: Command): void {
  historyOption(program.command('report'))
    .description(
      're-render a saved JSON result or NDJSON run as a table, HTML compliance report, JUnit XML, Markdown or JSON',
    )
    .argument(
      '[result]',
      'a result written by `portolan check --format json`, or a run by `--format ndjson` (or --run)',
    )
    .option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`, 'table')
    .option('-o, --output <file>', 'write to FILE (atomically: a temp file, then a rename) instead of stdout')
    .option(
      '--run <id>',
      'render run ID from the history (--history) instead of a file (`latest`: the newest complete run)',
    )
    .option('--plan <name>', 'with --run latest: the newest complete run of this plan')
    .option('--color', 'colour the table even when stdout is not a terminal')
    .option('--no-color', 'never colour the table')
    .option('-v, --verbose', 'the table lists every row, not only root causes, inconclusive points and notices')
    .addHelpText(
      'after',
      `
Examples:
  portolan report result.json                              the terminal table: verdict, root causes, notices
  portolan report result.json --verbose                    ... and every row
  portolan report result.json --format html -o audit.html  the offline compliance report
  portolan report result.json --format junit -o junit.xml  for CI test reports
  portolan report result.json --format md >> "$GITHUB_STEP_SUMMARY"
  portolan report members.ndjson --format html -o members.html
                                                           a run saved by \`check --format ndjson\`
  portolan report --run 42 --format html -o run42.html     a run from the history
  portolan report --run latest --plan nightly-staging --history postgres://portolan@db.corp.example/portolan

A file whose first line starts {"kind": (or named *.ndjson, *.jsonl) is read as NDJSON, a line at
a time, so any size renders: past ${WHOLE_REPORT_TARGETS.toLocaleString('en-US')} targets the table, HTML, JUnit and Markdown come from
the same bounded report view \`check\` uses, and --format json is written record by record. A JSON
result over ${MAX_JSON_RESULT_BYTES / MIB} MiB cannot be read (one JavaScript string): save runs that large as NDJSON.

Exit codes: 0 rendered, 2 not a portolan result (NDJSON: file:line of the bad line, or a stream
cut off before its run line), a JSON result too large, no such recorded run, or an --output that
cannot be written (checked first), 70 internal failure (a renderer failed: a bug worth reporting).`,
    )
    .action(async (file: string | undefined, opts: ReportOpts) => {
      // One format: "--format pdf" is one line naming the formats there are (exit 2), like every usage error.
      if (!isFormat(opts.format)) {
        throw new PortolanError('INVALID_VALUE', `--format "${opts.format}": expected one of ${FORMATS.join(', ')}`);
      }
      const format = opts.format;
      if (file !== undefined && opts.run !== undefined) {
        throw new PortolanError('CONFLICTING_OPTIONS', 'give a result file or --run, not both');
      }
      if (file === undefined && opts.run === undefined) {
        throw new PortolanError(
          'MISSING_OPTION',
          'name a result file, or a recorded run with --run ID (see `portolan history`)',
        );
      }
      if (opts.plan !== undefined && opts.run !== 'latest') {
        throw new PortolanError('MISSING_OPTION', '--plan goes with --run latest');
      }
      if (opts.output) checkReportFile(opts.output, '--output');
      if (file !== undefined && isNdjsonFile(file)) {
        await renderNdjsonRun(file, format, opts);
        return;
      }
      const result = file === undefined ? await loadRecordedRun(opts) : loadResultFile(file);
      await deliver(reportBody(result, format, renderOptions(format, opts)), opts);
    });
}

function renderOptions(format: Format, opts: ReportOpts) {
  return { color: colorWanted(format, Boolean(opts.output), opts.color), verbose: Boolean(opts.verbose) };
}

async function deliver(body: ReportBody, opts: ReportOpts): Promise<void> {
  if (opts.output) writeReportFile(opts.output, body);
  else await writeChunks(process.stdout, typeof body === 'string' ? [body] : body);
}

/**
 * Renders an NDJSON run as `check` renders a streamed one: the records go to a spool on disk
 * (the JSON result is written from it a record at a time) and into a report view, which the
 * other formats render from past WHOLE_REPORT_TARGETS; at or below it they render the joined result.
 */
async function renderNdjsonRun(file: string, format: Format, opts: ReportOpts): Promise<void> {
  const spool = new RecordSpool();
  // The target count is known only at the end; a view's compact records cost little below the threshold.
  const view = new ReportView();
  try {
    const { header, targets } = await readNdjsonRun(file, (record, ordinal) => {
      spool.add(record, ordinal);
      view.add(record, ordinal);
    });
    if (format === 'json') {
      await deliver(
        jsonResultFromRecords(header, () => spool.records()),
        opts,
      );
      return;
    }
    const { result, view: shown } = spooledResult(header, spool, targets > WHOLE_REPORT_TARGETS ? view : null);
    await deliver(reportBody(result, format, { ...renderOptions(format, opts), omitted: shown?.omitted }), opts);
  } finally {
    spool.close();
  }
}

/** The result of the run `--run` names (an id, or `latest`). */
async function loadRecordedRun(opts: ReportOpts): Promise<RunResult> {
  const wanted = opts.run ?? '';
  if (wanted !== 'latest' && !/^\d+$/.test(wanted)) {
    throw new PortolanError(
      'INVALID_VALUE',
      `--run "${wanted}": expected a run id from \`portolan history\`, or latest`,
    );
  }
  return withHistory(opts.history, async (history) => {
    const id =
      wanted === 'latest'
        ? (await history.latest(opts.plan === undefined ? {} : { plan: opts.plan }))?.id
        : Number(wanted);
    if (id === undefined) {
      throw new PortolanError(
        'HISTORY_NO_RUN',
        opts.plan ? `no complete runs of plan "${opts.plan}" recorded` : 'no complete runs recorded yet',
      );
    }
    const result = await history.result(id);
    if (!result) throw new PortolanError('HISTORY_NO_RUN', `run ${id} is not in the history`);
    return result;
  });
}
