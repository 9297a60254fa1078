/**
 * A real PostgreSQL server for tests: a new cluster (initdb) in a temp directory, listening
 * on 127.0.0.1 at a free port and on a socket in that directory, run as an unprivileged
 * user (`postgres` through runuser when the tests run as root, since the server refuses
 * root), stopped and deleted by `stop()` or, at the latest, when the test process exits.
 * Needs the Debian `postgresql` package (CI installs it); without it the suite says why it
 * skips, and under CI on Linux it fails instead of skipping.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  /** A URL for database `name` as the cluster's superuser. */
  url(name: string): string;
  /** Create a new empty database; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Run SQL in database `name` (test setup and inspection). */
  query<T extends pg.QueryResultRow>(name: string, sql: string, params?: unknown[]): Promise<T[]>;
  stop(): void;
}

const SUPERUSER = 'portolan';

/** The newest PostgreSQL server's bin directory Debian installed, or null. */
function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** Why a real server cannot be had here, or null when it can. */
export function postgresUnavailable(): string | null {
  if (process.platform === 'win32' || process.platform === 'darwin') {
    return `PostgreSQL tests run on Linux only (Debian's postgresql package); this is ${process.platform}`;
  }
  if (!binDir())
    return 'PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (apt-get install postgresql)';
  if (process.getuid?.() === 0 && !userExists('postgres')) {
    return 'running as root and there is no "postgres" user to run the server as (apt-get install postgresql makes it)';
  }
  return null;
}

/**
 * Start a throwaway cluster, or throw why not. Call `postgresUnavailable()` first to skip
 * with a reason; under CI a missing server is a failure, not a skip.
 */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<TestPostgres> {
  const bin = binDir();
  if (!bin) throw new Error(postgresUnavailable() ?? 'no PostgreSQL');
  const dir = mkdtempSync(join(tmpdir(), 'portolan-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: string[]) => {
    const command = asRoot ? 'runuser' : join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    return execFileSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, cwd: dir });
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const stop = () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Not started, or already stopped.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', SUPERUSER, '--no-sync', '-E', 'UTF8', '--locale=C']);
    const port = await freePort();
    const settings = [
      'listen_addresses=127.0.0.1',
      `port=${port}`,
      `unix_socket_directories=${dir}`,
      'max_connections=60',
      // A throwaway cluster for tests: durability is not under test, speed is welcome. A
      // benchmark keeps PostgreSQL's defaults.
      ...(opts.durable ? [] : ['fsync=off', 'full_page_writes=off']),
    ];
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      settings.map((s) => `-c ${s}`).join(' '),
      'start',
    ]);
    const url = (name: string) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${name}`;
    const query = async <T extends pg.QueryResultRow>(name: string, sql: string, params: unknown[] = []) => {
      const client = new pg.Client({ connectionString: url(name) });
      await client.connect();
      try {
        return (await client.query<T>(sql, params)).rows;
      } finally {
        await client.end();
      }
    };
    return {
      url,
      async createDatabase(name: string) {
        await query('postgres', `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
        return url(name);
      },
      query,
      stop() {
        process.removeListener('exit', stop);
        stop();
      },
    };
  } catch (err) {
    const log = join(dir, 'server.log');
    const detail = existsSync(log) ? `\n${readFileSync(log, 'utf8').slice(-2000)}` : '';
    stop();
    throw new Error(`could not start PostgreSQL: ${(err as Error).message}${detail}`);
  }
}

function userExists(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * In a `before` hook: a started server, or `this.skip()` with the reason printed. Under CI
 * on Linux (packages installed by .ci/run) a missing server fails the suite instead.
 */
export async function postgresOrSkip(ctx: Mocha.Context): Promise<TestPostgres> {
  const why = postgresUnavailable();
  if (why) {
    // CI installs the server on Linux (.ci/postgres-deps.sh, the GitHub workflow): missing there is a failure.
    if (process.env.CI && process.platform === 'linux') throw new Error(`PostgreSQL is required under CI: ${why}`);
    console.log(`      (skipped: ${why})`);
    ctx.skip();
  }
  return startPostgres();
}
