/**
 * The little the history needs from a database, implemented once for SQLite
 * (better-sqlite3) and once for PostgreSQL (pg), so the history's queries are written once.
 * SQL uses `?` placeholders; the PostgreSQL side numbers them.
 */

export type Dialect = 'sqlite' | 'postgres';

export type SqlValue = string | number | Buffer | null;

/** A column of a batched insert; the type matters to PostgreSQL only. */
export interface Column {
  name: string;
  type: 'text' | 'integer' | 'bigint' | 'bytea';
}

export interface SqlConnection {
  readonly dialect: Dialect;
  /** Rows of one query. */
  all<T>(sql: string, params?: SqlValue[]): Promise<T[]>;
  /** One statement, no rows. */
  run(sql: string, params?: SqlValue[]): Promise<void>;
  /** Several statements without parameters (schema steps). */
  exec(script: string): Promise<void>;
  /** Many rows into one table, in as few statements as the backend allows. */
  insertMany(table: string, columns: readonly Column[], rows: SqlValue[][]): Promise<void>;
  /**
   * `fn` in one write transaction. Waiting for other writers spends the connection's lock
   * budget; once it is spent, the next wait ends in HISTORY_LOCKED.
   */
  write<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * How long a connection may still wait, in all, for other writers. One connection records
 * one run, so this is the most a run's recording waits, as documented.
 */
export class LockBudget {
  private spentMs = 0;

  constructor(readonly totalMs: number) {}

  get remainingMs(): number {
    return Math.max(0, this.totalMs - this.spentMs);
  }

  /** Time `wait` took is spent, whether it got the lock or not. */
  async spend<T>(wait: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    try {
      return await wait();
    } finally {
      this.spentMs += performance.now() - started;
    }
  }
}
