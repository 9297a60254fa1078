/**
 * Record a finished plan run, and attach to it what changed since the previous complete
 * run of the same plan from the same source (the reports' "changed since the last run").
 * History is a convenience: when it is locked, unreadable, unreachable or newer, the
 * caller gets the history error (a PortolanError, HISTORY_*) to print and the run's own
 * reports stand.
 */
import type { PortolanError } from '../errors.js';
import type { RunResult } from '../model.js';
import { sourceOf } from '../result/legacy.js';
import { isHistoryError } from './db.js';
import type { RunDiff } from './diff.js';
import { History, type StoredRun } from './store.js';

export interface Recorded {
  id: number | null;
  /** The run compared with: the previous complete run of the plan from this source. */
  previous: StoredRun | null;
  /** Changes since `previous`. */
  diff: RunDiff | null;
  error: PortolanError | null;
}

export interface RecordOptions {
  /** Compare with the previous run even when it was interrupted. @default false */
  includeIncomplete?: boolean;
  /** The most recording waits, in all, for other writers. @default 5000 */
  lockTimeoutMs?: number;
}

/**
 * Store `result` in the history at `location` and set `result.changes` when there is a
 * previous run to compare with. Never throws a history error (`isHistoryError`): it comes back in `error`.
 */
export async function recordRun(
  location: string,
  result: RunResult,
  plan: { name: string; file: string | null },
  opts: RecordOptions = {},
): Promise<Recorded> {
  let history: History | undefined;
  try {
    history = await History.open(
      location,
      opts.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: opts.lockTimeoutMs },
    );
    const previous = await history.latest({
      plan: plan.name,
      source: sourceOf(result.run.source).name,
      includeIncomplete: !!opts.includeIncomplete,
    });
    const { id, diff } = await history.record(result, plan, { since: previous });
    return { id, previous, diff, error: null };
  } catch (err) {
    if (!isHistoryError(err)) throw err;
    return { id: null, previous: null, diff: null, error: err };
  } finally {
    await history?.close();
  }
}
