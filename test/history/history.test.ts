import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { PortolanError } from '../../src/errors.js';
import { isHistoryError, SCHEMA_VERSION } from '../../src/history/db.js';
import { diffRuns } from '../../src/history/diff.js';
import { recordRun } from '../../src/history/record-run.js';
import { HistoryStore } from '../../src/history/store.js';
import type { ProbeState, RunResult } from '../../src/model.js';
import { stubRunCheck } from '../plan/stub-check.js';

const run = promisify(execFile);

async function resultWith(states: Record<string, ProbeState>, at: string): Promise<RunResult> {
  const { runCheck } = stubRunCheck(
    (t, spec) => states[`${t} ${spec}`] ?? 'open',
    () => new Date(at),
  );
  return runCheck({
    targets: [
      { name: 'dc1.test', origin: 'test' },
      { name: 'dc2.test', origin: 'test' },
    ],
    roles: [],
    services: [],
    ports: ['88/tcp', '389/tcp', '445/tcp'],
    options: {},
    commandLine: [],
  });
}

function openError(fn: () => unknown): PortolanError {
  try {
    fn();
  } catch (err) {
    expect(isHistoryError(err), String(err)).to.equal(true);
    return err as PortolanError;
  }
  throw new Error('expected a history error');
}

describe('run history (SQLite)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-history-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records three runs and detects drift: newly failing, then recovered', async () => {
    const db = join(dir, 'sub', 'history.db');
    const plan = { name: 'nightly', file: '/plans/nightly.yaml' };
    const r1 = await resultWith({}, '2026-11-24T02:00:00Z');
    const r2 = await resultWith({ 'dc2.test 389/tcp': 'filtered' }, '2026-11-25T02:00:00Z');
    const r3 = await resultWith({ 'dc2.test 445/tcp': 'open|filtered' }, '2026-11-26T02:00:00Z');

    const first = recordRun(db, r1, plan);
    expect(first).to.deep.include({ id: 1, previous: null, diff: null, error: null });

    const second = recordRun(db, r2, plan);
    expect(second.previous?.status).to.equal('compliant');
    expect(second.diff?.statusChanged).to.equal(true);
    expect(second.diff?.changes).to.have.length(1);
    expect(second.diff?.changes[0]).to.deep.include({
      kind: 'newly-failing',
      target: 'dc2.test',
      expectation: 'adhoc/389/tcp',
      before: 'pass',
      after: 'fail',
    });
    expect(second.diff?.changes[0]?.explanation).to.match(/389\/tcp.*filtered/);

    const third = recordRun(db, r3, plan);
    expect(third.diff?.counts).to.deep.equal({ 'newly-failing': 0, recovered: 1, changed: 1, added: 0, removed: 0 });
    expect(third.diff?.changes.map((c) => [c.kind, c.expectation, c.before, c.after])).to.deep.equal([
      ['recovered', 'adhoc/389/tcp', 'fail', 'pass'],
      ['changed', 'adhoc/445/tcp', 'pass', 'inconclusive'],
    ]);

    const store = HistoryStore.open(db, { mustExist: true });
    try {
      const runs = store.list({ plan: 'nightly' });
      expect(runs.map((r) => [r.id, r.status, r.counts.fail])).to.deep.equal([
        [3, 'inconclusive', 0],
        [2, 'non-compliant', 1],
        [1, 'compliant', 0],
      ]);
      expect(runs[0]?.planFile).to.equal('/plans/nightly.yaml');
      expect(store.latest('nightly', 3)?.id).to.equal(2);
      expect(store.result(2)).to.deep.equal(r2);
    } finally {
      store.close();
    }
  });

  it('diffRuns reports expectations that appear and disappear', async () => {
    const a = await resultWith({}, '2026-11-24T02:00:00Z');
    const b = { ...a, verdicts: { ...a.verdicts, expectations: a.verdicts.expectations.slice(1) } };
    const d = diffRuns(a, b);
    expect(d.counts.removed).to.equal(1);
    expect(diffRuns(b, a).counts.added).to.equal(1);
    expect(diffRuns(a, a).changes).to.deep.equal([]);
  });

  it('two processes writing at once lose nothing and leave a sound database', async function () {
    this.timeout(60_000);
    const db = join(dir, 'history.db');
    const writer = join(import.meta.dirname, 'writer.ts');
    await Promise.all(
      ['a', 'b'].map((plan) => run(process.execPath, ['--import=tsx', writer, db, '25', plan], { timeout: 50_000 })),
    );
    const check = new Database(db, { readonly: true });
    try {
      expect(check.pragma('integrity_check', { simple: true })).to.equal('ok');
      const rows = check.prepare('SELECT plan, count(*) AS n FROM runs GROUP BY plan ORDER BY plan').all();
      expect(rows).to.deep.equal([
        { plan: 'a', n: 25 },
        { plan: 'b', n: 25 },
      ]);
      expect(check.pragma('journal_mode', { simple: true })).to.equal('wal');
    } finally {
      check.close();
    }
  });

  it('a database from a newer portolan is refused and left unchanged', () => {
    const db = join(dir, 'history.db');
    HistoryStore.open(db).close();
    const raw = new Database(db);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const err = openError(() => HistoryStore.open(db));
    expect(err.code).to.equal('HISTORY_NEWER_SCHEMA');
    expect(err.message).to.match(/schema version 2 is newer than this portolan understands \(1\)/);
    const again = new Database(db, { readonly: true });
    expect(again.pragma('user_version', { simple: true })).to.equal(SCHEMA_VERSION + 1);
    again.close();
  });

  it('a file that is not a database is HISTORY_UNREADABLE, and recordRun reports it instead of throwing', async () => {
    const db = join(dir, 'history.db');
    writeFileSync(db, 'this is not sqlite, it is a text file that is long enough to have a header '.repeat(10));
    expect(openError(() => HistoryStore.open(db)).code).to.equal('HISTORY_UNREADABLE');
    const outcome = recordRun(db, await resultWith({}, '2026-11-24T02:00:00Z'), { name: 'p', file: null });
    expect(outcome.id).to.equal(null);
    expect(outcome.error?.code).to.equal('HISTORY_UNREADABLE');
  });

  it('a database another process holds locked is HISTORY_LOCKED after the busy timeout, and left intact', () => {
    const db = join(dir, 'history.db');
    HistoryStore.open(db).close();
    const holder = new Database(db);
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const started = Date.now();
      const err = openError(() => HistoryStore.open(db, { busyTimeoutMs: 200 }));
      expect(err.code).to.equal('HISTORY_LOCKED');
      expect(Date.now() - started).to.be.within(150, 5000);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const store = HistoryStore.open(db);
    expect(store.list()).to.deep.equal([]);
    store.close();
  });

  it('read-only commands do not create a database', () => {
    expect(openError(() => HistoryStore.open(join(dir, 'none.db'), { mustExist: true })).code).to.equal(
      'HISTORY_MISSING',
    );
  });
});
