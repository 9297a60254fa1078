/**
 * The run history, one suite over both backends: SQLite (the default file) and a real
 * PostgreSQL server the suite starts in a temp directory. Then what only one backend has
 * (SQLite's lock budget and its migration from version 1; PostgreSQL's advisory lock),
 * and finally the same fleet of runs read from both must agree.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import pg from 'pg';
import { isPortolanError, type PortolanError } from '../../src/errors.js';
import { mergeFleet } from '../../src/fleet/merge.js';
import type { FleetView } from '../../src/fleet/types.js';
import { isHistoryError } from '../../src/history/db.js';
import { diffRuns, type RunDiff } from '../../src/history/diff.js';
import { HISTORY_ENV } from '../../src/history/location.js';
import { recordRun } from '../../src/history/record-run.js';
import { SCHEMA_VERSION } from '../../src/history/schema.js';
import { History, type StoredRun } from '../../src/history/store.js';
import type { ExpectationVerdict, ProbeState, RunResult } from '../../src/model.js';
import { renderers } from '../../src/report/index.js';
import { splitResult } from '../../src/result/target-records.js';
import { syntheticRun } from '../bench/synthetic-run.mjs';
import { withoutOrigins } from '../fleet/fleet-results.js';
import { stubRunCheck } from '../plan/stub-check.js';
import { loadFixture } from '../report/fixtures.js';
import { runCli } from '../support/cli.js';
import { type Backend, postgresBackend, sqliteBackend } from './backends.js';
import { fleetRun } from './fleet-run.js';

const exec = promisify(execFile);
const WRITER = join(import.meta.dirname, 'writer.ts');
const AGENTS = Array.from({ length: 8 }, (_, i) => `agent-${i}`);
const RUNS_PER_AGENT = 20;

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

function interrupted(result: RunResult): RunResult {
  result.run.incomplete = true;
  result.run.incompleteReason = 'stopped before every probe finished (interrupt or abort)';
  return result;
}

async function historyError(fn: () => Promise<unknown>): Promise<PortolanError> {
  try {
    await fn();
  } catch (err) {
    expect(isHistoryError(err), String(err)).to.equal(true);
    return err as PortolanError;
  }
  throw new Error('expected a history error');
}

async function withOpen<T>(location: string, fn: (h: History) => Promise<T>): Promise<T> {
  const history = await History.open(location);
  try {
    return await fn(history);
  } finally {
    await history.close();
  }
}

/** Run ids of the fleet per backend: `agent -> ids in run order`, for the cross-backend check. */
const fleets = new Map<Backend['name'], { location: string; ids: Map<string, number[]> }>();

const sqlite = sqliteBackend();
const postgres = postgresBackend();
const backends: Backend[] = [sqlite, postgres];

