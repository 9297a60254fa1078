/**
 * The history's tables, the same in SQLite and PostgreSQL (schema version 2):
 *
 * - `runs`: one row per run: the plan, the vantage point (source name, labels, host), the
 *   verdict and counts as columns for listing, and the run header (a RunHeader as JSON).
 *   `state` is `recording` while a writer adds targets (a writer that died leaves it so;
 *   readers never take such a run for a finished one), then `complete`, or `incomplete`
 *   for a run that was interrupted before every probe finished.
 * - `run_targets`: one row per target of a run: its TargetRecord as deflated JSON
 *   (src/result/target-records.ts), in target order (`ordinal`).
 * - `expectation_verdicts`: one row per expectation verdict, what `diff` compares.
 *
 * Versions: SQLite counts them in `PRAGMA user_version` (1 is portolan 0.1's single-JSON
 * layout, migrated in place); PostgreSQL records them in `portolan_schema_migrations` and
 * starts at 2. A new version appends a step for both backends; a released step is never edited.
 */
import type { Column, Dialect } from './sql.js';

export const SCHEMA_VERSION = 2;

/** Schema version 1 as portolan 0.1 created it (SQLite only). Kept verbatim: released. */
export const SQLITE_V1 = `CREATE TABLE runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     plan TEXT NOT NULL,
     plan_file TEXT,
     started_at TEXT NOT NULL,
     ended_at TEXT NOT NULL,
     duration_ms INTEGER NOT NULL,
     status TEXT NOT NULL,
     exit_code INTEGER NOT NULL,
     pass INTEGER NOT NULL,
     fail INTEGER NOT NULL,
     inconclusive INTEGER NOT NULL,
     waived INTEGER NOT NULL,
     untestable INTEGER NOT NULL,
     headline TEXT NOT NULL,
     source_host TEXT NOT NULL,
     catalog_digest TEXT NOT NULL,
     result_json TEXT NOT NULL
   );
   CREATE INDEX runs_by_plan ON runs (plan, id);
   CREATE TABLE expectation_verdicts (
     run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     target TEXT NOT NULL,
     expectation TEXT NOT NULL,
     negative INTEGER NOT NULL,
     service TEXT NOT NULL,
     status TEXT NOT NULL,
     explanation TEXT NOT NULL
   );
   CREATE INDEX verdicts_by_run ON expectation_verdicts (run_id);`;

/** The version 2 tables and indexes. */
export function schemaV2(dialect: Dialect): string {
  const id =
    dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';
  const runRef = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const blob = dialect === 'sqlite' ? 'BLOB' : 'BYTEA';
  // Rows keyed by (run, ...) need no rowid in SQLite: the primary key is the table.
  const clustered = dialect === 'sqlite' ? ' WITHOUT ROWID' : '';
  return `CREATE TABLE runs (
     id ${id},
     state TEXT NOT NULL,
     plan TEXT NOT NULL,
     plan_file TEXT,
     source_name TEXT NOT NULL,
     source_labels TEXT NOT NULL,
     source_host TEXT NOT NULL,
     started_at TEXT NOT NULL,
     catalog_digest TEXT NOT NULL,
     tool_version TEXT NOT NULL,
     target_count INTEGER NOT NULL,
     ended_at TEXT,
     duration_ms BIGINT,
     status TEXT,
     exit_code INTEGER,
     pass INTEGER,
     fail INTEGER,
     inconclusive INTEGER,
     waived INTEGER,
     untestable INTEGER,
     headline TEXT,
     header TEXT,
     CHECK (state = 'recording' OR (status IS NOT NULL AND header IS NOT NULL))
   );
   CREATE INDEX runs_by_plan ON runs (plan, id);
   CREATE INDEX runs_by_plan_source ON runs (plan, source_name, id);
   CREATE TABLE run_targets (
     run_id ${runRef} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     ordinal INTEGER NOT NULL,
     target TEXT NOT NULL,
     record ${blob} NOT NULL,
     PRIMARY KEY (run_id, ordinal)
   )${clustered};
   CREATE TABLE expectation_verdicts (
     run_id ${runRef} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     target TEXT NOT NULL,
     expectation TEXT NOT NULL,
     negative INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     role TEXT,
     service TEXT NOT NULL,
     status TEXT NOT NULL,
     explanation TEXT NOT NULL,
     PRIMARY KEY (run_id, target, expectation, negative)
   )${clustered};`;
}

export const TARGET_COLUMNS: readonly Column[] = [
  { name: 'run_id', type: 'bigint' },
  { name: 'ordinal', type: 'integer' },
  { name: 'target', type: 'text' },
  { name: 'record', type: 'bytea' },
];

export const VERDICT_COLUMNS: readonly Column[] = [
  { name: 'run_id', type: 'bigint' },
  { name: 'target', type: 'text' },
  { name: 'expectation', type: 'text' },
  { name: 'negative', type: 'integer' },
  { name: 'seq', type: 'integer' },
  { name: 'role', type: 'text' },
  { name: 'service', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'explanation', type: 'text' },
];
