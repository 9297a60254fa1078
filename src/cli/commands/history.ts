/**
 * `portolan history` lists recorded runs; `portolan diff [A] [B]` shows drift between
 * two runs (default: the last two runs of the same plan).
 */
import type { Command } from 'commander';
import { PortolanError } from '../../errors.js';
import { DEFAULT_HISTORY } from '../../history/db.js';
import { describeDiff } from '../../history/describe-diff.js';
import { diffRuns } from '../../history/diff.js';
import { HistoryStore } from '../../history/store.js';
import { formatColumns } from '../text-table.js';

interface HistoryFlags {
  history: string;
  plan?: string;
  limit: number;
  json?: boolean;
}

function runId(value: string): number {
  if (!/^\d+$/.test(value))
    throw new PortolanError('INVALID_VALUE', `run id "${value}": expected a number from \`portolan history\``);
  return Number(value);
}

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description('list recorded runs: time, plan, verdict and counts (newest first)')
    .option('--history <path>', 'run history database', DEFAULT_HISTORY)
    .option('--plan <name>', 'only runs of this plan')
    .option('-n, --limit <n>', 'at most N runs', runId, 20)
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  portolan history\n  portolan history --plan nightly-staging -n 5 --json\n')
    .action((flags: HistoryFlags) => {
      withStore(flags.history, (store) => {
        const runs = store.list({ ...(flags.plan ? { plan: flags.plan } : {}), limit: flags.limit });
        if (flags.json) return void process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
        const rows = runs.map((r) => [
          String(r.id),
          r.startedAt,
          r.plan,
          r.status,
          String(r.counts.pass),
          String(r.counts.fail),
          String(r.counts.inconclusive),
          String(r.counts.waived),
        ]);
        process.stdout.write(
          `${formatColumns(['ID', 'STARTED', 'PLAN', 'VERDICT', 'PASS', 'FAIL', 'INCONCL', 'WAIVED'], rows)}\n`,
        );
      });
    });

  program
    .command('diff')
    .description('what changed between two runs: newly failing, recovered, other state changes')
    .argument('[a]', 'older run id (default: the run before B)', runId)
    .argument('[b]', 'newer run id (default: the latest run of the same plan)', runId)
    .option('--history <path>', 'run history database', DEFAULT_HISTORY)
    .option('--plan <name>', 'compare the last two runs of this plan (default: the plan of the latest run)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  portolan diff                          the last two runs of the latest plan\n  portolan diff 12 15                    run 12 against run 15\n  portolan diff --plan nightly-staging --json\n',
    )
    .action((a: number | undefined, b: number | undefined, flags: Omit<HistoryFlags, 'limit'>) => {
      withStore(flags.history, (store) => {
        const pair = pickRuns(store, a, b, flags.plan);
        if ('only' in pair) {
          // One run is not an error: there is just nothing to compare it with yet.
          const text = `plan "${pair.only.plan}" has only one recorded run (${pair.only.id}): nothing to compare yet`;
          if (flags.json)
            return void process.stdout.write(`${JSON.stringify({ onlyRun: pair.only.id, changes: [] }, null, 2)}\n`);
          return void process.stdout.write(`${text}\n`);
        }
        const [older, newer] = pair;
        const diff = diffRuns(load(store, older), load(store, newer));
        if (flags.json)
          return void process.stdout.write(`${JSON.stringify({ fromRun: older, toRun: newer, ...diff }, null, 2)}\n`);
        process.stdout.write(
          `run ${older} (${diff.from.status}) -> run ${newer} (${diff.to.status})\n${describeDiff(diff)}\n`,
        );
      });
    });
}

function pickRuns(
  store: HistoryStore,
  a?: number,
  b?: number,
  plan?: string,
): [number, number] | { only: { id: number; plan: string } } {
  if (a !== undefined && b !== undefined) return [a, b];
  const newest =
    a !== undefined ? store.latest(planOf(store, a)) : plan ? store.latest(plan) : store.list({ limit: 1 })[0];
  if (!newest) {
    throw new PortolanError('HISTORY_NO_RUN', plan ? `no runs of plan "${plan}" recorded` : 'no runs recorded yet');
  }
  if (a !== undefined) return [a, newest.id];
  const before = store.latest(newest.plan, newest.id);
  if (!before) return { only: { id: newest.id, plan: newest.plan } };
  return [before.id, newest.id];
}

function planOf(store: HistoryStore, id: number): string {
  const run = store.list().find((r) => r.id === id);
  if (!run) throw new PortolanError('HISTORY_NO_RUN', `run ${id} is not in the history`);
  return run.plan;
}

function load(store: HistoryStore, id: number) {
  const result = store.result(id);
  if (!result) throw new PortolanError('HISTORY_NO_RUN', `run ${id} is not in the history`);
  return result;
}

function withStore(path: string, fn: (store: HistoryStore) => void): void {
  let store: HistoryStore | undefined;
  try {
    store = HistoryStore.open(path, { mustExist: true });
    fn(store);
  } finally {
    store?.close();
  }
}
