import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { reaggregate } from '../../src/analyze/summary.js';
import type { RunResult } from '../../src/model.js';
import { FORMATS, renderers } from '../../src/report/index.js';
import { remediationScripts } from '../../src/report/remediation.js';
import { validateResult } from '../../src/report/validate-result.js';
import { loadFixture, NOW } from './fixtures.js';
import { unusualResult } from './scenarios.js';

/**
 * The analyzer's result for an unresolved target and a GRE row, then damaged the way a file
 * from elsewhere could be: the GRE row failed (a newer portolan, or a hand edit), a verdict
 * names an expectation the file does not carry, and it has no root causes (an older portolan
 * wrote it), so every renderer computes them.
 */
function oddResult(): RunResult {
  const result = unusualResult();
  delete result.verdicts.rootCauses;
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
    expect(renderers.table(oddResult(), { now: NOW })).to.match(
      /\? host +unresolved +required +every port\n +"gone\.corp\.invalid" did not resolve \(ENOTFOUND\): none of its 3 rows was probed\./,
    );
  });

  it('give an IP protocol a protocol-number rule and a placeholder when the source address is unknown', () => {
    const scripts = remediationScripts(oddResult());
    expect(scripts.map((s) => s.target)).to.deep.equal(['vpn1.corp.example']);
    const [vpn] = scripts;
    expect(vpn?.powershell).to.include(
      "New-NetFirewallRule -DisplayName 'portolan: IP protocol 47 (GRE)' -Direction Inbound -Protocol 47 " +
        "-RemoteAddress '<source address>' -Action Allow",
    );
    expect(vpn?.nftables).to.include('nft add rule inet filter input ip saddr <source address> meta l4proto 47 accept');
    // the verdict without an expectation gets no rule: nothing says which port it is
    expect(vpn?.rules).to.have.length(1);
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

describe('reports of a target where no host answered at its address', () => {
  /** The three-target run with dc3's silence turned into what the engine says when neighbour discovery fails. */
  function unreachableDc3(): RunResult {
    const result = loadFixture('three-targets');
    const observations = result.observations.map((o) =>
      o.target === 'dc3.corp.example' && o.state !== 'untestable' ? { ...o, reason: 'host-unreachable' as const } : o,
    );
    return reaggregate({ ...result, observations }, result.verdicts.expectations);
  }

  it('is one root cause that says no host is there, and gets no firewall rules', () => {
    const silent = loadFixture('three-targets');
    expect(remediationScripts(silent).map((s) => s.target)).to.include('dc3.corp.example');
    const result = unreachableDc3();
    const dc3 = (result.verdicts.rootCauses ?? []).filter((c) => c.target === 'dc3.corp.example');
    expect(dc3.map((c) => [c.id, c.host, c.severity])).to.deep.equal([
      ['dc3.corp.example host', 'unreachable', 'outage'],
    ]);
    expect(dc3[0]?.explanation).to.match(
      /^No host answered at dc3\.corp\.example \(192\.0\.2\.12\): every probe got host unreachable/,
    );
    expect(result.summary.headline).to.match(/; no host answered at dc3\.corp\.example: this breaks /);
    expect(remediationScripts(result).map((s) => s.target)).to.deep.equal(['dc1.corp.example']);
    expect(renderers.table(result)).to.match(/✘ host +unreachable +required/);
  });
});
