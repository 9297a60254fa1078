/**
 * Record a finished run and fetch the previous run of the same plan for drift. History
 * is a convenience: when the database is locked, unreadable or newer, the caller gets the
 * history error to print and the run's own reports stand.
 */

import type { PortolanError } from '../errors.js';
import type { RunResult } from '../model.js';
import { isHistoryError } from './db.js';
import { diffRuns, type RunDiff } from './diff.js';
import { HistoryStore, type RunRecord } from './store.js';

export interface Recorded {
  id: number | null;
  /** The plan's previous run, if the history had one. */
  previous: RunRecord | null;
  /** Changes since `previous`. */
  diff: RunDiff | null;
  error: PortolanError | null;
}

export function recordRun(path: string, result: RunResult, plan: { name: string; file: string | null }): Recorded {
  let store: HistoryStore | undefined;
  try {
    store = HistoryStore.open(path);
    const previous = store.latest(plan.name);
    const previousResult = previous ? store.result(previous.id) : null;
    const id = store.record(result, plan);
    return { id, previous, diff: previousResult ? diffRuns(previousResult, result) : null, error: null };
  } catch (err) {
    if (!isHistoryError(err)) throw err;
    return { id: null, previous: null, diff: null, error: err };
  } finally {
    store?.close();
  }
}

/**
 * What changed since the plan's previous recorded run, for the reports of this run. Read
 * before the reports are written; a history problem just means no such section.
 */
export function changesSincePrevious(path: string, result: RunResult, planName: string): RunResult['changes'] {
  let store: HistoryStore | undefined;
  try {
    store = HistoryStore.open(path);
    const previous = store.latest(planName);
    const before = previous ? store.result(previous.id) : null;
    if (!before) return undefined;
    const diff = diffRuns(before, result);
    return {
      since: diff.from.startedAt,
      sinceStatus: diff.from.status,
      items: diff.changes.map(({ kind, target, service, expectation, before, after, explanation }) => ({
        kind,
        target,
        service,
        expectation,
        before,
        after,
        explanation,
      })),
    };
  } catch (err) {
    if (isHistoryError(err)) return undefined;
    throw err;
  } finally {
    store?.close();
  }
}
