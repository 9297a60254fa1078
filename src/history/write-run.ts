/**
 * The statements that store a run, shared by the history's run writer and the SQLite
 * migration from version 1: a `recording` runs row first, then target records and verdict
 * rows in batches, then the header and summary that make the run `complete` (or
 * `incomplete`). Callers choose the transactions.
 */
import type { RunSource } from '../model.js';
import { sourceOf } from '../result/legacy.js';
import type { RunHeader, TargetRecord } from '../result/target-records.js';
import { encodeLabels, targetRow, verdictRows } from './rows.js';
import { TARGET_COLUMNS, VERDICT_COLUMNS } from './schema.js';
import type { SqlConnection, SqlValue } from './sql.js';

/** What is known of a run before its targets are stored. */
export interface RunStart {
  plan: string;
  planFile: string | null;
  startedAt: string;
  source: RunSource;
  catalogDigest: string;
  toolVersion: string;
}

/** Where the next target record and verdict row of a run go. */
export interface RunPosition {
  ordinal: number;
  seq: number;
}

/** Insert the run's row as `recording`; returns its id (`id` only when carrying a run over). */
export async function insertRun(conn: SqlConnection, start: RunStart, id?: number): Promise<number> {
  const source = sourceOf(start.source);
  const columns = [
    'state',
    'plan',
    'plan_file',
    'source_name',
    'source_labels',
    'source_host',
    'started_at',
    'catalog_digest',
    'tool_version',
    'target_count',
  ];
  const values: SqlValue[] = [
    'recording',
    start.plan,
    start.planFile,
    source.name,
    encodeLabels(source.labels),
    source.hostname,
    start.startedAt,
    start.catalogDigest,
    start.toolVersion,
    0,
  ];
  if (id !== undefined) {
    columns.unshift('id');
    values.unshift(id);
  }
  const [row] = await conn.all<{ id: number | string }>(
    `INSERT INTO runs (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING id`,
    values,
  );
  return Number(row?.id);
}

/** Store target records at `at`, moving it on. */
export async function insertTargets(
  conn: SqlConnection,
  runId: number,
  records: readonly TargetRecord[],
  at: RunPosition,
): Promise<void> {
  const targets: SqlValue[][] = [];
  const verdicts: SqlValue[][] = [];
  for (const record of records) {
    targets.push(targetRow(runId, at.ordinal++, record));
    const rows = verdictRows(runId, record, at.seq);
    at.seq += rows.length;
    for (const row of rows) verdicts.push(row);
  }
  await conn.insertMany('run_targets', TARGET_COLUMNS, targets);
  await conn.insertMany('expectation_verdicts', VERDICT_COLUMNS, verdicts);
}

/** Write the header and summary: the run is `complete`, or `incomplete` if it was interrupted. */
export async function finishRun(conn: SqlConnection, runId: number, header: RunHeader, targetCount: number) {
  const { counts } = header.summary;
  await conn.run(
    `UPDATE runs SET state = ?, target_count = ?, ended_at = ?, duration_ms = ?, status = ?, exit_code = ?,
       pass = ?, fail = ?, inconclusive = ?, waived = ?, untestable = ?, headline = ?, header = ?
     WHERE id = ?`,
    [
      header.run.incomplete ? 'incomplete' : 'complete',
      targetCount,
      header.run.endedAt,
      header.run.durationMs,
      header.summary.status,
      header.summary.exitCode,
      counts.pass,
      counts.fail,
      counts.inconclusive,
      counts.waived,
      counts.untestable,
      header.summary.headline,
      JSON.stringify(header),
      runId,
    ],
  );
}

/** The start of a run that is already whole. */
export function runStartOf(header: RunHeader, plan: { name: string; file: string | null }): RunStart {
  return {
    plan: plan.name,
    planFile: plan.file,
    startedAt: header.run.startedAt,
    source: header.run.source,
    catalogDigest: header.catalog.digest,
    toolVersion: header.tool.version,
  };
}
