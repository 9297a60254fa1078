/**
 * `portolan report RESULT.json --format FMT [--output FILE]`: re-renders a saved JSON result
 * in any format. The input is checked against checks/schema/result.schema.json first; an invalid
 * file is a usage error (exit 2) naming the file, the JSON pointer and what was expected.
 * `portolan report --run ID` renders a run recorded in the history instead.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PortolanError } from '../../errors.js';
import type { RunResult } from '../../model.js';
import { FORMATS, isFormat } from '../../report/index.js';
import { validateResult } from '../../report/validate-result.js';
import { checkReportFile, reportBody, writeReportFile } from '../../report/write.js';
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

export function loadResultFile(file: string): RunResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
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
    .description('re-render a saved JSON result as a table, HTML compliance report, JUnit XML, Markdown or JSON')
    .argument('[result.json]', 'a result written by `portolan check --format json` (or --run)')
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
  portolan report --run 42 --format html -o run42.html     a run from the history
  portolan report --run latest --plan nightly-staging --history postgres://portolan@db.corp.example/portolan

Exit codes: 0 rendered, 2 not a portolan result, no such recorded run, or an --output that cannot
be written (checked first), 70 internal failure (a renderer failed: a bug worth reporting).`,
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
      const result = file === undefined ? await loadRecordedRun(opts) : loadResultFile(file);
      const body = reportBody(result, format, {
        color: colorWanted(format, Boolean(opts.output), opts.color),
        verbose: Boolean(opts.verbose),
      });
      if (opts.output) writeReportFile(opts.output, body);
      else await writeChunks(process.stdout, typeof body === 'string' ? [body] : body);
    });
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
