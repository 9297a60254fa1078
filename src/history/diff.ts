/**
 * Drift between two runs: which expectations newly fail, which recovered, which changed
 * state otherwise, and which appeared or disappeared. Pure: from two RunResults, or from
 * the verdict pairs the history reads from its tables, classified by the same rules.
 */
import type { ComplianceStatus, ExpectationStatus, ExpectationVerdict, RunResult } from '../model.js';

export type ChangeKind = 'newly-failing' | 'recovered' | 'changed' | 'added' | 'removed';

/** One expectation as two runs judged it: `before` null when it is new, `after` null when it is gone. */
export interface VerdictPair {
  target: string;
  expectation: string;
  service: string;
  role: string | null;
  negative: boolean;
  before: ExpectationStatus | null;
  after: ExpectationStatus | null;
  /** The newer run's explanation (the older one's for a removed expectation). */
  explanation: string;
}

export interface ExpectationChange extends VerdictPair {
  kind: ChangeKind;
}

export interface RunDiff {
  from: { startedAt: string; status: ComplianceStatus };
  to: { startedAt: string; status: ComplianceStatus };
  statusChanged: boolean;
  /** Newly failing first, then recovered, changed, added, removed. */
  changes: ExpectationChange[];
  counts: Record<ChangeKind, number>;
}

const ORDER: ChangeKind[] = ['newly-failing', 'recovered', 'changed', 'added', 'removed'];

/** The end of a diff: when the run started and its verdict. */
export type DiffEnd = RunDiff['from'];

/** `a` is the older run, `b` the newer one. */
export function diffRuns(a: RunResult, b: RunResult): RunDiff {
  const before = byKey(a.verdicts.expectations);
  const after = byKey(b.verdicts.expectations);
  const pairs: VerdictPair[] = [];
  for (const [key, v] of after) pairs.push(pair(v, before.get(key)?.status ?? null, v.status));
  for (const [key, old] of before) {
    if (!after.has(key)) pairs.push(pair(old, old.status, null));
  }
  return diffFromPairs(
    { startedAt: a.run.startedAt, status: a.summary.status },
    { startedAt: b.run.startedAt, status: b.summary.status },
    pairs,
  );
}

/**
 * The drift from expectations paired across two runs (the newer run's order first, then
 * those only the older run has), as `diffRuns` pairs two results and the history pairs
 * stored verdict rows.
 */
export function diffFromPairs(from: DiffEnd, to: DiffEnd, pairs: Iterable<VerdictPair>): RunDiff {
  const changes: ExpectationChange[] = [];
  for (const p of pairs) {
    const kind = p.after === null ? 'removed' : classify(p.before, p.after);
    if (kind) changes.push({ kind, ...p });
  }
  changes.sort((x, y) => ORDER.indexOf(x.kind) - ORDER.indexOf(y.kind));
  const counts = Object.fromEntries(ORDER.map((k) => [k, changes.filter((c) => c.kind === k).length])) as Record<
    ChangeKind,
    number
  >;
  return { from, to, statusChanged: from.status !== to.status, changes, counts };
}

function classify(before: ExpectationStatus | null, after: ExpectationStatus): ChangeKind | null {
  if (before === null) return 'added';
  if (before === after) return null;
  if (after === 'fail') return 'newly-failing';
  if (before === 'fail' && after === 'pass') return 'recovered';
  return 'changed';
}

function pair(v: ExpectationVerdict, before: ExpectationStatus | null, after: ExpectationStatus | null): VerdictPair {
  return {
    target: v.target,
    expectation: v.expectation,
    service: v.service,
    role: v.role,
    negative: v.negative === true,
    before,
    after,
    explanation: v.explanation,
  };
}

function byKey(verdicts: ExpectationVerdict[]): Map<string, ExpectationVerdict> {
  return new Map(verdicts.map((v) => [`${v.target}\u0000${v.expectation}\u0000${v.negative ? 'blocked' : ''}`, v]));
}
