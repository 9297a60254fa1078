import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import type { RunResult } from '../../src/model.js';
import { FORMATS, renderers } from '../../src/report/index.js';
import { remediationItems } from '../../src/report/remediation.js';
import { groupResult } from '../../src/report/rows.js';
import { validateResult } from '../../src/report/validate-result.js';
import { NOW } from './fixtures.js';
import { unusualResult } from './scenarios.js';

/**
 * The analyzer's result for an unresolved target and a GRE row, then damaged the way a file
 * from elsewhere could be: the GRE row failed (a newer portolan, or a hand edit) and a
 * verdict names an expectation the file does not carry.
 */
function oddResult(): RunResult {
  const result = unusualResult();
  const gre = result.verdicts.expectations.find((v) => v.service === 'gre' && v.target === 'vpn1.corp.example');
  if (gre) gre.status = 'fail';
  result.verdicts.expectations.push({
    target: 'vpn1.corp.example',
    expectation: 'domain-controller/unknown/tcp/1',
    role: 'domain-controller',
    service: 'unknown',
    status: 'fail',
    observations: [9999],
    explanation: 'a verdict for an expectation this file does not carry',
    caveat: null,
  });
  return result;
}

describe('reports of unusual results', () => {
  it('render in every format without throwing', () => {
    const result = oddResult();
    expect(validateResult(result).ok).to.equal(true);
    for (const format of FORMATS)
      expect(renderers[format](result, { now: NOW }))
        .to.be.a('string')
        .and.not.equal('');
  });

  it('show the unresolved target and its error', () => {
    const html = renderers.html(oddResult(), { now: NOW });
    expect(html).to.include('&quot;gone.corp.invalid&quot; did not resolve (ENOTFOUND)');
    expect(renderers.table(oddResult(), { now: NOW })).to.include(
      '! error: "gone.corp.invalid" did not resolve (ENOTFOUND)',
    );
  });

  it('give an IP protocol a protocol-number rule and a placeholder when the source address is unknown', () => {
    const result = oddResult();
    const items = remediationItems(result, groupResult(result));
    const gre = items.find((i) => i.service === 'gre');
    expect(gre?.powershell).to.equal(
      "New-NetFirewallRule -DisplayName 'portolan: gre ip 47' -Direction Inbound -Protocol 47 " +
        "-RemoteAddress '<source address>' -Action Allow",
    );
    expect(gre?.neutral).to.equal('allow <source address> -> vpn1.corp.example ip proto 47');
    const unknown = items.find((i) => i.service === 'unknown');
    expect(unknown?.powershell).to.equal(null);
  });

  it('JUnit stays valid', function () {
    if (spawnSync('xmllint', ['--version']).error) {
      console.log('    skipped: xmllint not found (Debian package libxml2-utils)');
      this.skip();
    }
    const r = spawnSync('xmllint', ['--noout', '-'], { input: renderers.junit(oddResult()), timeout: 20_000 });
    expect(r.status).to.equal(0);
  });
});
