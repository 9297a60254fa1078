/** Drift as plain text for terminals and logs: one aligned line per change. */
import { formatColumns } from '../text-columns.js';
import type { ChangeKind, RunDiff } from './diff.js';

const KIND_LABEL: Record<ChangeKind, string> = {
  'newly-failing': 'NEWLY FAILING',
  recovered: 'RECOVERED',
  changed: 'CHANGED',
  added: 'ADDED',
  removed: 'REMOVED',
};

export function describeDiff(diff: RunDiff): string {
  if (diff.changes.length === 0) return 'no changes';
  const rows = diff.changes.map((c) => [
    KIND_LABEL[c.kind],
    c.target,
    `${c.negative ? 'blocked ' : ''}${c.expectation}`,
    `${c.before ?? '-'} -> ${c.after ?? '-'}`,
    c.explanation,
  ]);
  return formatColumns(['CHANGE', 'TARGET', 'EXPECTATION', 'STATE', 'WHY'], rows);
}