describe('run history', () => {
  // Both backends stay up until the end: the last suites read what the first ones wrote.
  after(async () => {
    await sqlite.tearDown();
    await postgres.tearDown();
  });

  for (const backend of backends) {
    describe(`over ${backend.name}`, function () {
      this.timeout(60_000);
      before(async function () {
        this.timeout(120_000);
        await backend.setUp(this);
      });

      it('records runs, reads them back exactly, and says what changed since the previous run', async () => {
        const db = await backend.fresh();
        const plan = { name: 'nightly', file: '/plans/nightly.yaml' };
        const r1 = await resultWith({}, '2026-11-24T02:00:00Z');
        const r2 = await resultWith({ 'dc2.test 389/tcp': 'filtered' }, '2026-11-25T02:00:00Z');
        const r3 = await resultWith({ 'dc2.test 445/tcp': 'open|filtered' }, '2026-11-26T02:00:00Z');

        expect(await recordRun(db, r1, plan)).to.deep.include({ id: 1, previous: null, diff: null, error: null });
        expect(r1.changes).to.equal(undefined);

        const second = await recordRun(db, r2, plan);
        expect(second.previous?.id).to.equal(1);
        expect(second.diff?.statusChanged).to.equal(true);
        expect(second.diff?.changes.map((c) => [c.kind, c.target, c.expectation, c.before, c.after])).to.deep.equal([
          ['newly-failing', 'dc2.test', 'adhoc/389/tcp', 'pass', 'fail'],
        ]);
        expect(second.diff?.changes[0]?.explanation).to.match(/389\/tcp.*filtered/);
        expect(r2.changes?.since).to.equal(r1.run.startedAt);
        expect(r2.changes?.items).to.have.length(1);

        const third = await recordRun(db, r3, plan);
        expect(third.diff?.counts).to.deep.equal({
          'newly-failing': 0,
          recovered: 1,
          changed: 1,
          added: 0,
          removed: 0,
        });

        await withOpen(db, async (h) => {
          const runs = await h.list({ plan: 'nightly' });
          expect(runs.map((r) => [r.id, r.status, r.counts.fail, r.state, r.targets])).to.deep.equal([
            [3, 'inconclusive', 0, 'complete', 2],
            [2, 'non-compliant', 1, 'complete', 2],
            [1, 'compliant', 0, 'complete', 2],
          ]);
          expect(runs[0]).to.include({
            planFile: '/plans/nightly.yaml',
            sourceName: 'probe.test',
            sourceHost: 'probe.test',
          });
          expect((await h.latest({ plan: 'nightly', beforeId: 3 }))?.id).to.equal(2);
          // Byte for byte: the JSON a report would be rendered from is the one that was recorded.
          expect(JSON.stringify(await h.result(2))).to.equal(JSON.stringify(r2));
          expect(await h.result(99)).to.equal(null);
        });
      });

      it("stores each target's root causes with its record; report --run renders them as the saved file does", async () => {
        const db = await backend.fresh();
        const result = loadFixture('three-targets');
        const causes = result.verdicts.rootCauses ?? [];
        expect(causes.filter((c) => c.severity === 'outage').map((c) => c.target)).to.include('dc3.corp.example');
        const id = await withOpen(db, async (h) => {
          const { id } = await h.record(result, { name: 'dcs', file: null });
          const records = [];
          for await (const record of h.targets(id)) records.push(record);
          // dc3 is the third target: its one root cause indexes its own 38 observations, not the run's.
          const dc3 = records[2]?.verdicts.rootCauses;
          expect(dc3?.map((c) => c.id)).to.deep.equal(['dc3.corp.example host']);
          expect(Math.max(...(dc3?.[0]?.observations ?? []))).to.be.lessThan(records[2]?.observations.length ?? 0);
          expect((await h.result(id))?.verdicts.rootCauses).to.deep.equal(causes);
          return id;
        });
        const md = await runCli(['report', '--run', String(id), '--history', db, '--format', 'md']);
        expect(md.code, md.stderr).to.equal(0);
        const unstamped = (text: string) => text.replace(/Rendered \S+Z/, 'Rendered (time)');
        expect(unstamped(md.stdout)).to.equal(unstamped(renderers.md(result)));
        expect(md.stdout).to.include('#### Root causes: 5 to fix on 2 target(s)');
        const table = await runCli(['report', '--run', 'latest', '--history', db]);
        expect(table.stdout).to.equal(renderers.table(result));
      });

      it('diffs two stored runs in SQL exactly as diffRuns does in memory (added, removed, blocked rows)', async () => {
        const a = syntheticRun({ targets: 30, rows: 12, variant: 0 });
        const b = syntheticRun({ targets: 30, rows: 12, variant: 4, startedAt: '2026-11-27T02:00:00.000Z' });
        // b loses one expectation of host00001, gains one on host00002, and judges a blocked row there.
        const lost = b.verdicts.expectations.findIndex((v) => v.target === 'host00001.corp.example');
        b.verdicts.expectations.splice(lost, 1);
        const last = b.verdicts.expectations.findLastIndex((v) => v.target === 'host00002.corp.example');
        const template = b.verdicts.expectations[last];
        if (!template) throw new Error('no verdict to copy');
        b.verdicts.expectations.splice(
          last + 1,
          0,
          { ...template, expectation: 'domain-controller/extra/tcp/9999', status: 'inconclusive' },
          { ...template, negative: true, status: 'fail', explanation: 'answered though it must be blocked' },
        );
        const db = await backend.fresh();
        await withOpen(db, async (h) => {
          const from = (await h.record(a, { name: 'p', file: null })).id;
          const to = (await h.record(b, { name: 'p', file: null })).id;
          const stored = await h.diff(from, to);
          const expected = diffRuns(a, b);
          expect(expected.counts.removed).to.equal(1);
          expect(expected.counts.added).to.equal(2);
          expect(expected.counts['newly-failing']).to.be.greaterThan(5);
          expect(expected.changes.some((c) => c.negative)).to.equal(true);
          expect(stored).to.deep.equal(expected);
          expect(await h.diff(to, to)).to.deep.include({ changes: [], statusChanged: false });
          const missing = await h.diff(from, 999).then(
            () => null,
            (err: unknown) => err,
          );
          expect(isPortolanError(missing, 'HISTORY_NO_RUN'), String(missing)).to.equal(true);
        });
      });

      it('marks an interrupted run incomplete; the next run compares with the last complete one unless asked', async () => {
        const plan = { name: 'nightly', file: null };
        const r1 = await resultWith({}, '2026-11-24T02:00:00Z');
        const r2 = interrupted(await resultWith({ 'dc1.test 88/tcp': 'filtered' }, '2026-11-25T02:00:00Z'));
        const r3 = await resultWith({ 'dc1.test 88/tcp': 'filtered' }, '2026-11-26T02:00:00Z');
        const db = await backend.fresh();
        await recordRun(db, r1, plan);
        await recordRun(db, r2, plan);
        const third = await recordRun(db, r3, plan);
        expect(third.previous?.id, 'skips the interrupted run 2').to.equal(1);
        expect(third.diff?.counts['newly-failing']).to.equal(1);
        expect(r3.changes?.since).to.equal(r1.run.startedAt);

        const asked = await backend.fresh();
        await recordRun(asked, await resultWith({}, '2026-11-24T02:00:00Z'), plan);
        await recordRun(asked, interrupted(await resultWith({}, '2026-11-25T02:00:00Z')), plan);
        const withIncomplete = await recordRun(asked, await resultWith({}, '2026-11-26T02:00:00Z'), plan, {
          includeIncomplete: true,
        });
        expect(withIncomplete.previous?.id).to.equal(2);

        await withOpen(db, async (h) => {
          expect((await h.list()).map((r) => [r.id, r.state])).to.deep.equal([
            [3, 'complete'],
            [2, 'incomplete'],
            [1, 'complete'],
          ]);
          expect((await h.latest({ beforeId: 3 }))?.id).to.equal(1);
          expect((await h.latest({ beforeId: 3, includeIncomplete: true }))?.id).to.equal(2);
          expect((await h.list({ includeIncomplete: false })).map((r) => r.id)).to.deep.equal([3, 1]);
          expect((await h.result(2))?.run.incomplete).to.equal(true);
        });
      });

      it('answers "the latest complete run of each (plan, source)", with the source labels', async () => {
        const db = await backend.fresh();
        const run = (source: string, minute: number, incomplete = false) => {
          const r = fleetRun(source, minute);
          return incomplete ? interrupted(r) : r;
        };
        await withOpen(db, async (h) => {
          const p1 = { name: 'p1', file: null };
          await h.record(run('agent-1', 1), p1); // 1
          await h.record(run('agent-1', 2), p1); // 2
          await h.record(run('agent-2', 3), p1); // 3
          await h.record(run('agent-1', 4, true), p1); // 4, interrupted
          await h.record(run('agent-1', 5), { name: 'p2', file: null }); // 5
          const pick = (runs: StoredRun[]) => runs.map((r) => [r.plan, r.sourceName, r.id]);
          expect(pick(await h.latestPerSource({ plan: 'p1' }))).to.deep.equal([
            ['p1', 'agent-1', 2],
            ['p1', 'agent-2', 3],
          ]);
          expect(pick(await h.latestPerSource({ plan: 'p1', includeIncomplete: true }))).to.deep.equal([
            ['p1', 'agent-1', 4],
            ['p1', 'agent-2', 3],
          ]);
          expect(pick(await h.latestPerSource())).to.deep.equal([
            ['p1', 'agent-1', 2],
            ['p1', 'agent-2', 3],
            ['p2', 'agent-1', 5],
          ]);
          expect(pick(await h.latestPerSource({ since: run('x', 3).run.startedAt }))).to.deep.equal([
            ['p1', 'agent-2', 3],
            ['p2', 'agent-1', 5],
          ]);
          const [first] = await h.latestPerSource({ plan: 'p1' });
          expect(first?.sourceLabels).to.deep.equal({ site: 'site-agent-1' });
          expect((await h.list({ source: 'agent-2' })).map((r) => r.id)).to.deep.equal([3]);
        });
      });

      it('a run being written is invisible until finished; its targets stream back in order; abandon removes it', async () => {
        const result = syntheticRun({ targets: 25, rows: 8 });
        const { header, records } = splitResult(result);
        const db = await backend.fresh();
        await withOpen(db, async (h) => {
          const start = {
            plan: 'stream',
            planFile: null,
            startedAt: header.run.startedAt,
            source: header.run.source,
            catalogDigest: header.catalog.digest,
            toolVersion: header.tool.version,
          };
          const writer = await h.beginRun(start);
          await writer.add(records.slice(0, 10));
          await writer.add(records.slice(10));
          expect(await h.list()).to.deep.equal([]);
          expect(await h.get(writer.id)).to.equal(null);
          expect(await h.header(writer.id)).to.equal(null);
          expect(await h.latestPerSource()).to.deep.equal([]);
          await writer.finish(header);
          expect((await h.get(writer.id))?.targets).to.equal(25);
          const streamed = [];
          for await (const record of h.targets(writer.id)) streamed.push(record);
          expect(streamed).to.deep.equal(records);
          expect(JSON.stringify(await h.result(writer.id))).to.equal(JSON.stringify(result));

          const dropped = await h.beginRun(start);
          await dropped.add(records.slice(0, 5));
          await dropped.abandon();
          const left = [];
          for await (const record of h.targets(dropped.id)) left.push(record);
          expect(left).to.deep.equal([]);
          expect((await h.list()).map((r) => r.id)).to.deep.equal([writer.id]);
        });
      });

      it('stores a 2,000-target run in batches and rebuilds it exactly', async function () {
        this.timeout(120_000);
        const result = syntheticRun({ targets: 2000, rows: 40 });
        const db = await backend.fresh();
        await withOpen(db, async (h) => {
          const { id } = await h.record(result, { name: 'big', file: null });
          expect(await h.get(id)).to.include({ targets: 2000, status: result.summary.status });
          const back = await h.result(id);
          expect(back?.verdicts.expectations).to.have.length(80_000);
          expect(JSON.stringify(back) === JSON.stringify(result), 'byte-identical JSON').to.equal(true);
        });
      });

      it('the command line reads and writes it through --history or PORTOLAN_HISTORY: run, agent, history, diff, report', async function () {
        this.timeout(60_000);
        const db = await backend.fresh();
        const dir = mkdtempSync(join(tmpdir(), 'portolan-history-cli-'));
        try {
          // Port 1 on loopback is closed: a refused port needs no listener and sends nothing off-host.
          const plan = join(dir, 'plan.yaml');
          writeFileSync(
            plan,
            `version: 1
name: cli
options: { appProbes: false, timeoutMs: 300, retries: 0 }
groups:
  - name: local
    targets: [127.0.0.1]
    blocked: { ports: [1/tcp] }
outputs: { directory: ${JSON.stringify(join(dir, 'out'))}, formats: [json] }
`,
          );
          const first = await runCli(['run', plan, '--history', db, '--print', 'none', '--quiet']);
          expect(first.code, first.stderr).to.equal(0);
          process.env[HISTORY_ENV] = 'postgres://portolan:s3cret@db.invalid/portolan';
          try {
            const help = await runCli(['run', '--help']);
            expect(help.stdout).to.include('$PORTOLAN_HISTORY');
            expect(help.stdout, 'the URL (and its password) stays out of --help').not.to.include('s3cret');
          } finally {
            delete process.env[HISTORY_ENV];
          }
          process.env[HISTORY_ENV] = db;
          try {
            const agent = await runCli(['agent', plan, '--every', '1h', '--max-runs', '1', '--log-format', 'json']);
            expect(agent.code, agent.stderr).to.equal(0);
            expect(JSON.parse(agent.stdout)).to.include({ event: 'run', status: 'compliant', history: null });
            const written = JSON.parse(readFileSync(join(dir, 'out', 'cli.json'), 'utf8')) as RunResult;
            // An interrupted third run (recorded as the run command would after Ctrl-C).
            written.verdicts.expectations[0] = {
              ...(written.verdicts.expectations[0] as ExpectationVerdict),
              status: 'fail',
            };
            await recordRun(db, interrupted(written), { name: 'cli', file: plan });

            const history = await runCli(['history']);
            const lines = history.stdout.trim().split('\n');
            expect(lines[0]).to.match(/^ID\s+STARTED\s+PLAN\s+SOURCE\s+VERDICT\s+PASS/);
            expect(
              lines.slice(1).map((l) =>
                l
                  .split(/\s+/)
                  .slice(0, 1)
                  .concat(l.includes('(incomplete)') ? ['i'] : []),
              ),
            ).to.deep.equal([['3', 'i'], ['2'], ['1']]);
            expect(lines[1]).to.include(written.run.source.name);
            expect((await runCli(['diff'])).stdout).to.equal('run 1 (compliant) -> run 2 (compliant)\nno changes\n');
            const asked = await runCli(['diff', '--include-incomplete']);
            expect(asked.stdout).to.match(/^run 2 \(compliant\) -> run 3 \(\S+\)\nCHANGE/);
            expect(asked.stderr).to.include('run 3 is incomplete');

            const report = await runCli(['report', '--run', 'latest', '--format', 'json']);
            expect(report.code, report.stderr).to.equal(0);
            const fromHistory = JSON.parse(report.stdout) as RunResult;
            expect(fromHistory.run.startedAt).to.equal(written.run.startedAt);
            expect(fromHistory.summary).to.deep.equal(written.summary);
            const table = await runCli(['report', '--run', '3', '--format', 'table']);
            expect(table.stdout).to.include('INCOMPLETE RUN: stopped before every probe finished');
            const none = await runCli(['report', '--run', '42']);
            expect([none.code, none.stderr]).to.deep.equal([2, 'portolan: run 42 is not in the history\n']);
            expect((await runCli(['report'])).code).to.equal(2);
          } finally {
            delete process.env[HISTORY_ENV];
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it('read-only commands do not create a history', async () => {
        const db = await backend.fresh();
        const err = await historyError(() => History.open(db, { mustExist: true }));
        expect(err.code).to.equal('HISTORY_MISSING');
        if (backend.name === 'SQLite') expect(existsSync(db)).to.equal(false);
        else expect(await backend.version(db)).to.equal(0);
      });

      it('a history from a newer portolan is refused and left unchanged', async () => {
        const db = await backend.fresh();
        await withOpen(db, async () => undefined);
        await backend.bumpVersion(db);
        const err = await historyError(() => History.open(db));
        expect(err.code).to.equal('HISTORY_NEWER_SCHEMA');
        expect(err.message).to.include(`schema version ${SCHEMA_VERSION + 1} is newer than this portolan understands`);
        expect(await backend.version(db)).to.equal(SCHEMA_VERSION + 1);
      });

      it(`${AGENTS.length} agents (processes) x ${RUNS_PER_AGENT} runs into one new database: every run there exactly once`, async function () {
        this.timeout(300_000);
        const db = await backend.fresh();
        await Promise.all(
          AGENTS.map((agent) =>
            exec(process.execPath, ['--import=tsx', WRITER, db, agent, String(RUNS_PER_AGENT)], { timeout: 280_000 }),
          ),
        );
        const ids = new Map<string, number[]>();
        await withOpen(db, async (h) => {
          const runs = await h.list();
          expect(runs).to.have.length(AGENTS.length * RUNS_PER_AGENT);
          for (const agent of AGENTS) {
            const mine = runs.filter((r) => r.sourceName === agent).reverse();
            const expected = Array.from({ length: RUNS_PER_AGENT }, (_, i) => fleetRun(agent, i).run.startedAt);
            expect(mine.map((r) => r.startedAt)).to.deep.equal(expected);
            expect(new Set(mine.map((r) => r.state))).to.deep.equal(new Set(['complete']));
            ids.set(
              agent,
              mine.map((r) => r.id),
            );
          }
          const sample = ids.get('agent-3')?.[7] ?? 0;
          const stored = await h.result(sample);
          const expected = fleetRun('agent-3', 7);
          expect(stored?.changes?.since).to.equal(fleetRun('agent-3', 6).run.startedAt);
          delete stored?.changes;
          expect(stored).to.deep.equal(expected);
        });
        if (backend.name === 'PostgreSQL') {
          // Eight agents met an empty database: the schema was created once, under the advisory lock.
          const rows = await postgres
            .server()
            .query(new URL(db).pathname.slice(1), 'SELECT version FROM portolan_schema_migrations');
          expect(rows).to.deep.equal([{ version: SCHEMA_VERSION }]);
        } else {
          const check = new Database(db, { readonly: true });
          expect(check.pragma('integrity_check', { simple: true })).to.equal('ok');
          expect(check.pragma('journal_mode', { simple: true })).to.equal('wal');
          check.close();
        }
        fleets.set(backend.name, { location: db, ids });
      });

      it('a writer killed mid-run (SIGKILL) loses only its unfinished run, which readers never see as finished', async function () {
        this.timeout(120_000);
        const db = await backend.fresh();
        const victim = spawn(process.execPath, ['--import=tsx', WRITER, db, 'agent-9', 'kill'], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        victim.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        const exited = new Promise<NodeJS.Signals | null>((resolve) =>
          victim.on('exit', (_code, signal) => resolve(signal)),
        );
        const begun = await new Promise<number>((resolve, reject) => {
          let out = '';
          victim.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const match = /begun (\d+)/.exec(out);
            if (match) resolve(Number(match[1]));
          });
          void exited.then(() => reject(new Error(`the writer ended before it began its big run: ${stderr}`)));
        });
        // Another agent keeps writing meanwhile.
        const neighbour = exec(process.execPath, ['--import=tsx', WRITER, db, 'agent-8', '5'], { timeout: 100_000 });
        await withOpen(db, async (h) => {
          for (let i = 0; i < 5; i++) {
            expect(await h.get(begun), 'a run being written is not listed').to.equal(null);
            expect((await h.latest({ source: 'agent-9' }))?.id).to.be.lessThan(begun);
          }
        });
        victim.kill('SIGKILL');
        expect(await exited).to.equal('SIGKILL');
        await neighbour;
        await withOpen(db, async (h) => {
          expect(await h.get(begun)).to.equal(null);
          expect(await h.result(begun)).to.equal(null);
          expect((await h.list({ source: 'agent-9' })).map((r) => [r.startedAt, r.state])).to.deep.equal([
            [fleetRun('agent-9', 1).run.startedAt, 'complete'],
            [fleetRun('agent-9', 0).run.startedAt, 'complete'],
          ]);
          expect((await h.latestPerSource({ plan: 'fleet' })).map((r) => [r.sourceName, r.startedAt])).to.deep.equal([
            ['agent-8', fleetRun('agent-8', 4).run.startedAt],
            ['agent-9', fleetRun('agent-9', 1).run.startedAt],
          ]);
        });
        // The database is not stuck: the next run records and compares with the last complete one.
        const next = await recordRun(db, fleetRun('agent-9', 3), { name: 'fleet', file: null });
        expect(next.error).to.equal(null);
        expect(next.previous?.startedAt).to.equal(fleetRun('agent-9', 1).run.startedAt);
      });
    });
  }

  describe('SQLite and PostgreSQL agree on the same runs', () => {
    type Fleet = { location: string; ids: Map<string, number[]> };
    /** The fleet runs of both backends, or a skip saying why (PostgreSQL unavailable). */
    function bothFleets(ctx: Mocha.Context): { sqlite: Fleet; postgres: Fleet } {
      const sqlite = fleets.get('SQLite');
      const postgres = fleets.get('PostgreSQL');
      if (!sqlite || !postgres) {
        console.log('      (skipped: needs the fleet test of both backends; PostgreSQL was unavailable, see above)');
        ctx.skip();
      }
      return { sqlite: sqlite as Fleet, postgres: postgres as Fleet };
    }

    it('every consecutive pair of the fleet diffs the same in both, and as diffRuns says', async function () {
      this.timeout(60_000);
      const { sqlite, postgres } = bothFleets(this);
      const diffs = async (fleet: Fleet) =>
        withOpen(fleet.location, async (h) => {
          const out: RunDiff[] = [];
          for (const agent of AGENTS) {
            const ids = fleet.ids.get(agent) ?? [];
            for (let i = 1; i < ids.length; i++) out.push(await h.diff(ids[i - 1] as number, ids[i] as number));
          }
          return out;
        });
      const fromSqlite = await diffs(sqlite);
      const fromPostgres = await diffs(postgres);
      const expected = AGENTS.flatMap((agent) =>
        Array.from({ length: RUNS_PER_AGENT - 1 }, (_, i) => diffRuns(fleetRun(agent, i), fleetRun(agent, i + 1))),
      );
      expect(fromSqlite).to.have.length(AGENTS.length * (RUNS_PER_AGENT - 1));
      expect(fromSqlite.filter((d) => d.changes.length > 0).length).to.be.greaterThan(100);
      expect(fromSqlite).to.deep.equal(expected);
      expect(fromPostgres).to.deep.equal(expected);
    });
    it("the fleet matrix of the agents is the same in both, and equals merging each agent's last run", async function () {
      this.timeout(60_000);
      const { sqlite, postgres } = bothFleets(this);
      const matrix = async (location: string) => {
        const run = await runCli(['matrix', '--history', location, '--format', 'json']);
        expect(run.stderr).to.equal('');
        return JSON.parse(run.stdout) as FleetView;
      };
      const fromSqlite = await matrix(sqlite.location);
      const fromPostgres = await matrix(postgres.location);
      const expected = mergeFleet(
        AGENTS.map((agent) => ({ result: fleetRun(agent, RUNS_PER_AGENT - 1), origin: agent })),
      );
      expect(fromSqlite.sources.map((s) => s.name)).to.deep.equal([...AGENTS].sort());
      expect(fromSqlite.causes.length).to.be.greaterThan(0);
      expect(withoutOrigins(fromSqlite)).to.deep.equal(withoutOrigins(expected));
      expect(withoutOrigins(fromPostgres)).to.deep.equal(withoutOrigins(expected));
    });
  });

  describe('what only SQLite has', function () {
    this.timeout(30_000);
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'portolan-sqlite-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('recording gives up after 5 s in all while another writer holds the database, as documented', async function () {
      this.timeout(30_000);
      const db = join(dir, 'history.db');
      await recordRun(db, await resultWith({}, '2026-11-24T02:00:00Z'), { name: 'p', file: null });
      const holder = new Database(db);
      holder.exec('BEGIN IMMEDIATE');
      try {
        const started = performance.now();
        const outcome = await recordRun(db, await resultWith({}, '2026-11-25T02:00:00Z'), { name: 'p', file: null });
        const waited = performance.now() - started;
        expect(outcome.error?.code).to.equal('HISTORY_LOCKED');
        // One budget for the whole recording, not 5 s per statement (it was 15.9 s).
        expect(waited).to.be.within(4900, 6500);
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
      await withOpen(db, async (h) => expect((await h.list()).map((r) => r.id)).to.deep.equal([1]));
    });

    it('upgrades a database written by portolan 0.1 (one JSON string per run) and keeps every run', async () => {
      const db = join(dir, 'history.db');
      copyFileSync(join(import.meta.dirname, '..', 'fixtures', 'history', 'v1.db'), db);
      const raw = new Database(db, { readonly: true });
      const old = raw.prepare('SELECT id, plan, result_json FROM runs ORDER BY id').all() as {
        id: number;
        plan: string;
        result_json: string;
      }[];
      expect(raw.pragma('user_version', { simple: true })).to.equal(1);
      raw.close();
      expect(old.map((r) => r.id)).to.deep.equal([1, 2, 3, 4]);

      await withOpen(db, async (h) => {
        const runs = await h.list();
        expect(runs.map((r) => [r.id, r.plan, r.state])).to.deep.equal([
          [4, 'nightly', 'incomplete'],
          [3, 'dc-audit', 'complete'],
          [2, 'nightly', 'complete'],
          [1, 'nightly', 'complete'],
        ]);
        for (const row of old) {
          const before = JSON.parse(row.result_json) as RunResult;
          const source = before.run.source;
          // Old results name no vantage point: the host name stands for it.
          expect(await h.result(row.id)).to.deep.equal({
            ...before,
            run: { ...before.run, source: { ...source, name: source.hostname, labels: {} } },
          });
        }
        expect(runs[3]?.sourceName).to.equal(runs[3]?.sourceHost);
        const diff = await h.diff(1, 2);
        expect(diff.changes.map((c) => [c.kind, c.target, c.expectation, c.role])).to.deep.equal([
          ['newly-failing', 'dc2.test', 'adhoc/389/tcp', null],
        ]);
        expect((await h.latest({ plan: 'nightly' }))?.id, 'the interrupted run 4 is skipped').to.equal(2);
      });
      const after = new Database(db, { readonly: true });
      expect(after.pragma('user_version', { simple: true })).to.equal(SCHEMA_VERSION);
      expect(after.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%_v1'").all()).to.deep.equal([]);
      after.close();
    });

    it('a file that is not a database is HISTORY_UNREADABLE, and recordRun reports it instead of throwing', async () => {
      const db = join(dir, 'history.db');
      writeFileSync(db, 'this is not sqlite, it is a text file that is long enough to have a header '.repeat(10));
      expect((await historyError(() => History.open(db))).code).to.equal('HISTORY_UNREADABLE');
      const outcome = await recordRun(db, await resultWith({}, '2026-11-24T02:00:00Z'), { name: 'p', file: null });
      expect(outcome.id).to.equal(null);
      expect(outcome.error?.code).to.equal('HISTORY_UNREADABLE');
      expect(readFileSync(db, 'utf8')).to.match(/^this is not sqlite/);
    });
  });

  describe('what only PostgreSQL has', function () {
    this.timeout(60_000);
    const backend = postgres;
    before(async function () {
      this.timeout(120_000);
      await backend.setUp(this);
    });

    it('an agent that cannot get the migration lock within its budget says HISTORY_LOCKED', async () => {
      const db = await backend.fresh();
      const holder = new pg.Client({ connectionString: db });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query("SELECT pg_advisory_xact_lock('8101745283986669934')");
        const started = performance.now();
        const err = await historyError(() => History.open(db, { lockTimeoutMs: 400 }));
        expect(err.code).to.equal('HISTORY_LOCKED');
        expect(performance.now() - started).to.be.within(350, 5000);
        await holder.query('ROLLBACK');
      } finally {
        await holder.end();
      }
      expect(await backend.version(db)).to.equal(0);
      await withOpen(db, async () => undefined);
      expect(await backend.version(db)).to.equal(SCHEMA_VERSION);
    });

    it('a server that does not answer is HISTORY_UNREACHABLE, and the message masks the password', async () => {
      const url = backend
        .server()
        .url('nothing')
        .replace('portolan@', 'portolan:s3cret@')
        .replace(/:\d+\//, ':1/');
      const err = await historyError(() => History.open(url));
      expect(err.code).to.equal('HISTORY_UNREACHABLE');
      expect(err.message).to.include('portolan:***@127.0.0.1:1/nothing');
      expect(err.message).not.to.include('s3cret');
    });
  });
});
