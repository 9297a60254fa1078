/**
 * The fleet matrix over the lab: the same DC checked from three client namespaces, each a
 * vantage point with its own name and site, and each with its own view through the DC's
 * firewall (none; Kerberos/UDP, GC, SMB and RPC from the firewalled client; LDAP/TCP from
 * the branch client), and one required port Samba does not serve to anyone (ADWS 9389/tcp). `portolan merge` of the three results must name exactly the blocked
 * (source, port) pairs the lab's firewall and listeners say, and point each at the path
 * (one site) or at the target (every site), as the lab's configuration says it should.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { FleetView } from '../../src/fleet/types.js';
import { evaluate } from './firewall.js';
import { dcFirewall } from './lab.js';
import { cliCommand, type PortolanRun, runPortolan, skipWithoutCheck } from './portolan.js';
import { REPO } from './probe-helpers.js';
import { run } from './run.js';
import { currentLab } from './session.js';
import { HOSTS, type SourceId } from './topology.js';

const DC = HOSTS.dc.address;
const VANTAGE: Record<SourceId, { name: string; site: string }> = {
  cli: { name: 'lab-hq', site: 'site=hq' },
  fwc: { name: 'lab-fw', site: 'site=dmz-clients' },
  brc: { name: 'lab-branch', site: 'site=branch-7' },
};
const SOURCE_OF = new Map(Object.entries(VANTAGE).map(([id, v]) => [v.name, id as SourceId]));

/** Whether the DC's firewall lets `source` reach `protocol/port`. */
function passes(source: SourceId, protocol: 'tcp' | 'udp', port: number): boolean {
  return evaluate(dcFirewall(), HOSTS[source].address, protocol, port).kind === 'accept';
}

describe('fleet matrix over the lab: three vantage points, one DC', () => {
  let view: FleetView;
  let code: number;
  let dir: string;

  before(async function () {
    await skipWithoutCheck(this);
    const lab = currentLab();
    const ids = Object.keys(VANTAGE) as SourceId[];
    const runs: PortolanRun[] = await Promise.all(
      ids.map((id) =>
        runPortolan(lab, id, [
          '--role',
          'domain-controller',
          DC,
          '--timeout',
          '1500',
          // gc: the global catalog becomes required (dropped from lab-fw only); adws: 9389/tcp, which Samba does not serve at all.
          '--with',
          'gc,adws',
          '--source-name',
          VANTAGE[id].name,
          '--site',
          VANTAGE[id].site,
        ]),
      ),
    );
    dir = mkdtempSync(join(tmpdir(), 'portolan-lab-fleet-'));
    const files = runs.map((r, i) => {
      const file = join(dir, `${ids[i]}.json`);
      writeFileSync(file, JSON.stringify(r.result));
      return file;
    });
    // The CLI as a process, as an operator runs it (merge reads files only: no namespace needed).
    const merged = await run(process.execPath, [...cliCommand(), 'merge', ...files, '--format', 'json'], {
      cwd: REPO,
      allowFailure: true,
      timeoutMs: 60_000,
    });
    expect(merged.stderr).to.equal('');
    code = merged.code;
    view = JSON.parse(merged.stdout) as FleetView;
    console.log(`    ${view.summary.headline}`);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('one row per vantage point, with its site; the healthy one fails only where the DC itself does', () => {
    expect(view.sources.map((s) => [s.name, s.labels.site])).to.deep.equal([
      ['lab-branch', 'branch-7'],
      ['lab-fw', 'dmz-clients'],
      ['lab-hq', 'hq'],
    ]);
    const status = Object.fromEntries(view.cells.map((c) => [c.source, c.status]));
    expect(status).to.deep.equal({
      'lab-branch': 'non-compliant',
      'lab-fw': 'non-compliant',
      'lab-hq': 'non-compliant',
    });
    const outages = (source: string) =>
      view.cells
        .find((c) => c.source === source)
        ?.causes.filter((x) => x.severity === 'outage')
        .map((x) => x.port)
        .sort();
    expect(outages('lab-hq')).to.deep.equal(['9389/tcp']);
    expect(outages('lab-branch')).to.deep.equal(['389/tcp', '9389/tcp']);
    expect(code).to.equal(1);
  });

  it("a port the firewall blocks from one client only is that site's path; the sources are exactly the blocked ones", () => {
    const path = view.causes.filter((c) => c.suspect === 'path');
    const byId = Object.fromEntries(path.map((c) => [c.id, [...c.failing, ...c.unsure]]));
    expect(byId).to.deep.equal({
      [`${DC} udp/88`]: ['lab-fw'],
      [`${DC} tcp/445`]: ['lab-fw'],
      [`${DC} tcp/3268`]: ['lab-fw'],
      [`${DC} tcp/3269`]: ['lab-fw'],
      [`${DC} tcp/49152-65535`]: ['lab-fw'],
      [`${DC} tcp/389`]: ['lab-branch'],
    });
    expect(path.find((c) => c.id === `${DC} tcp/389`)?.sharedLabels).to.deep.equal({ site: 'branch-7' });
    for (const c of path) {
      const port = Number(c.port.split('/')[0]);
      const protocol = c.protocol as 'tcp' | 'udp';
      if (!Number.isInteger(port)) continue; // a range (49152-65535/tcp from lab-fw): one finding for the range
      for (const name of [...c.failing, ...c.unsure]) {
        expect(passes(SOURCE_OF.get(name) as SourceId, protocol, port), `${c.id} from ${name}`).to.equal(false);
      }
      for (const name of c.clear) {
        expect(passes(SOURCE_OF.get(name) as SourceId, protocol, port), `${c.id} from ${name}`).to.equal(true);
      }
    }
  });

  it('a port that fails from every client is the target: no firewall rule, nothing listens', () => {
    const lab = currentLab();
    const target = view.causes.filter((x) => x.suspect === 'target');
    expect(target.map((c) => c.id)).to.deep.equal([`${DC} tcp/9389`]);
    for (const c of target) {
      const port = Number(c.port.split('/')[0]);
      expect(c.failing.length + c.unsure.length, c.id).to.equal(3);
      if (!Number.isInteger(port)) continue;
      for (const id of Object.keys(VANTAGE) as SourceId[]) {
        expect(passes(id, c.protocol as 'tcp' | 'udp', port), `${c.id}: a firewall rule`).to.equal(true);
        expect(lab.expectedState('dc', id, c.protocol as 'tcp' | 'udp', port).states, c.id).to.not.include('open');
      }
    }
    expect(view.causes.filter((c) => c.suspect === 'undecided')).to.deep.equal([]);
  });
});
