/**
 * portolan against the hosts whose answer is fixed by construction: everything dropped,
 * everything closed (with the kernel's ICMP rate limit, so a UDP sweep must pace itself), and
 * the server host's real services. Every observation must equal the ground truth.
 */
import { expect } from 'chai';
import { describeMismatches, mismatches, type PortolanRun, runPortolan, skipWithoutCheck } from './portolan.js';
import { currentLab } from './session.js';
import { HOSTS } from './topology.js';

/** The DC role is the widest port list portolan has: many TCP and more UDP ports than the ICMP burst. */
const ROLE = ['--role', 'domain-controller', '--timeout', '1000'];

function statesBy(run: PortolanRun, protocol: 'tcp' | 'udp'): string[] {
  return [...new Set(run.result.observations.filter((o) => o.protocol === protocol).map((o) => o.state))];
}

describe('portolan check against the dropping and the closed host', () => {
  let dropped: PortolanRun;
  let closed: PortolanRun;

  before(async function () {
    await skipWithoutCheck(this);
    const lab = currentLab();
    [dropped, closed] = await Promise.all([
      runPortolan(lab, 'cli', [...ROLE, HOSTS.drop.address]),
      runPortolan(lab, 'fwc', [...ROLE, HOSTS.closed.address]),
    ]);
    console.log(`    drop host ${dropped.elapsedMs} ms, closed host ${closed.elapsedMs} ms`);
  });

  it('the drop host: every TCP port filtered, every UDP port open|filtered or filtered, non-compliant', () => {
    expect(statesBy(dropped, 'tcp')).to.deep.equal(['filtered']);
    expect(statesBy(dropped, 'udp')).to.satisfy((s: string[]) =>
      s.every((x) => x === 'open|filtered' || x === 'filtered'),
    );
    const list = mismatches(currentLab(), 'cli', dropped.result.observations);
    expect(list, describeMismatches(list)).to.deep.equal([]);
    expect(dropped.code).to.equal(1);
  });

  it('the closed host: every TCP and every UDP port closed despite the ICMP rate limit', () => {
    const udp = closed.result.observations.filter((o) => o.protocol === 'udp');
    expect(udp.length, 'more UDP ports than the ICMP burst allows at once').to.be.greaterThan(6);
    expect(statesBy(closed, 'tcp')).to.deep.equal(['closed']);
    expect(statesBy(closed, 'udp')).to.deep.equal(['closed']);
    const list = mismatches(currentLab(), 'fwc', closed.result.observations);
    expect(list, describeMismatches(list)).to.deep.equal([]);
  });
});

describe("portolan check against the server host and the DC's NTP", () => {
  const TCP = ['80/tcp', '443/tcp', '5985/tcp', '7/tcp', '13/tcp', '19/tcp'];
  const UDP = ['161/udp', '69/udp', '7/udp', '13/udp', '9/udp', '19/udp'];
  let tcp: PortolanRun;
  let udp: PortolanRun;
  let ntp: PortolanRun;

  before(async function () {
    await skipWithoutCheck(this);
    const lab = currentLab();
    const ports = (list: string[]) => list.flatMap((p) => ['--port', p]);
    [tcp, udp, ntp] = await Promise.all([
      runPortolan(lab, 'cli', [HOSTS.srv.address, ...ports(TCP), '--timeout', '1500']),
      runPortolan(lab, 'cli', [HOSTS.srv.address, ...ports(UDP), '--timeout', '1500']),
      runPortolan(lab, 'cli', [HOSTS.dc.address, ...ports(['123/udp']), '--timeout', '1500']),
    ]);
    const show = (r: PortolanRun) => r.result.observations.map((o) => `${o.protocol}/${o.port}=${o.state}`).join(' ');
    console.log(`    server host: ${show(tcp)} ${show(udp)}; DC ${show(ntp)}`);
  });

  it('HTTP, HTTPS, the WinRM stand-in and the simple TCP services are open: compliant, exit 0', () => {
    expect(tcp.result.observations.map((o) => o.state)).to.deep.equal(TCP.map(() => 'open'));
    expect(tcp.code).to.equal(0);
    expect(tcp.result.summary.status).to.equal('compliant');
  });

  it('SNMP, TFTP, NTP and the simple UDP services: every state equals the ground truth', () => {
    const lab = currentLab();
    for (const run of [udp, ntp]) {
      const list = mismatches(lab, 'cli', run.result.observations);
      expect(list, describeMismatches(list)).to.deep.equal([]);
    }
    expect(udp.result.observations).to.have.length(UDP.length);
    expect(
      ntp.result.observations.map((o) => o.state),
      'chrony answers a client-mode NTP request',
    ).to.deep.equal(['open']);
    const snmp = udp.result.observations.find((o) => o.port === 161);
    expect(snmp?.state, 'snmpd answers community "public"').to.equal('open');
    // v3 engine discovery confirms the agent; the v2c follow-up reads sysDescr with the community.
    expect(snmp?.evidence.join(' '))
      .to.match(/engine id/i)
      .and.to.match(/sysDescr: \S/);
    for (const [port, words] of [
      [69, /TFTP server answered with ERROR/],
      [7, /echo service returned our datagram unchanged/],
    ] as const) {
      const o = udp.result.observations.find((x) => x.port === port);
      expect(o?.confirmed, `udp/${port}`).to.equal(true);
      expect(o?.evidence.join(' '), `udp/${port}`).to.match(words);
    }
  });
});
