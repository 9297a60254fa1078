/**
 * `--domain`: the domain controllers come from the SRV records Samba's own DNS serves
 * (_ldap._tcp.dc._msdcs.portolan.test), and their names resolve at that same server.
 */
import { expect } from 'chai';
import { type PortolanRun, runPortolan, skipWithoutCheck } from './portolan.js';
import { currentLab } from './session.js';
import { DC_HOSTNAME, HOSTS, REALM } from './topology.js';

describe('portolan check --domain against the Samba DNS', () => {
  let run: PortolanRun;

  before(async function () {
    await skipWithoutCheck(this);
    run = await runPortolan(currentLab(), 'cli', [
      '--role',
      'domain-client',
      '--domain',
      REALM.toLowerCase(),
      '--dns-server',
      HOSTS.dc.address,
    ]);
  });

  it('finds the DC through SRV discovery and probes it at the address the DNS server gives', () => {
    const fqdn = `${DC_HOSTNAME}.${REALM.toLowerCase()}`;
    expect(run.result.targets.map((t) => [t.name.toLowerCase(), t.addresses, t.origin])).to.deep.equal([
      [fqdn, [HOSTS.dc.address], `SRV _ldap._tcp.dc._msdcs.${REALM.toLowerCase()}`],
    ]);
    expect(run.result.run.notes.join(' ')).to.match(/found with dig/);
    expect(run.result.observations.length).to.be.greaterThan(10);
    expect(run.result.observations.every((o) => o.address === HOSTS.dc.address)).to.equal(true);
  });

  it('the healthy client reaches everything a domain member needs of the DC', () => {
    const broken = run.result.verdicts.services.filter((s) => s.status === 'broken');
    expect(broken.map((s) => `${s.service}: ${s.explanations[0]}`)).to.deep.equal([]);
  });
});
