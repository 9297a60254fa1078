/**
 * Rows of the history tables from a run's parts, and back: a target record is stored as
 * deflated JSON (a 40-row target is about 25 KB of JSON and 2 KB deflated, so a
 * 10,000-target run stays about 20 MB instead of 250 MB), and each expectation verdict
 * also gets a plain row that `diff` compares in SQL.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { TargetRecord } from '../result/target-records.js';
import type { SqlValue } from './sql.js';

export function encodeRecord(record: TargetRecord): Buffer {
  // Level 1: nearly the size of the default level at two thirds of the time.
  return deflateRawSync(JSON.stringify(record), { level: 1 });
}

export function decodeRecord(data: Buffer | Uint8Array): TargetRecord {
  return JSON.parse(inflateRawSync(data).toString('utf8')) as TargetRecord;
}

/** A `run_targets` row (TARGET_COLUMNS order). */
export function targetRow(runId: number, ordinal: number, record: TargetRecord): SqlValue[] {
  return [runId, ordinal, record.target.name, encodeRecord(record)];
}

/**
 * The `expectation_verdicts` rows of one record (VERDICT_COLUMNS order), `seq` counting on
 * from `firstSeq`. A plan that names a target in two groups can judge one expectation
 * twice: as in `diffRuns`, the first keeps its place and the last one's verdict counts.
 */
export function verdictRows(runId: number, record: TargetRecord, firstSeq: number): SqlValue[][] {
  const byKey = new Map<string, SqlValue[]>();
  let seq = firstSeq;
  for (const v of record.verdicts.expectations) {
    const negative = v.negative ? 1 : 0;
    const key = `${v.expectation}\u0000${negative}`;
    const place = byKey.get(key)?.[4] ?? seq++;
    byKey.set(key, [runId, v.target, v.expectation, negative, place, v.role, v.service, v.status, v.explanation]);
  }
  return [...byKey.values()];
}

/** Labels as stored: JSON with sorted keys, so equal label sets are equal strings. */
export function encodeLabels(labels: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}
