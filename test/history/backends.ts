/**
 * The two history backends as the shared test suite sees them: a way to get a fresh, empty
 * history location, and to make one look like a newer portolan wrote it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../../src/history/schema.js';
import { postgresOrSkip, type TestPostgres } from '../support/postgres.js';

export interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  /** In `before`: get ready, once (PostgreSQL skips with the reason where no server can run). */
  setUp(ctx: Mocha.Context): Promise<void>;
  /** A new, empty history location (file path or URL). */
  fresh(): Promise<string>;
  /** Make the history at `location` look written by a newer portolan. */
  bumpVersion(location: string): Promise<void>;
  /** The schema version the history at `location` records. */
  version(location: string): Promise<number>;
  tearDown(): Promise<void>;
}

export function sqliteBackend(): Backend {
  let dir = '';
  let n = 0;
  return {
    name: 'SQLite',
    async setUp() {
      dir ||= mkdtempSync(join(tmpdir(), 'portolan-history-'));
    },
    async fresh() {
      return join(dir, `history-${++n}.db`);
    },
    async bumpVersion(location) {
      const db = new Database(location);
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      db.close();
    },
    async version(location) {
      const db = new Database(location, { readonly: true });
      try {
        return db.pragma('user_version', { simple: true }) as number;
      } finally {
        db.close();
      }
    },
    async tearDown() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = '';
    },
  };
}

export function postgresBackend(): Backend & { server(): TestPostgres } {
  let pg: TestPostgres | null = null;
  let n = 0;
  const server = () => {
    if (!pg) throw new Error('PostgreSQL is not started');
    return pg;
  };
  const database = (location: string) => new URL(location).pathname.slice(1);
  return {
    name: 'PostgreSQL',
    server,
    async setUp(ctx) {
      pg ??= await postgresOrSkip(ctx);
    },
    async fresh() {
      return server().createDatabase(`history_${process.pid}_${++n}`);
    },
    async bumpVersion(location) {
      await server().query(database(location), 'INSERT INTO portolan_schema_migrations (version) VALUES ($1)', [
        SCHEMA_VERSION + 1,
      ]);
    },
    async version(location) {
      const name = database(location);
      const [table] = await server().query<{ t: string | null }>(
        name,
        "SELECT to_regclass('portolan_schema_migrations')::text AS t",
      );
      if (!table?.t) return 0;
      const rows = await server().query<{ v: number }>(
        name,
        'SELECT max(version) AS v FROM portolan_schema_migrations',
      );
      return rows[0]?.v ?? 0;
    },
    async tearDown() {
      pg?.stop();
      pg = null;
    },
  };
}
