import { expect } from 'chai';
import { renderTable } from '../../src/report/table.js';
import { loadFixture, NOW } from './fixtures.js';

describe('terminal table', () => {
  it('groups by target, then service, then port, with state, reason, RTT and explanation', () => {
    const text = renderTable(loadFixture('firewalled'), { now: NOW });
    const lines = text.split('\n');
    const dc2 = lines.indexOf('dc2.corp.example (192.0.2.11)');
    const dc3 = lines.indexOf('dc3.corp.example (2001:db8::12)');
    expect(dc2).to.be.greaterThan(-1);
    expect(dc3).to.be.greaterThan(dc2);
    const kdc = lines.findIndex((l) => l.startsWith('  Kerberos Key Distribution Center (kdc) ✘ BROKEN'));
    expect(kdc).to.be.within(dc2, dc3);
    expect(lines[kdc + 2]).to.match(/^ {4}88\/udp +Kerberos +■ filtered +icmp-admin-prohibited +1 ms +✘ FAIL$/);
    expect(lines[kdc + 3]).to.include(
      '→ users cannot sign in with Kerberos; logons fall back to NTLM or fail: Kerberos 88/udp on dc2.corp.example (192.0.2.11) is filtered',
    );
    expect(lines.findIndex((l) => l.includes('88/tcp'))).to.be.lessThan(lines.findIndex((l) => l.includes('88/udp')));
  });

  it('has a legend with the PortQry words and a summary line', () => {
    const text = renderTable(loadFixture('firewalled'), { now: NOW });
    expect(text).to.match(/○ closed +NOT LISTENING/);
    expect(text).to.match(/◐ open\|filtered +LISTENING or FILTERED/);
    expect(text.trimEnd().split('\n').at(-1)).to.equal(
      '✘ NON-COMPLIANT: 31 pass, 7 fail, 1 inconclusive, 1 waived, 0 untestable. ' +
        '6 failing ports on dc2.corp.example break Kerberos Key Distribution Center, Net Logon and Local Security Authority. (exit 1)',
    );
  });

  it('uses ANSI colour only when asked, and never lets evidence drive the terminal', () => {
    const plain = renderTable(loadFixture('hostile'), { now: NOW });
    expect(plain).not.to.include('\x1b');
    expect(plain).to.include('ctl:\\x00\\x07\\x1b[31mred');
    const colour = renderTable(loadFixture('hostile'), { now: NOW, color: true });
    expect(colour).to.include('\x1b[31m✘ FAIL\x1b[0m');
    // every escape in the coloured output is one of ours: colour, bold or reset
    expect(
      colour
        .split('\x1b[')
        .slice(1)
        .every((part) => /^(0|1|2|31|32|33)m/.test(part)),
    ).to.equal(true);
  });

  it('says a pre-deployment run is one, and shows the caveat of a refused port', () => {
    const text = renderTable(loadFixture('predeploy'), { now: NOW });
    expect(text).to.include('PRE-DEPLOYMENT CHECK');
    expect(text).to.include('note: closed counts as reachable before deployment: a host firewall that resets');
  });
});
