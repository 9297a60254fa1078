/**
 * `portolan merge` and `portolan matrix`: many vantage points' results as one fleet view,
 * a source x target matrix with the root causes across the fleet (src/fleet/). `merge`
 * reads result files; `matrix` reads each source's latest run from the history (and any
 * result files given too).
 */
import type { Command } from 'commander';
import { parseDuration } from '../../duration.js';
import { PortolanError } from '../../errors.js';
import { latestFleetRuns } from '../../fleet/from-history.js';
import { type FleetInput, mergeFleet } from '../../fleet/merge.js';
import { FLEET_FORMATS, type FleetFormat, isFleetFormat, renderFleet } from '../../fleet/render.js';
import { historyFrom, parseHistoryLocation } from '../../history/location.js';
import { pathProblem } from '../../platform/file-names.js';
import { listText, terminalText } from '../../printable.js';
import { checkReportFile, writeReportFile } from '../../report/write.js';
import { historyOption, withHistory } from '../history-flags.js';
import { writeChunks } from '../output.js';
import { loadResultFile } from './report.js';

interface FleetFlags {
  format: string;
  output?: string;
  history?: string;
  plan?: string;
  since?: string;
  includeIncomplete?: boolean;
  dryRun?: boolean;
}

const EXIT_TEXT = `Exit codes: 0 every (source, target) cell compliant, 1 a cell is non-compliant, 3 only
inconclusive cells, 2 a file that is not a portolan result, no runs recorded, or bad flags.`;

const READING = `Reading the matrix: rows are vantage points (--source-name, --site of each run), columns
targets; a cell lists the ports of its root causes ("-": not probed from there). Below it,
each root cause across the fleet says where to look: blocked from EVERY source that probed the
target points at the target itself (its host firewall, or the service is down); blocked from
SOME sources while others reach it points at the path from those sources (a network firewall
or ACL of their site; labels they share, such as site=branch-12, are named).`;

function formatOf(flags: FleetFlags): FleetFormat {
  if (!isFleetFormat(flags.format)) {
    throw new PortolanError('INVALID_VALUE', `--format "${flags.format}": expected one of ${FLEET_FORMATS.join(', ')}`);
  }
  return flags.format;
}

function outputFlags(cmd: Command): Command {
  return cmd
    .option('-f, --format <format>', `output format: ${FLEET_FORMATS.join(', ')}`, 'table')
    .option('-o, --output <file>', 'write to FILE (atomically) instead of stdout')
    .option('--dry-run', 'check the flags and print what would be read and written; read and write nothing');
}

/** The flags as written, touching no file: the format, and --output's syntax. */
function checkedFormat(flags: FleetFlags): FleetFormat {
  const format = formatOf(flags);
  const problem = flags.output === undefined ? null : pathProblem(flags.output, process.platform);
  if (problem) throw new PortolanError('INVALID_VALUE', `--output "${flags.output}": ${problem}`);
  if (flags.output && !flags.dryRun) checkReportFile(flags.output, '--output');
  return format;
}

function dryRun(reading: string[], format: FleetFormat, output: string | undefined): void {
  const lines = [
    `Dry run: nothing was read or written.`,
    ...reading,
    `Would write: the fleet matrix as ${format} to ${output ?? 'stdout'}`,
  ];
  process.stdout.write(`${terminalText(lines.join('\n'))}\n`);
}

async function emit(inputs: FleetInput[], format: FleetFormat, output: string | undefined): Promise<void> {
  const view = mergeFleet(inputs);
  const body = renderFleet(view, format);
  if (output) writeReportFile(output, body);
  else await writeChunks(process.stdout, [body]);
  process.exitCode = view.summary.exitCode;
}

export function registerFleet(program: Command): void {
  outputFlags(program.command('merge'))
    .description('merge the results of several vantage points into one source x target matrix with fleet root causes')
    .argument('<results...>', 'JSON results (`portolan check --format json`), one or more per source')
    .addHelpText(
      'after',
      `
Results of one source (the same --source-name) merge into its row: the shards of a sharded
run (--shard I/N) together, and where two runs probed one target the newer counts. Runs
from different catalogs or portolan versions are merged, with a note saying so.

${READING}

Examples:
  portolan merge hq.json branch-12.json vlan-20.json
  portolan merge results/*.json --format md >> "$GITHUB_STEP_SUMMARY"
  portolan merge shard-*.json --format json -o fleet.json
  portolan merge results/*.json --format html -o matrix.html    (open a failing cell for its ports)
  portolan merge results/*.json --format junit -o fleet.xml     (one test suite per source)
  portolan merge results/*.json --format md -o matrix.md --dry-run   (checks the flags; reads nothing)

${EXIT_TEXT}`,
    )
    .action(async (files: string[], flags: FleetFlags) => {
      const format = checkedFormat(flags);
      if (flags.dryRun) {
        return dryRun([`Would merge ${files.length} result file(s): ${listText(files, 10)}`], format, flags.output);
      }
      await emit(
        files.map((file) => ({ result: loadResultFile(file), origin: file })),
        format,
        flags.output,
      );
    });

  outputFlags(historyOption(program.command('matrix')))
    .description("the fleet matrix from the history: each source's latest run (every shard of it), merged")
    .argument('[results...]', 'JSON results to merge in as well')
    .option('--plan <name>', 'only runs of this plan')
    .option('--since <duration>', 'only runs started within this long, e.g. 24h or 7d')
    .option('--include-incomplete', 'also use runs interrupted before every probe finished')
    .addHelpText(
      'after',
      `
Many agents write one history (--history postgres://..., or $PORTOLAN_HISTORY); matrix takes
the newest run of each (plan, source) in it, and for a sharded source the newest run of
each of its shards.

${READING}

Examples:
  portolan matrix --history postgres://portolan@db.corp.example/portolan --plan dcs --since 24h
  portolan matrix --plan dcs --format md -o matrix.md
  portolan matrix --history reports/history.db --format json

${EXIT_TEXT}`,
    )
    .action(async (files: string[], flags: FleetFlags) => {
      const format = checkedFormat(flags);
      const since =
        flags.since === undefined
          ? undefined
          : new Date(Date.now() - parseDuration(flags.since, '--since')).toISOString();
      if (flags.dryRun) {
        const where = historyFrom(flags.history);
        const which = [
          flags.plan ? `of plan ${flags.plan}` : 'of every plan',
          flags.since ? `started in the last ${flags.since}` : '',
        ];
        return dryRun(
          [
            `Would read: the latest run of each source ${which.filter(Boolean).join(', ')} from ${where ? parseHistoryLocation(where).display : 'no history'}`,
            ...(files.length ? [`and merge ${files.length} result file(s): ${listText(files, 10)}`] : []),
          ],
          format,
          flags.output,
        );
      }
      const fromFiles = files.map((file) => ({ result: loadResultFile(file), origin: file }));
      const fromHistory = await withHistory(flags.history, (history) =>
        latestFleetRuns(history, {
          ...(flags.plan === undefined ? {} : { plan: flags.plan }),
          ...(since === undefined ? {} : { since }),
          includeIncomplete: !!flags.includeIncomplete,
        }),
      );
      if (fromHistory.length === 0 && fromFiles.length === 0) {
        const what = flags.plan ? `no complete runs of plan "${flags.plan}"` : 'no complete runs';
        throw new PortolanError(
          'HISTORY_NO_RUN',
          `${what} recorded${flags.since ? ` in the last ${flags.since}` : ''}`,
        );
      }
      await emit([...fromHistory, ...fromFiles], format, flags.output);
    });
}
