/**
 * portolan against the Samba AD DC, from the healthy client and from the firewalled one: the
 * same DC is healthy from one and broken from the other, and every observation must equal the
 * lab's ground truth (above all: nothing `open` that the truth says is filtered or closed).
 */
import { expect } from 'chai';
import type { ServiceVerdict } from '../../src/model.js';
import {
  describeMismatches,
  falsePasses,
  mismatches,
  type PortolanRun,
  runPortolan,
  skipWithoutCheck,
} from './portolan.js';
import { currentLab } from './session.js';
import { HOSTS } from './topology.js';

const DC = HOSTS.dc.address;
const ARGS = ['--role', 'domain-controller', DC, '--timeout', '1500'];

/** Services a Samba DC implements, so they must not be broken from the healthy client. */
const SAMBA_SERVES = [/Kerberos/i, /^DNS/i, /Windows Time/i, /Net ?Logon/i];
/** Services the firewalled view breaks (global catalog, SMB, dynamic RPC). */
const FIREWALL_BREAKS = [/Group Policy/i, /Active Directory|local security authority|LSASS/i, /Net ?Logon/i];

function servicesMatching(services: readonly ServiceVerdict[], pattern: RegExp): ServiceVerdict[] {
  return services.filter((s) => pattern.test(s.serviceName) || pattern.test(s.service));
}

describe('portolan check --role domain-controller against the Samba DC', () => {
  let healthy: PortolanRun;
  let firewalled: PortolanRun;

  before(async function () {
    await skipWithoutCheck(this);
    const lab = currentLab();
    [healthy, firewalled] = await Promise.all([runPortolan(lab, 'cli', ARGS), runPortolan(lab, 'fwc', ARGS)]);
    console.log(
      `    healthy run ${healthy.elapsedMs} ms (exit ${healthy.code}), firewalled ${firewalled.elapsedMs} ms (exit ${firewalled.code})`,
    );
  });

  it('from the healthy client: every observation equals the ground truth', () => {
    const list = mismatches(currentLab(), 'cli', healthy.result.observations);
    expect(healthy.result.observations.length).to.be.greaterThan(10);
    expect(list, describeMismatches(list)).to.deep.equal([]);
  });

  it("from the healthy client: only ports Samba does not serve fail, and Samba's own services work", () => {
    const lab = currentLab();
    const { result } = healthy;
    const failedPorts = result.verdicts.expectations
      .filter((v) => v.status === 'fail')
      .flatMap((v) => v.observations.map((i) => result.observations[i]))
      .filter((o) => o !== undefined && o.state !== 'open');
    for (const o of failedPorts) {
      const truth = lab.expectedState('dc', 'cli', o.protocol, o.port);
      expect(truth.states, `${o.protocol}/${o.port} failed but the lab serves it`).to.not.include('open');
    }
    console.log(
      `    failing from the healthy client (Samba has no such service): ${[...new Set(failedPorts.map((o) => `${o.protocol}/${o.port}`))].join(', ') || 'none'}`,
    );
    for (const pattern of SAMBA_SERVES) {
      for (const s of servicesMatching(result.verdicts.services, pattern)) {
        expect(s.status, `${s.serviceName}: ${s.explanations.join(' ')}`).to.not.equal('broken');
      }
    }
  });

  it('from the healthy client: compliant, exit 0', () => {
    expect(healthy.result.summary.status, healthy.result.summary.headline).to.equal('compliant');
    expect(healthy.code).to.equal(0);
  });

  it('from the firewalled client: Kerberos is broken, because 88/udp is silent while Kerberos answers on 88/tcp', () => {
    // Dropped UDP alone is open|filtered; the analyzer convicts it only because the same KDC
    // answered our Kerberos request over TCP (a confirmed twin).
    const kdc = servicesMatching(firewalled.result.verdicts.services, /Kerberos/i);
    expect(kdc).to.not.deep.equal([]);
    for (const s of kdc) {
      expect(s.status, s.explanations.join(' ')).to.equal('broken');
      expect(s.explanations.join(' ')).to.match(
        /88\/udp .*open\|filtered.*answers on 88\/tcp: the UDP path is most likely filtered/,
      );
    }
  });

  it('from the healthy client: the endpoint mapper names the real dynamic RPC ports, and each one is probed', () => {
    const epm = healthy.result.observations.find((o) => o.protocol === 'tcp' && o.port === 135);
    expect(epm?.evidence.join(' ')).to.match(/EPM: \d+ endpoints/);
    const samba = [
      ...new Set(
        currentLab()
          .truth.dc.listeners.filter((l) => l.protocol === 'tcp' && l.port >= 49152)
          .map((l) => l.port),
      ),
    ];
    expect(samba, 'Samba listens on dynamic RPC ports').to.not.deep.equal([]);
    const probed = healthy.result.observations.filter((o) => o.portChoice?.kind === 'discovered');
    expect(probed.map((o) => o.port).sort()).to.deep.equal([...samba].sort());
    for (const o of probed) {
      expect(o.state).to.equal('open');
      expect(o.portChoice?.kind === 'discovered' && o.portChoice.interfaces.length, `${o.port}`).to.be.greaterThan(0);
    }
  });

  it('from the healthy client: every UDP port Samba serves is open with protocol evidence', () => {
    for (const port of [53, 88, 123, 137, 389, 464]) {
      const o = healthy.result.observations.find((x) => x.protocol === 'udp' && x.port === port);
      expect(o?.state, `udp/${port}`).to.equal('open');
      expect(o?.confirmed, `udp/${port} confirmed by its module`).to.equal(true);
      expect(o?.evidence.length, `udp/${port} evidence`).to.be.greaterThan(0);
    }
    const cldap = healthy.result.observations.find((x) => x.protocol === 'udp' && x.port === 389);
    expect(cldap?.evidence.join(' ')).to.match(/portolan\.test/i);
  });

  it('from the firewalled client: non-compliant, exit 1', () => {
    expect(firewalled.code).to.equal(1);
    expect(firewalled.result.verdicts.targets.map((t) => t.status)).to.include('non-compliant');
    expect(firewalled.result.summary.status).to.equal('non-compliant');
  });

  it('from the firewalled client: Group Policy, Active Directory and Net Logon are broken, naming the blocked ports', () => {
    const services = firewalled.result.verdicts.services;
    for (const pattern of FIREWALL_BREAKS) {
      const found = servicesMatching(services, pattern);
      expect(found, `a service matching ${pattern}`).to.not.deep.equal([]);
      const broken = found.filter((s) => s.status === 'broken');
      expect(broken, `${pattern}: ${found.map((s) => `${s.service}=${s.status}`).join(', ')}`).to.not.deep.equal([]);
      for (const s of broken) {
        const text = s.explanations.join(' ');
        expect(text, s.serviceName).to.match(/\b(88|445|3268|3269|49152|5\d{4}|6\d{4})\b/);
        expect(text, s.serviceName).to.match(/filtered|closed|blocked|reset|refused|not listening|no answer/i);
      }
    }
  });

  it('from the firewalled client: every observation equals the ground truth, no false pass', () => {
    const lab = currentLab();
    const list = mismatches(lab, 'fwc', firewalled.result.observations);
    expect(falsePasses(lab, 'fwc', firewalled.result.observations), 'false passes').to.deep.equal([]);
    expect(list, describeMismatches(list)).to.deep.equal([]);
    const smb = firewalled.result.observations.find((o) => o.protocol === 'tcp' && o.port === 445);
    expect(smb?.state, 'SMB answered with a reset').to.equal('closed');
  });
});
