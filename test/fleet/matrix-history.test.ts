/**
 * `portolan matrix --history` over real SQLite and a real PostgreSQL server: runs from
 * several sources (one of them sharded, one run twice, one plan more) stored in each, and
 * the same matrix from both, equal to merging the latest runs' files.
 */
import { expect } from 'chai';
import { mergeFleet } from '../../src/fleet/merge.js';
import type { FleetView } from '../../src/fleet/types.js';
import { History } from '../../src/history/store.js';
import type { RunResult } from '../../src/model.js';
import { type Backend, postgresBackend, sqliteBackend } from '../history/backends.js';
import { runCli } from '../support/cli.js';
import { branchResult, fleetResult, hqResult, vlanResult, withoutOrigins } from './fleet-results.js';

const DC1 = { name: 'dc1.corp.example', addresses: ['192.0.2.10'] };
const DC2 = { name: 'dc2.corp.example', addresses: ['192.0.2.11'] };
const FILTERED = { state: 'filtered', reason: 'timeout' } as const;

/** A worker of a sharded source: shard I of 2 probes one DC. */
function shard(index: number, target: typeof DC1, outcomes = {}): RunResult {
  return fleetResult('k8s-cluster-a', { site: 'dc-east' }, [{ ...target, outcomes }], {
    settings: { shard: { index, count: 2 } },
  });
}

/** What is stored, in order, and which of it the matrix of plan "dcs" must show. */
function stored(): { plan: string; result: RunResult; latest: boolean }[] {
  const hqBefore = fleetResult('hq', { site: 'hq' }, [{ ...DC1, outcomes: { 'lsa/tcp/135': FILTERED } }]);
  return [
    { plan: 'dcs', result: hqBefore, latest: false },
    { plan: 'dcs', result: shard(0, DC1, { 'lsa/tcp/389': FILTERED }), latest: false },
    { plan: 'dcs', result: hqResult(), latest: true },
    { plan: 'dcs', result: branchResult(), latest: true },
    { plan: 'dcs', result: shard(0, DC1), latest: true },
    { plan: 'dcs', result: shard(1, DC2, { 'lsa/tcp/389': FILTERED }), latest: true },
    {
      plan: 'file-servers',
      result: fleetResult('hq', { site: 'hq' }, [{ name: 'fs1.corp.example', addresses: ['192.0.2.20'] }]),
      latest: false,
    },
    { plan: 'dcs', result: vlanResult(), latest: true },
  ];
}

describe('fleet: matrix from the history, SQLite and PostgreSQL alike', function () {
  this.timeout(120_000);
  const views = new Map<string, FleetView>();
  const backends: Backend[] = [sqliteBackend(), postgresBackend()];
  after(async () => {
    for (const b of backends) await b.tearDown();
  });

  for (const backend of backends) {
    it(`${backend.name}: the latest run of each source (every shard of a sharded one) of the plan`, async function () {
      await backend.setUp(this);
      const location = await backend.fresh();
      const history = await History.open(location);
      try {
        for (const s of stored()) await history.record(s.result, { name: s.plan, file: null });
      } finally {
        await history.close();
      }
      const run = await runCli(['matrix', '--history', location, '--plan', 'dcs', '--format', 'json']);
      expect(run.code, run.stderr).to.equal(1);
      const view = JSON.parse(run.stdout) as FleetView;
      expect(view.sources.map((s) => [s.name, s.runs.length])).to.deep.equal([
        ['branch-12', 1],
        ['hq', 1],
        ['k8s-cluster-a', 2],
        ['vlan-20', 1],
      ]);
      expect(
        view.sources
          .find((s) => s.name === 'k8s-cluster-a')
          ?.runs.map((r) => r.shard)
          .sort(),
      ).to.deep.equal(['0/2', '1/2']);
      expect(view.notes).to.deep.equal([]);
      // The sharded source now reaches dc1 (its older shard 0 run, where 389 was filtered, is not used).
      const ldap = view.causes.find((c) => c.id === 'dc2.corp.example tcp/389');
      expect(ldap).to.deep.include({
        suspect: 'target',
        failing: ['branch-12', 'hq', 'k8s-cluster-a', 'vlan-20'],
      });
      const expected = mergeFleet(
        stored()
          .filter((s) => s.latest)
          .map((s, i) => ({ result: s.result, origin: `file ${i}` })),
      );
      expect(withoutOrigins(view)).to.deep.equal(withoutOrigins(expected));
      views.set(backend.name, view);
    });
  }

  it('both backends give the same matrix, run ids included', function () {
    const sqlite = views.get('SQLite');
    const postgres = views.get('PostgreSQL');
    if (!sqlite || !postgres) {
      console.log('      (skipped: a backend above did not run; its own test says why)');
      this.skip();
    }
    expect(postgres).to.deep.equal(sqlite);
  });

  it('an empty plan is one line, exit 2', async function () {
    const backend = backends[0] as Backend;
    await backend.setUp(this);
    const location = await backend.fresh();
    await (await History.open(location)).close();
    const run = await runCli(['matrix', '--history', location, '--plan', 'none', '--since', '24h']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal('portolan: no complete runs of plan "none" recorded in the last 24h\n');
  });
});
