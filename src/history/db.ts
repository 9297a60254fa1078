/**
 * The run history database (better-sqlite3, default `reports/history.db`). Schema
 * changes are numbered migrations recorded in `PRAGMA user_version`; WAL and a busy
 * timeout let a scheduled agent and a CI job write at the same time. A database that is
 * locked too long, unreadable, or from a newer portolan is a PortolanError with a
 * HISTORY_* code, and it is never modified.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PortolanError, type PortolanErrorCode } from '../errors.js';
import { defaultHistoryPath } from '../platform/data-dir.js';

/** Where runs are recorded unless --history says otherwise. */
/** `reports/history.db`, or in the user's data folder when run from a system folder (platform/data-dir.ts). */
export const DEFAULT_HISTORY = defaultHistoryPath();

/** The codes a history database problem carries. */
export type HistoryErrorCode = Extract<
  PortolanErrorCode,
  'HISTORY_LOCKED' | 'HISTORY_UNREADABLE' | 'HISTORY_NEWER_SCHEMA' | 'HISTORY_MISSING'
>;

const HISTORY_CODES: readonly string[] = [
  'HISTORY_LOCKED',
  'HISTORY_UNREADABLE',
  'HISTORY_NEWER_SCHEMA',
  'HISTORY_MISSING',
] satisfies HistoryErrorCode[];

function historyError(code: HistoryErrorCode, path: string, message: string, cause?: unknown): PortolanError {
  return new PortolanError(code, `history database ${path}: ${message}`, { cause });
}

/** A problem with the history database itself (not a missing run): the run's own reports still stand. */
export function isHistoryError(err: unknown): err is PortolanError {
  return err instanceof PortolanError && HISTORY_CODES.includes(err.code);
}

/** Index i upgrades user_version i to i + 1. Append only; never edit a released step. */
const MIGRATIONS: string[] = [
  `CREATE TABLE runs (
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
   CREATE INDEX verdicts_by_run ON expectation_verdicts (run_id);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** How long a writer waits for another one before HISTORY_LOCKED. @default 5000 */
export interface OpenOptions {
  busyTimeoutMs?: number;
  /** Fail with HISTORY_MISSING instead of creating the file (read-only commands). */
  mustExist?: boolean;
}

export function openHistoryDb(path: string, opts: OpenOptions = {}): Database.Database {
  if (opts.mustExist && path !== ':memory:' && !existsSync(path)) {
    throw historyError('HISTORY_MISSING', path, 'does not exist yet; run a plan first');
  }
  let db: Database.Database | undefined;
  try {
    if (!opts.mustExist && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: opts.busyTimeoutMs ?? 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
    return db;
  } catch (err) {
    db?.close();
    throw toHistoryError(err, path);
  }
}

function migrate(db: Database.Database, path: string): void {
  const upgrade = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw historyError(
        'HISTORY_NEWER_SCHEMA',
        path,
        `schema version ${version} is newer than this portolan understands (${SCHEMA_VERSION}); upgrade portolan or use --history with another file`,
      );
    }
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] as string);
    if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  // IMMEDIATE takes the write lock first, so two first runs do not both create the tables.
  upgrade.immediate();
}

/** Map SQLite's error codes to ours, with a sentence that says what to do. */
export function toHistoryError(err: unknown, path: string): PortolanError {
  if (isHistoryError(err)) return err;
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message ?? String(err);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return historyError('HISTORY_LOCKED', path, `locked by another process (${message}); try again later`, err);
  }
  return historyError('HISTORY_UNREADABLE', path, `cannot be used (${code || 'error'}: ${message})`, err);
}
