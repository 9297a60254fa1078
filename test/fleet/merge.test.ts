/**
 * mergeFleet over real results (judged by the analyzer): the matrix names the blocked
 * (source, target, port) cells and nothing else, and each fleet root cause says whether it
 * points at the target or at one site's path.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'chai';
import { type FleetInput, mergeFleet } from '../../src/fleet/merge.js';
import { renderFleet } from '../../src/fleet/render.js';
import type { FleetView } from '../../src/fleet/types.js';
import { HOSTILE } from '../report/scenarios.js';
import { branchResult, fleetResult, fleetResults, hqResult, vlanResult } from './fleet-results.js';

const SCHEMA = JSON.parse(readFileSync(new URL('../../checks/schema/fleet.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(SCHEMA);

function inputs(results = fleetResults()): FleetInput[] {
  return results.map((result, i) => ({ result, origin: `r${i}.json` }));
}

/** "source target port" for every cell cause that is an outage. */
function blockedCells(view: FleetView): string[] {
  return view.cells
    .flatMap((c) => c.causes.filter((x) => x.severity === 'outage').map((x) => `${c.source} ${c.target} ${x.port}`))
    .sort();
}

describe('fleet: merge results of several vantage points', () => {
  it('names the blocked (source, target, port) cells and nothing else', () => {
    const view = mergeFleet(inputs());
    expect(view.sources.map((s) => s.name)).to.deep.equal(['branch-12', 'hq', 'vlan-20']);
    expect(view.targets).to.deep.equal(['dc1.corp.example', 'dc2.corp.example']);
    expect(blockedCells(view)).to.deep.equal([
      'branch-12 dc1.corp.example 88/tcp',
      'branch-12 dc2.corp.example 389/tcp',
      'hq dc2.corp.example 389/tcp',
      'vlan-20 dc2.corp.example 389/tcp',
    ]);
    // 88/udp went unanswered from branch-12 (open|filtered): no definite answer, not an outage.
    const unsure = view.cells.flatMap((c) =>
      c.causes.filter((x) => x.severity === 'inconclusive').map((x) => `${c.source} ${c.target} ${x.port}`),
    );
    expect(unsure).to.deep.equal(['branch-12 dc1.corp.example 88/udp']);
    const status = Object.fromEntries(view.cells.map((c) => [`${c.source} ${c.target}`, c.status]));
    expect(status).to.deep.equal({
      'branch-12 dc1.corp.example': 'non-compliant',
      'branch-12 dc2.corp.example': 'non-compliant',
      'hq dc1.corp.example': 'compliant',
      'hq dc2.corp.example': 'non-compliant',
      'vlan-20 dc1.corp.example': 'compliant',
      'vlan-20 dc2.corp.example': 'non-compliant',
    });
    expect(view.summary).to.include({ status: 'non-compliant', exitCode: 1 });
  });

  it("a port blocked from every source points at the target; from one site only, at that site's path", () => {
    const view = mergeFleet(inputs());
    const byId = new Map(view.causes.map((c) => [c.id, c]));
    const ldap = byId.get('dc2.corp.example tcp/389');
    expect(ldap).to.deep.include({ suspect: 'target', failing: ['branch-12', 'hq', 'vlan-20'], clear: [] });
    expect(ldap?.explanation)
      .to.match(/from 3 of 3 sources/)
      .and.match(/dc2\.corp\.example's host firewall/);
    const kerberos = byId.get('dc1.corp.example tcp/88');
    expect(kerberos).to.deep.include({ suspect: 'path', failing: ['branch-12'], clear: ['hq', 'vlan-20'] });
    expect(kerberos?.sharedLabels).to.deep.equal({ site: 'branch-12' });
    expect(kerberos?.explanation).to.equal(
      '88/tcp to dc1.corp.example is filtered from 1 of 3 sources: branch-12; reached from hq and vlan-20. ' +
        'The path from site=branch-12 (branch-12) blocks it, not the target: look at the network firewall or ACL between that segment and dc1.corp.example.',
    );
    // The UDP row went unanswered from branch-12: still that path's, not dc1's.
    const udp = byId.get('dc1.corp.example udp/88');
    expect(udp).to.deep.include({
      suspect: 'path',
      severity: 'inconclusive',
      unsure: ['branch-12'],
      clear: ['hq', 'vlan-20'],
    });
    expect(udp?.explanation).to.match(
      /got no definite answer from 1 of 3 sources: branch-12; .* is the likely cause, not the target/,
    );
    expect([...byId.keys()].sort()).to.deep.equal([
      'dc1.corp.example tcp/88',
      'dc1.corp.example udp/88',
      'dc2.corp.example tcp/389',
    ]);
  });

  it('one source alone cannot tell host from path', () => {
    const view = mergeFleet(inputs([branchResult()]));
    expect(view.causes.map((c) => c.suspect)).to.deep.equal(['undecided', 'undecided', 'undecided']);
    expect(view.causes[0]?.explanation).to.match(/One vantage point cannot tell/);
  });

  it('a label shared with a source that reaches the port is not named as the site', () => {
    // vlan-20 and hq share site=hq; block 88/tcp from vlan-20 only: vlan=20 is the clue, site=hq is not.
    const vlanBlocked = fleetResult('vlan-20', { site: 'hq', vlan: '20' }, [
      {
        name: 'dc1.corp.example',
        addresses: ['192.0.2.10'],
        outcomes: { 'kdc/tcp/88': { state: 'filtered', reason: 'timeout' } },
      },
    ]);
    const view = mergeFleet(inputs([hqResult(), vlanBlocked]));
    expect(view.causes.find((c) => c.id === 'dc1.corp.example tcp/88')?.sharedLabels).to.deep.equal({ vlan: '20' });
  });

  it('the same results in any order give the same view', () => {
    const a = mergeFleet(
      inputs([hqResult(), branchResult(), vlanResult()]).map((x) => ({ ...x, origin: x.result.run.source.name })),
    );
    const b = mergeFleet(
      inputs([vlanResult(), hqResult(), branchResult()]).map((x) => ({ ...x, origin: x.result.run.source.name })),
    );
    expect(b).to.deep.equal(a);
  });

  it('says so when runs come from different catalogs or versions, overlap, or miss a shard', () => {
    const other = vlanResult();
    other.catalog.digest = 'sha256:other';
    other.tool.version = '0.2.0';
    const again = hqResult();
    again.run.startedAt = '2026-11-26T10:00:00.000Z';
    const shard = branchResult();
    shard.run.options.shard = '0/3';
    const view = mergeFleet([
      { result: hqResult(), origin: 'hq-old.json' },
      { result: again, origin: 'hq-new.json' },
      { result: other, origin: 'vlan.json' },
      { result: shard, origin: 'branch-shard0.json' },
    ]);
    expect(view.notes.map((n) => n.kind)).to.deep.equal([
      'mixed-catalogs',
      'mixed-versions',
      'shards-missing',
      'superseded',
      'superseded',
    ]);
    expect(view.noteText.join('\n')).to.include('branch-12 ran shards of 3, but shard 1, 2 of 3 is missing');
    expect(view.noteText.join('\n')).to.include('the newer (hq-new.json) counts, hq-old.json is ignored for it');
    expect(view.sources.find((s) => s.name === 'hq')?.runs.map((r) => r.origin)).to.deep.equal([
      'hq-new.json',
      'hq-old.json',
    ]);
  });

  it('every compliant cell: exit 0 and a headline that says so', () => {
    const ok = (name: string) => fleetResult(name, {}, [{ name: 'dc1.corp.example', addresses: ['192.0.2.10'] }]);
    const view = mergeFleet(inputs([ok('a'), ok('b')]));
    expect(view.causes).to.deep.equal([]);
    expect(view.summary).to.deep.include({ status: 'compliant', exitCode: 0 });
    expect(view.summary.headline).to.equal('Every source reaches every target it probed (2 sources and 1 target).');
  });

  it('JSON matches checks/schema/fleet.schema.json', () => {
    const json = JSON.parse(renderFleet(mergeFleet(inputs()), 'json'));
    expect(validate(json), JSON.stringify(validate.errors)).to.equal(true);
    expect(validate({ ...json, fleetVersion: 2 })).to.equal(false);
  });

  it('the table and Markdown show the matrix and the causes, and escape hostile names', () => {
    const hostile = fleetResult(`evil|${HOSTILE[0]}`, { site: '<script>x</script>' }, [
      {
        name: 'dc1.corp.example',
        addresses: ['192.0.2.10'],
        outcomes: { 'kdc/tcp/88': { state: 'filtered', reason: 'timeout' } },
      },
    ]);
    const view = mergeFleet(inputs([hqResult(), hostile]));
    const table = renderFleet(view, 'table');
    expect(table).to.match(/^FLEET NON-COMPLIANT: /);
    expect(table).to.match(/\nhq\s+site=hq\s+compliant\s+NON-COMPLIANT 389\/tcp\n/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting no raw control characters
    expect(table).not.to.match(/[\u0000-\u0008\u001b]/);
    const md = renderFleet(view, 'md');
    expect(md).to.include('| hq | site=hq | compliant | NON-COMPLIANT 389/tcp |');
    expect(md).to.include('evil\\|');
    expect(md).not.to.include('<script>');
    expect(md).to.include('&lt;script&gt;');
  });
});
