/**
 * `--format ndjson`: the run as it goes, one JSON object a line (checks/schema/ndjson.schema.json).
 * A line per target as soon as it is judged (in the order targets finish): its record, with
 * `ordinal` giving its place in the run's target order and observation indexes into the
 * record's own observations. Then one last line with the run (header and summary).
 */
import type { RunHeader, TargetRecord } from '../result/target-records.js';

export function ndjsonTargetLine(record: TargetRecord, ordinal: number): string {
  return `${JSON.stringify({ kind: 'target', ordinal, ...record })}\n`;
}

export function ndjsonRunLine(header: RunHeader): string {
  return `${JSON.stringify({ kind: 'run', ...header })}\n`;
}
