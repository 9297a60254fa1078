import { expect } from 'chai';
import { MARKDOWN_LIMIT, renderMarkdown } from '../../src/report/markdown.js';
import { largeCatalogResult } from './catalog-scenarios.js';
import { loadFixture, NOW } from './fixtures.js';
import { HOSTILE } from './scenarios.js';

describe('Markdown summary', () => {
  it('starts with the verdict and the root causes, one row per blocked port, notices apart', () => {
    const md = renderMarkdown(loadFixture('one-dc'), { now: NOW });
    expect(md.split('\n')[0]).to.equal('### portolan: ✘ NON-COMPLIANT');
    expect(md.split('\n')[2]).to.match(/^4 blocked ports on dc1\.corp\.example break /);
    const causes = md.slice(md.indexOf('#### Root causes'), md.indexOf('#### Notices'));
    expect(causes).to.include('#### Root causes: 4 to fix on 1 target(s)');
    expect(causes.match(/^\| dc1/gm)).to.have.length(4);
    expect(causes.match(/445\/tcp/g)).to.have.length(1);
    expect(causes).to.match(
      /\| 445\/tcp \| ■ filtered \| required \| SMB \| no answer in 2000 ms; breaks Active Directory Domain Services, Net Logon/,
    );
    const notices = md.slice(md.indexOf('#### Notices'), md.indexOf('<details><summary>Remediation'));
    expect(notices).to.match(/\| 636\/udp \| ○ closed \| optional \| LDAP SSL \|/);
    expect(notices).to.include('Not installed (optional; every port refused');
    expect(md.indexOf('#### Root causes')).to.be.lessThan(md.indexOf('#### Notices'));
    expect(md).to.include(
      `<details><summary>Every row (${loadFixture('one-dc').verdicts.expectations.length})</summary>`,
    );
    expect(md).not.to.include('Cut to stay under');
  });

  it('puts the remediation per target in fenced PowerShell and nftables blocks, only real source addresses', () => {
    const md = renderMarkdown(loadFixture('one-dc'), { now: NOW });
    const fix = md.slice(
      md.indexOf('<details><summary>Remediation'),
      md.indexOf('</details>', md.indexOf('<details><summary>Remediation')),
    );
    expect(fix).to.include('<summary>Remediation: 4 allow rule(s) on 1 target(s), PowerShell and nftables</summary>');
    expect(fix.match(/New-NetFirewallRule/g)).to.have.length(4);
    expect(fix).to.include("-RemoteAddress '192.0.2.50' -Action Allow");
    expect(fix).not.to.include('fe80::');
    expect(fix).to.include('nft add rule inet filter input ip saddr 192.0.2.50 tcp dport 445 accept');
  });

  it('stays under 64 KiB for 300 domain controllers: root causes first and all kept, a shared note said once', () => {
    const result = largeCatalogResult(300);
    const md = renderMarkdown(result, { now: NOW });
    const bytes = Buffer.byteLength(md);
    console.log(`    300 targets x domain-controller: Markdown ${(bytes / 1024).toFixed(1)} KiB`);
    expect(bytes).to.be.lessThan(MARKDOWN_LIMIT);
    expect(MARKDOWN_LIMIT).to.equal(65536);
    const outages = result.verdicts.rootCauses?.filter((c) => c.severity === 'outage') ?? [];
    expect(outages).to.have.length(42 * 3);
    const causes = md.slice(md.indexOf('#### Root causes'), md.indexOf('#### Notices'));
    expect(causes.match(/^\| dc\d{3}/gm)).to.have.length(outages.length);
    expect(md.match(/the endpoint mapper on 135\/tcp listed no endpoints/g)).to.have.length(1);
    expect(md).to.include(
      'On 300 targets (dc001.corp.example (10.0.1.10), dc002.corp.example (10.0.2.10) and 298 more)',
    );
    expect(md).to.match(/Cut to stay under 64 KiB:\*\* .*rows of the full table/);
    expect(md.trimEnd().endsWith('</sub>')).to.equal(true);
  });

  it('escapes pipes, Markdown and HTML in cells, so every row keeps its columns', () => {
    const result = loadFixture('hostile');
    for (const v of result.verdicts.expectations) if (v.status === 'fail') v.explanation = HOSTILE.join(' ');
    const md = renderMarkdown(result, { now: NOW });
    expect(md).not.to.match(/<(img|script|x)\b/i);
    expect(md).to.include("it's \\| a \\`pipe\\` \\*table\\* \\[x\\](javascript:alert(4))");
    const rows = md.split('\n').filter((l) => l.startsWith('| dc9'));
    expect(rows.length).to.be.greaterThan(20);
    for (const row of rows) {
      const columns = row.match(/(?<!\\)\|/g)?.length;
      expect([7, 9], row).to.include(columns);
    }
  });
});
