/**
 * `portolan history` lists recorded runs; `portolan diff [A] [B]` shows drift between
 * two runs (default: the last two complete runs of the same plan and source).
 */
import type { Command } from 'commander';
import { PortolanError } from '../../errors.js';
import { describeDiff } from '../../history/describe-diff.js';
import type { History, StoredRun } from '../../history/store.js';
import { formatColumns } from '../../text-columns.js';
import { historyOption, withHistory } from '../history-flags.js';

interface HistoryFlags {
  history?: string;
  plan?: string;
  limit: number;
  json?: boolean;
}

interface DiffFlags {
  history?: string;
  plan?: string;
  includeIncomplete?: boolean;
  json?: boolean;
}

function runId(value: string): number {
  if (!/^\d+$/.test(value))
    throw new PortolanError('INVALID_VALUE', `run id "${value}": expected a number from \`portolan history\``);
  return Number(value);
}

export function registerHistory(program: Command): void {
  historyOption(program.command('history'))
    .description('list recorded runs: time, plan, source, verdict and counts (newest first)')
    .option('--plan <name>', 'only runs of this plan')
    .option('-n, --limit <n>', 'at most N runs', runId, 20)
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Runs interrupted before every probe finished are listed as "(incomplete)"; diff and the
reports' "changed since the last run" skip them unless --include-incomplete.

Examples:
  portolan history
  portolan history --plan nightly-staging -n 5 --json
  portolan history --history postgres://portolan@db.corp.example/portolan
`,
    )
    .action(async (flags: HistoryFlags) => {
      await withHistory(flags.history, async (history) => {
        const runs = await history.list({ ...(flags.plan ? { plan: flags.plan } : {}), limit: flags.limit });
        if (flags.json) return void process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
        const rows = runs.map((r) => [
          String(r.id),
          r.startedAt,
          r.plan,
          r.sourceName,
          r.state === 'incomplete' ? `${r.status} (incomplete)` : r.status,
          String(r.counts.pass),
          String(r.counts.fail),
          String(r.counts.inconclusive),
          String(r.counts.waived),
        ]);
        process.stdout.write(
          `${formatColumns(['ID', 'STARTED', 'PLAN', 'SOURCE', 'VERDICT', 'PASS', 'FAIL', 'INCONCL', 'WAIVED'], rows)}\n`,
        );
      });
    });

  historyOption(program.command('diff'))
    .description('what changed between two runs: newly failing, recovered, other state changes')
    .argument('[a]', 'older run id (default: the run before B)', runId)
    .argument('[b]', 'newer run id (default: the latest run of the same plan)', runId)
    .option('--plan <name>', 'compare the last two runs of this plan (default: the plan of the latest run)')
    .option('--include-incomplete', 'also pick runs that were interrupted before every probe finished')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Without ids, diff compares the two latest complete runs of one plan from one source (the
vantage point that ran it), so agents in different segments are never compared.

Examples:
  portolan diff                          the last two runs of the latest plan
  portolan diff 12 15                    run 12 against run 15
  portolan diff --plan nightly-staging --json
`,
    )
    .action(async (a: number | undefined, b: number | undefined, flags: DiffFlags) => {
      await withHistory(flags.history, async (history) => {
        const pair = await pickRuns(history, a, b, flags);
        if ('only' in pair) {
          // One run is not an error: there is just nothing to compare it with yet.
          const { only } = pair;
          if (flags.json) {
            return void process.stdout.write(`${JSON.stringify({ onlyRun: only.id, changes: [] }, null, 2)}\n`);
          }
          const complete = flags.includeIncomplete ? '' : 'complete ';
          return void process.stdout.write(
            `plan "${only.plan}" has only one ${complete}run from ${only.sourceName} (${only.id}): nothing to compare yet\n`,
          );
        }
        const [older, newer] = pair;
        for (const run of [older, newer]) {
          if (run.state === 'incomplete') {
            process.stderr.write(
              `portolan: note: run ${run.id} is incomplete (interrupted before every probe finished)\n`,
            );
          }
        }
        const diff = await history.diff(older.id, newer.id);
        if (flags.json) {
          return void process.stdout.write(
            `${JSON.stringify({ fromRun: older.id, toRun: newer.id, ...diff }, null, 2)}\n`,
          );
        }
        process.stdout.write(
          `run ${older.id} (${diff.from.status}) -> run ${newer.id} (${diff.to.status})\n${describeDiff(diff)}\n`,
        );
      });
    });
}

/** The two runs to compare, or the only run of the plan from that source when there is no earlier one. */
async function pickRuns(
  history: History,
  a: number | undefined,
  b: number | undefined,
  flags: DiffFlags,
): Promise<readonly [StoredRun, StoredRun] | { only: StoredRun }> {
  const includeIncomplete = !!flags.includeIncomplete;
  if (a !== undefined && b !== undefined) return [await mustGet(history, a), await mustGet(history, b)] as const;
  if (a !== undefined) {
    const older = await mustGet(history, a);
    const newest = await history.latest({ plan: older.plan, source: older.sourceName, includeIncomplete });
    if (!newest || newest.id === older.id) {
      throw new PortolanError(
        'HISTORY_NO_RUN',
        `no later run of plan "${older.plan}" from ${older.sourceName} than run ${a}`,
      );
    }
    return [older, newest] as const;
  }
  const newest = await history.latest({ ...(flags.plan ? { plan: flags.plan } : {}), includeIncomplete });
  if (!newest) {
    const what = flags.plan ? `no complete runs of plan "${flags.plan}" recorded` : 'no complete runs recorded yet';
    throw new PortolanError(
      'HISTORY_NO_RUN',
      includeIncomplete ? what : `${what} (--include-incomplete counts interrupted ones)`,
    );
  }
  const before = await history.latest({
    plan: newest.plan,
    source: newest.sourceName,
    beforeId: newest.id,
    includeIncomplete,
  });
  if (!before) return { only: newest };
  return [before, newest] as const;
}

async function mustGet(history: History, id: number): Promise<StoredRun> {
  const run = await history.get(id);
  if (!run) throw new PortolanError('HISTORY_NO_RUN', `run ${id} is not in the history`);
  return run;
}
