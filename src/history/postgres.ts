/**
 * The shared history: a PostgreSQL database (`--history postgres://user@host/db`) that many
 * agents write at once. Runs never contend: each writer inserts its own rows. Schema
 * steps do, when several agents meet a new database together, so they run under a
 * transaction-scoped advisory lock, and each agent re-reads the version once it holds it.
 * Tables go where the connection's search_path says (`?options=-c search_path=portolan`).
 */
import pg from 'pg';
import type { PortolanError } from '../errors.js';
import { historyError, isHistoryError } from './db.js';
import { SCHEMA_VERSION, schemaV2 } from './schema.js';
import { type Column, LockBudget, type SqlConnection, type SqlValue } from './sql.js';

export interface PostgresOptions {
  /** The URL with its password masked, for messages. */
  display: string;
  lockTimeoutMs: number;
  /** Fail with HISTORY_MISSING instead of creating the tables. */
  mustExist: boolean;
  /** @default 10000 */
  connectTimeoutMs?: number;
}

/** pg_advisory_xact_lock key of schema migrations: "portolan" in ASCII. */
const MIGRATION_LOCK = '8101745283986669934';

/** Schema steps by the version they bring the database to. Append only. */
const MIGRATIONS: { version: number; up: (conn: SqlConnection) => Promise<void> }[] = [
  { version: 2, up: (conn) => conn.exec(schemaV2('postgres')) },
];

/** Rows per INSERT ... SELECT FROM unnest(...): one array parameter per column. */
const BATCH_ROWS = 5000;

export async function openPostgres(url: string, opts: PostgresOptions): Promise<SqlConnection> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    application_name: 'portolan',
    // A server that stops answering must not hang a run: no single statement takes this long.
    query_timeout: 300_000,
    types: { getTypeParser: typeParser },
  });
  const conn = new PostgresConnection(client, new LockBudget(opts.lockTimeoutMs), opts.display);
  try {
    await client.connect();
    await conn.migrate(opts.mustExist);
    return conn;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw postgresError(err, opts.display);
  }
}

class PostgresConnection implements SqlConnection {
  readonly dialect = 'postgres' as const;
  /** An error the server or network raised between queries (reported by the next one). */
  private lost: unknown = null;

  constructor(
    private readonly client: pg.Client,
    private readonly budget: LockBudget,
    private readonly display: string,
  ) {
    client.on('error', (err) => {
      this.lost = err;
    });
  }

  async all<T>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    return (await this.query(numbered(sql), params.map(textSafe))).rows as T[];
  }

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    await this.query(numbered(sql), params.map(textSafe));
  }

  async exec(script: string): Promise<void> {
    await this.query(script, []);
  }

  async insertMany(table: string, columns: readonly Column[], rows: SqlValue[][]): Promise<void> {
    const names = columns.map((c) => c.name).join(', ');
    const arrays = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
    const sql = `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays})`;
    for (let from = 0; from < rows.length; from += BATCH_ROWS) {
      const batch = rows.slice(from, from + BATCH_ROWS);
      await this.query(
        sql,
        columns.map((_, i) => batch.map((row) => textSafe(row[i] ?? null))),
      );
    }
  }

  async write<T>(fn: () => Promise<T>): Promise<T> {
    await this.query('BEGIN', []);
    try {
      // 0 would mean "wait forever": a spent budget still fails at once.
      await this.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(this.budget.remainingMs))}`, []);
      const result = await fn();
      await this.query('COMMIT', []);
      return result;
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  /** Bring the database to SCHEMA_VERSION; only an agent that finds a step due takes the lock. */
  async migrate(mustExist: boolean): Promise<void> {
    const before = await this.version();
    if (before === SCHEMA_VERSION) return;
    this.refuseNewer(before);
    if (before === 0 && mustExist) {
      throw historyError('HISTORY_MISSING', this.display, 'has no portolan history yet; run a plan first');
    }
    await this.write(async () => {
      await this.budget.spend(() => this.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]));
      await this.exec(`CREATE TABLE IF NOT EXISTS portolan_schema_migrations (
        version INTEGER PRIMARY KEY,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const now = await this.version();
      this.refuseNewer(now);
      for (const step of MIGRATIONS) {
        if (step.version <= now) continue;
        await step.up(this);
        await this.run('INSERT INTO portolan_schema_migrations (version) VALUES (?)', [step.version]);
      }
    });
  }

  private async version(): Promise<number> {
    const exists = await this.all<{ name: string | null }>(
      "SELECT to_regclass('portolan_schema_migrations')::text AS name",
    );
    if (!exists[0]?.name) return 0;
    const [row] = await this.all<{ version: number | null }>(
      'SELECT max(version) AS version FROM portolan_schema_migrations',
    );
    return row?.version ?? 0;
  }

  private refuseNewer(version: number): void {
    if (version > SCHEMA_VERSION) {
      throw historyError(
        'HISTORY_NEWER_SCHEMA',
        this.display,
        `schema version ${version} is newer than this portolan understands (${SCHEMA_VERSION}); upgrade portolan or use another database`,
      );
    }
  }

  private async query(sql: string, params: unknown[]): Promise<pg.QueryResult> {
    if (this.lost) throw postgresError(this.lost, this.display);
    try {
      return await this.client.query(sql, params);
    } catch (err) {
      throw postgresError(err, this.display);
    }
  }
}

/** BIGINT (ids, durations, counts) as numbers: the history's stay far below 2^53. */
const typeParser = ((oid: number, format?: 'text' | 'binary') =>
  oid === pg.types.builtins.INT8
    ? Number
    : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'];

/** `?` placeholders numbered for PostgreSQL ($1, $2 ...). The history's SQL has no `?` in literals. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** PostgreSQL text cannot hold NUL; untrusted strings (evidence in explanations) may. */
function textSafe(value: SqlValue): SqlValue {
  return typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);

/** Map PostgreSQL's SQLSTATEs and connection failures to ours, with what to do. */
function postgresError(err: unknown, display: string): PortolanError {
  if (isHistoryError(err)) return err;
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message ?? String(err);
  if (code === '55P03') {
    return historyError('HISTORY_LOCKED', display, `locked by another writer (${message}); try again later`, err);
  }
  if (UNREACHABLE.has(code) || /timeout|terminated/i.test(message)) {
    return historyError(
      'HISTORY_UNREACHABLE',
      display,
      `cannot reach the server (${code || 'error'}: ${message})`,
      err,
    );
  }
  return historyError('HISTORY_UNREADABLE', display, `cannot be used (${code || 'error'}: ${message})`, err);
}
