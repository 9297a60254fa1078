/**
 * The `--history` flags of run, agent, history, diff and report, in one place. The
 * location is read when the command runs (`historyFrom`: the flag, else PORTOLAN_HISTORY,
 * else the default file), never as a commander default, so a postgres:// URL with its
 * password never shows in `--help`. Not a run option: a plan does not name its history.
 */
import type { Command } from 'commander';
import { DEFAULT_HISTORY } from '../history/db.js';
import { HISTORY_ENV, historyFrom } from '../history/location.js';
import { History } from '../history/store.js';

/** `--history LOCATION`, for commands that read the history. */
export function historyOption(cmd: Command): Command {
  return cmd.option(
    '--history <location>',
    `run history: a SQLite file or a postgres:// URL (default: $${HISTORY_ENV}, else ${DEFAULT_HISTORY})`,
  );
}

/** `--history LOCATION` / `--no-history` / `--include-incomplete`, for commands that record runs (run, agent). */
export function historyOptions(cmd: Command): Command {
  return historyOption(cmd)
    .option('--no-history', 'do not record this run')
    .option('--include-incomplete', "compare with the plan's previous run even if it was interrupted");
}

/** Open the history `--history` names for reading (it must exist: HISTORY_MISSING otherwise), run `fn`, close it. */
export async function withHistory<T>(flag: string | undefined, fn: (history: History) => Promise<T>): Promise<T> {
  let history: History | undefined;
  try {
    history = await History.open(historyFrom(flag) as string, { mustExist: true });
    return await fn(history);
  } finally {
    await history?.close();
  }
}
