/**
 * Drift between two runs: which expectations newly fail, which recovered, which changed
 * state otherwise, and which appeared or disappeared. Pure, so reports can show
 * "changed since the last run" from two RunResults.
 */
import type { ComplianceStatus, ExpectationStatus, ExpectationVerdict, RunResult } from '../model.js';

export type ChangeKind = 'newly-failing' | 'recovered' | 'changed' | 'added' | 'removed';

export interface ExpectationChange {
  kind: ChangeKind;
  target: string;
  expectation: string;
  service: string;
  role: string | null;
  negative: boolean;
  before: ExpectationStatus | null;
  after: ExpectationStatus | null;
  /** The newer run's explanation (the older one's for `removed`). */
  explanation: string;
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

/** `a` is the older run, `b` the newer one. */
export function diffRuns(a: RunResult, b: RunResult): RunDiff {
  const before = byKey(a.verdicts.expectations);
  const after = byKey(b.verdicts.expectations);
  const changes: ExpectationChange[] = [];
  for (const [key, v] of after) {
    const old = before.get(key);
    const kind = classify(old?.status ?? null, v.status);
    if (kind) changes.push(change(kind, v, old?.status ?? null, v.status));
  }
  for (const [key, old] of before) {
    if (!after.has(key)) changes.push(change('removed', old, old.status, null));
  }
  changes.sort((x, y) => ORDER.indexOf(x.kind) - ORDER.indexOf(y.kind));
  const counts = Object.fromEntries(ORDER.map((k) => [k, changes.filter((c) => c.kind === k).length])) as Record<
    ChangeKind,
    number
  >;
  return {
    from: { startedAt: a.run.startedAt, status: a.summary.status },
    to: { startedAt: b.run.startedAt, status: b.summary.status },
    statusChanged: a.summary.status !== b.summary.status,
    changes,
    counts,
  };
}

function classify(before: ExpectationStatus | null, after: ExpectationStatus): ChangeKind | null {
  if (before === null) return 'added';
  if (before === after) return null;
  if (after === 'fail') return 'newly-failing';
  if (before === 'fail' && after === 'pass') return 'recovered';
  return 'changed';
}

function change(
  kind: ChangeKind,
  v: ExpectationVerdict,
  before: ExpectationStatus | null,
  after: ExpectationStatus | null,
): ExpectationChange {
  return {
    kind,
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
