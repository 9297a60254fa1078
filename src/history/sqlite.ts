/**
 * The embedded history: one SQLite file (better-sqlite3). WAL lets readers go on while one
 * writer writes; a writer waits for another through SQLite's busy timeout, which is set
 * to what is left of the connection's lock budget before each wait, so all waits of one
 * run add up to the budget at most (the documented 5 s), not 5 s each.
 * better-sqlite3 is synchronous; these methods are async to share one API with PostgreSQL.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { PortolanError } from '../errors.js';
import type { RunResult } from '../model.js';
import { withSourceDefaults } from '../result/legacy.js';
import { splitResult } from '../result/target-records.js';
import { historyError, isHistoryError } from './db.js';
import { SCHEMA_VERSION, SQLITE_V1, schemaV2 } from './schema.js';
import { type Column, LockBudget, type SqlConnection, type SqlValue } from './sql.js';
import { finishRun, insertRun, insertTargets, runStartOf } from './write-run.js';

export interface SqliteOptions {
  /** What `display` names the file in messages. */
  display: string;
  lockTimeoutMs: number;
  /** Fail with HISTORY_MISSING instead of creating the file. */
  mustExist: boolean;
}

/** Index i upgrades user_version i to i + 1. Append only; never edit a released step. */
const MIGRATIONS: ((conn: SqlConnection) => Promise<void>)[] = [(conn) => conn.exec(SQLITE_V1), migrateToV2];

export async function openSqlite(path: string, opts: SqliteOptions): Promise<SqlConnection> {
  if (opts.mustExist && path !== ':memory:' && !existsSync(path)) {
    throw historyError('HISTORY_MISSING', opts.display, 'does not exist yet; run a plan first');
  }
  const budget = new LockBudget(opts.lockTimeoutMs);
  let db: Database.Database | undefined;
  try {
    if (!opts.mustExist && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: budget.remainingMs });
    const conn = new SqliteConnection(db, budget, opts.display);
    await budget.spend(() => db?.pragma('journal_mode = WAL'));
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    await conn.migrate();
    return conn;
  } catch (err) {
    db?.close();
    throw sqliteError(err, opts.display);
  }
}

class SqliteConnection implements SqlConnection {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly budget: LockBudget,
    private readonly display: string,
  ) {}

  async all<T>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    return this.guard(() => this.prepare(sql).all(...params) as T[]);
  }

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    this.guard(() => this.prepare(sql).run(...params));
  }

  async exec(script: string): Promise<void> {
    this.guard(() => this.db.exec(script));
  }

  async insertMany(table: string, columns: readonly Column[], rows: SqlValue[][]): Promise<void> {
    const names = columns.map((c) => c.name);
    const insert = this.prepare(
      `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
    );
    this.guard(() => {
      for (const row of rows) insert.run(...row);
    });
  }

  async write<T>(fn: () => Promise<T>): Promise<T> {
    await this.begin();
    try {
      const result = await fn();
      this.guard(() => this.db.exec('COMMIT'));
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /** Bring the file to SCHEMA_VERSION; the write lock is taken only when a step is due. */
  async migrate(): Promise<void> {
    const version = () => this.db.pragma('user_version', { simple: true }) as number;
    if (version() === SCHEMA_VERSION) return;
    await this.write(async () => {
      const from = version();
      if (from > SCHEMA_VERSION) {
        throw historyError(
          'HISTORY_NEWER_SCHEMA',
          this.display,
          `schema version ${from} is newer than this portolan understands (${SCHEMA_VERSION}); upgrade portolan or use --history with another file`,
        );
      }
      for (let v = from; v < SCHEMA_VERSION; v++) await MIGRATIONS[v]?.(this);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    });
  }

  /** BEGIN IMMEDIATE takes the write lock now, waiting at most what is left of the budget. */
  private async begin(): Promise<void> {
    this.db.pragma(`busy_timeout = ${Math.floor(this.budget.remainingMs)}`);
    await this.budget.spend(() => this.guard(() => this.db.exec('BEGIN IMMEDIATE')));
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.guard(() => this.db.prepare(sql));
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw sqliteError(err, this.display);
    }
  }
}

/**
 * Version 1 kept each run as one JSON string (`result_json`), which V8 cannot build past
 * about 8,000 targets. Version 2 keeps a header, one record per target and verdict rows
 * with the role and order diff needs; every stored run is carried over under its own id.
 */
async function migrateToV2(conn: SqlConnection): Promise<void> {
  await conn.exec(`DROP INDEX runs_by_plan;
    DROP INDEX verdicts_by_run;
    ALTER TABLE expectation_verdicts RENAME TO expectation_verdicts_v1;
    ALTER TABLE runs RENAME TO runs_v1;
    ${schemaV2('sqlite')}`);
  // One run in memory at a time.
  const ids = await conn.all<{ id: number }>('SELECT id FROM runs_v1 ORDER BY id');
  for (const { id } of ids) {
    const [old] = await conn.all<{ plan: string; plan_file: string | null; result_json: string }>(
      'SELECT plan, plan_file, result_json FROM runs_v1 WHERE id = ?',
      [id],
    );
    if (!old) continue;
    const { header, records } = splitResult(withSourceDefaults(JSON.parse(old.result_json) as RunResult));
    await insertRun(conn, runStartOf(header, { name: old.plan, file: old.plan_file }), id);
    await insertTargets(conn, id, records, { ordinal: 0, seq: 0 });
    await finishRun(conn, id, header, records.length);
  }
  await conn.exec('DROP TABLE expectation_verdicts_v1; DROP TABLE runs_v1;');
}

/** Map SQLite's error codes to ours, with a sentence that says what to do. */
function sqliteError(err: unknown, display: string): PortolanError {
  if (isHistoryError(err)) return err;
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message ?? String(err);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return historyError('HISTORY_LOCKED', display, `locked by another process (${message}); try again later`, err);
  }
  return historyError('HISTORY_UNREADABLE', display, `cannot be used (${code || 'error'}: ${message})`, err);
}
