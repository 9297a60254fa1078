import { expect } from 'chai';
import stringWidth from 'string-width';
import type { Observation } from '../../src/model.js';
import { renderTable } from '../../src/report/table.js';
import { LINE_WIDTH } from '../../src/report/text-layout.js';
import { loadFixture, NOW } from './fixtures.js';
import { DC_ROWS, rowKey, scenarioResult } from './scenarios.js';

/** The lines of one section, from its title to the next blank line. */
function section(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(title));
  if (start < 0) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('terminal table', () => {
  it('leads with the verdict and the root causes: one finding per blocked port, with what it breaks', () => {
    const text = renderTable(loadFixture('one-dc'), { now: NOW });
    const lines = text.split('\n');
    expect(lines[lines.indexOf('') + 1]).to.match(
      /^✘ NON-COMPLIANT {2}4 blocked ports on dc1\.corp\.example break Kerberos Key Distribution Center,/,
    );
    const causes = section(text, 'ROOT CAUSES');
    expect(causes[0]).to.equal('ROOT CAUSES (what to fix): 4 on 1 target');
    const findings = causes.filter((l) => l.startsWith('    ✘ '));
    expect(findings.map((l) => l.slice(6, 23).trim())).to.deep.equal([
      '88/udp',
      '445/tcp',
      '3268/tcp',
      '49152-65535/tcp',
    ]);
    // 445/tcp once, with every service it breaks under it and its requirement in a column
    expect(causes.filter((l) => l.includes('445/tcp'))).to.have.length(1);
    expect(causes.join('\n')).to.match(
      /✘ 445\/tcp +■ filtered +required +SMB\n +no answer in 2000 ms\n +breaks Active Directory Domain Services, Net Logon, Remote Procedure Call \(RPC\), Server,\n +Distributed File System Namespaces and Group Policy; optional here:/,
    );
    // optional rows are never root causes: they are notices
    expect(causes.join('\n')).not.to.match(/636\/udp|25\/tcp|80\/tcp/);
    expect(section(text, 'NOTICES').join('\n')).to.match(/▲ 636\/udp +○ closed +optional +LDAP SSL/);
  });

  it('keeps every line within 100 columns and every column in line, however long a name is', () => {
    const result = loadFixture('one-dc');
    for (const e of result.expectations.filter((x) => x.port === 445)) {
      e.application = 'A very long application name that a catalog author wrote for 445/tcp SMB and more';
    }
    for (const verbose of [false, true]) {
      const text = renderTable(result, { now: NOW, verbose });
      const lines = text.split('\n');
      const wide = lines.filter((l) => stringWidth(l) > LINE_WIDTH);
      expect(wide, wide.join('\n')).to.deep.equal([]);
      // the state column starts at the same place on every finding and notice line
      const rows = lines.filter((l) => /^ {4}[✘?~▲–] /.test(l));
      expect(rows.length).to.be.greaterThan(5);
      for (const row of rows) expect(row.slice(23, 25), row).to.match(/^[■○●◐!–-] /);
    }
    expect(renderTable(result, { now: NOW })).to.include(
      'required     A very long application name that a catalog au…\n',
    );
  });

  it('says each caveat once, with how many rows it covers, not once per row', () => {
    const text = renderTable(loadFixture('predeploy'), { now: NOW });
    const caveat = 'closed counts as reachable before deployment: a host firewall that resets';
    expect(text.split(caveat)).to.have.length(2);
    expect(section(text, 'CAVEATS').join(' ')).to.match(/- \d+ rows: closed counts as reachable before deployment/);
    const verbose = renderTable(loadFixture('predeploy'), { now: NOW, verbose: true });
    expect(verbose.split(caveat)).to.have.length(2);
  });

  it('--verbose adds every row, listing a range\u2019s sampled ports once per target', () => {
    const result = loadFixture('one-dc');
    const short = renderTable(result, { now: NOW });
    expect(short).not.to.include('EVERY ROW');
    expect(short).to.include(`Every row (${result.verdicts.expectations.length}): --verbose.`);
    const text = renderTable(result, { now: NOW, verbose: true });
    const every = text.slice(text.indexOf('EVERY ROW'));
    // one line per expectation verdict (an indented port column), services as headings
    const rows = every.split('\n').filter((l) => /^ {6}\S+\/(tcp|udp) |^ {6}icmp |^ {6}ip \d+ /.test(l));
    expect(rows).to.have.length(result.verdicts.expectations.length);
    // the range rows share the same four sampled ports: listed under the first service only
    expect(every.match(/54613\/tcp ■/g)).to.have.length(1);
    expect(every.match(/\(the same 4 ports as above on dc1\.corp\.example\)/g)?.length).to.be.greaterThan(2);
    expect(every).to.match(/evidence: LDAP rootDSE: dnsHostName=dc1\.corp\.example/);
  });

  it('says a host that answered nothing once, not once per port', () => {
    const text = renderTable(loadFixture('three-targets'), { now: NOW });
    const dc3 = section(text, 'ROOT CAUSES').join('\n');
    expect(dc3.match(/dc3\.corp\.example/g)?.length).to.equal(2);
    expect(dc3).to.match(
      /✘ host +no-answer +required +every port\n +Nothing on dc3\.corp\.example \(192\.0\.2\.12\) answered/,
    );
    expect(text).to.match(/TARGETS: 3 \(2 non-compliant, 0 inconclusive, 1 compliant\)/);
  });

  it('says plainly that the responder rejected our token', () => {
    const wrong = { state: 'open' as const, reason: 'unrecognised-reply' as const, responder: 'wrong-token' as const };
    const result = scenarioResult({
      targets: [
        {
          name: 'newdc.corp.example',
          addresses: ['192.0.2.30'],
          outcomes: Object.fromEntries(DC_ROWS.filter((r) => r.protocol !== 'icmp').map((r) => [rowKey(r), wrong])),
        },
      ],
      settings: { responder: true },
    });
    expect(result.summary.exitCode).to.equal(3);
    expect(result.summary.headline).to.equal(
      'Inconclusive: the responder on newdc.corp.example rejected our token (DNS Server, Kerberos Key Distribution Center and 4 more cannot be judged).',
    );
    const text = renderTable(result, { now: NOW });
    expect(text).to.match(
      /\? host +wrong-token +required +every port\n +The portolan responder on newdc\.corp\.example \(192\.0\.2\.30\) rejected our token on \d+ ports/,
    );
    expect(text).not.to.include('did not speak the protocol');
    const observations: Observation[] = result.observations;
    expect(observations.every((o) => o.protocol === 'icmp' || o.responder === 'wrong-token')).to.equal(true);
  });

  it('ends with the verdict and the exit code, after the PortQry words', () => {
    const text = renderTable(loadFixture('firewalled'), { now: NOW });
    expect(text).to.match(/○ closed = NOT LISTENING/);
    expect(text).to.match(/◐ open\|filtered = LISTENING or FILTERED/);
    expect(text.trimEnd().split('\n').at(-1)).to.equal('✘ NON-COMPLIANT (exit 1)');
  });

  it('uses ANSI colour only when asked, and never lets evidence drive the terminal', () => {
    const plain = renderTable(loadFixture('hostile'), { now: NOW, verbose: true });
    expect(plain).not.to.include('\x1b');
    expect(plain).to.include('ctl:\\x00\\x07\\x1b[31mred');
    const colour = renderTable(loadFixture('hostile'), { now: NOW, color: true, verbose: true });
    expect(colour).to.include('\x1b[31m✘ FAIL\x1b[0m');
    // every escape in the coloured output is one of ours: colour, bold or reset
    expect(
      colour
        .split('\x1b[')
        .slice(1)
        .every((part) => /^(0|1|2|31|32|33)m/.test(part)),
    ).to.equal(true);
  });

  it('says a pre-deployment run is one', () => {
    const text = renderTable(loadFixture('predeploy'), { now: NOW });
    expect(text).to.include('PRE-DEPLOYMENT CHECK');
  });
});
