// `npm run bench` (history part; alone: `npm run bench:history`): the run history at scale.
// A synthetic run of 10,000 targets x 40 port rows (400,000 verdict rows, 530,000
// observations) is recorded twice, the second time as `portolan run` records it (previous
// run found, stored in batches, diffed in SQL), then diffed, listed and read back: in SQLite,
// and in PostgreSQL when its server binaries are installed (a throwaway cluster with
// PostgreSQL's default durability, on 127.0.0.1). Each backend runs in its own process, so
// the peak RSS is that backend's. Run from a built tree (npm run bench builds first).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { postgresUnavailable, startPostgres } from '../support/postgres.js';

const exec = promisify(execFile);
const TARGETS = Number(process.env.BENCH_HISTORY_TARGETS ?? 10_000);
const ROWS = 40;
const CHILD = join(import.meta.dirname, 'history-bench-child.mjs');

interface Figures {
  insertMs: number;
  recordMs: number;
  diffMs: number;
  changes: number;
  listMs: number;
  latestMs: number;
  streamMs: number;
  readMs: number;
  sizeMiB: number | null;
  rssWithRunMiB: number;
  peakInsertRssMiB: number;
  peakRssMiB: number;
}

async function measure(location: string): Promise<Figures> {
  const { stdout } = await exec(process.execPath, ['--expose-gc', CHILD, location, String(TARGETS), String(ROWS)], {
    timeout: 900_000,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Figures;
}

const results: [string, Figures][] = [];
const dir = mkdtempSync(join(tmpdir(), 'portolan-bench-history-'));
try {
  results.push(['SQLite', await measure(join(dir, 'history.db'))]);
  const why = postgresUnavailable();
  if (why) {
    console.log(`history bench: PostgreSQL skipped: ${why}`);
  } else {
    const pg = await startPostgres({ durable: true });
    try {
      const figures = await measure(await pg.createDatabase('bench'));
      const [row] = await pg.query<{ bytes: string }>(
        'bench',
        "SELECT sum(pg_total_relation_size(oid))::text AS bytes FROM pg_class WHERE relname IN ('runs', 'run_targets', 'expectation_verdicts')",
      );
      figures.sizeMiB = Math.round(Number(row?.bytes ?? 0) / 2 ** 20);
      results.push(['PostgreSQL', figures]);
    } finally {
      pg.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`\nhistory: ${TARGETS} targets x ${ROWS} rows per run (${TARGETS * ROWS} verdict rows), two runs`);
console.log(
  'backend     insert  record+diff  diff    changes  history  latest/source  stream  read whole  size     RSS: run in memory  peak insert  peak (read whole)',
);
for (const [name, f] of results) {
  console.log(
    [
      name.padEnd(10),
      s(f.insertMs).padStart(7),
      s(f.recordMs).padStart(12),
      s(f.diffMs).padStart(7),
      String(f.changes).padStart(8),
      `${f.listMs} ms`.padStart(8),
      `${f.latestMs} ms`.padStart(14),
      s(f.streamMs).padStart(7),
      s(f.readMs).padStart(11),
      `${f.sizeMiB} MiB`.padStart(8),
      `${f.rssWithRunMiB} MiB`.padStart(19),
      `${f.peakInsertRssMiB} MiB`.padStart(12),
      `${f.peakRssMiB} MiB`.padStart(18),
    ].join(' '),
  );
}
