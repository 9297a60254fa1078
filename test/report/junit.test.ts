import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { reaggregate } from '../../src/analyze/summary.js';
import type { RunResult } from '../../src/model.js';
import { renderJunit } from '../../src/report/junit.js';
import { commandLineText } from '../../src/report/rows.js';
import { fixtureNames, JUNIT_XSD, loadFixture, NOW } from './fixtures.js';
import { largeRunView } from './large-run.js';
import { largeResult } from './scenarios.js';

const XMLLINT = spawnSync('xmllint', ['--version']).error ? null : 'xmllint';

function xmllint(xml: string, args: string[]): { status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'portolan-junit-'));
  try {
    const file = join(dir, 'junit.xml');
    writeFileSync(file, xml);
    const r = spawnSync('xmllint', [...args, file], { encoding: 'utf8', timeout: 20_000 });
    return { status: r.status, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every tag, if the document is only well-formed tags (double-quoted attributes, no raw < > or " inside) and text without < >. */
function strictTags(xml: string): { name: string; attrs: Record<string, string> }[] {
  const tag = /<(\/?[\w-]+)((?:\s+[\w.:-]+="[^"<>]*")*)\s*\/?>/g;
  const body = xml.replace(/^<\?xml[^>]*\?>\n/, '');
  const text = body.replace(tag, '');
  expect(text, 'text between tags').not.to.match(/[<>]/);
  const decode = (v: string) => v.replace(/&(quot|apos|lt|gt|amp|#9|#10|#13);/g, (_, e: string) => ENTITIES[e] ?? '');
  return [...body.matchAll(tag)].map((m) => ({
    name: m[1] as string,
    attrs: Object.fromEntries(
      [...(m[2] ?? '').matchAll(/([\w.:-]+)="([^"]*)"/g)].map((a) => [a[1], decode(a[2] ?? '')]),
    ),
  }));
}
const ENTITIES: Record<string, string> = {
  quot: '"',
  apos: "'",
  lt: '<',
  gt: '>',
  amp: '&',
  '#9': '\t',
  '#10': '\n',
  '#13': '\r',
};

describe('JUnit XML', () => {
  describe('validates against the Ant/Jenkins junit-10 schema (xmllint)', () => {
    before(function () {
      if (!XMLLINT) {
        console.log('    skipped: xmllint not found (Debian package libxml2-utils)');
        this.skip();
      }
    });
    for (const name of [...fixtureNames(), '50 domain controllers']) {
      it(name, () => {
        const result = name.includes(' ') ? largeResult(50) : loadFixture(name);
        const r = xmllint(renderJunit(result, { now: NOW }), ['--noout', '--schema', JUNIT_XSD]);
        expect(r.stderr).to.match(/validates/);
        expect(r.status).to.equal(0);
      });
    }
    it('rejects a document that breaks the schema (the check can fail)', () => {
      const r = xmllint('<testsuites><testsuite tests="1"><bogus/></testsuite></testsuites>', [
        '--noout',
        '--schema',
        JUNIT_XSD,
      ]);
      expect(r.status).not.to.equal(0);
    });
    it('10,000 targets, every seventh failing (a large run\u2019s report view)', function () {
      this.timeout(60_000);
      const { result, omitted } = largeRunView(10_000);
      const xml = renderJunit(result, { now: NOW, omitted });
      const r = xmllint(xml, ['--noout', '--schema', JUNIT_XSD]);
      expect(r.stderr).to.match(/validates/);
      expect(r.status).to.equal(0);
    });
  });

  it('a large run: the detailed failing targets by (target, port), every other target one case, the totals adding up', function () {
    this.timeout(60_000);
    const { result, omitted } = largeRunView(10_000);
    const xml = renderJunit(result, { now: NOW, omitted });
    const suites = [...xml.matchAll(/<testsuite name="([^"]+)"[^>]* tests="(\d+)" failures="(\d+)"/g)].map((m) => ({
      name: m[1],
      tests: Number(m[2]),
      failures: Number(m[3]),
    }));
    expect(suites).to.have.length(101);
    expect(suites.slice(0, 100).map((s) => s.name)).to.deep.equal(omitted.detailed);
    for (const s of suites.slice(0, 100)) expect(s.failures, s.name).to.be.above(0);
    // 1,428 failing of 10,000 (dc00006, dc00013, …): 100 with detail (to dc00699), 1,328 as one failing case each.
    // The 8,572 compliant targets are one passing case each.
    const rest = suites[100];
    expect(rest).to.deep.include({ name: 'targets without detail', tests: 9900, failures: 1328 });
    expect(xml).to.match(
      /<testcase classname="dc00706\.corp\.example" name="verdict: domain-controller" time="0\.000">\n {6}<failure message="non-compliant: [^"]*; root causes and rows in the JSON result" type="non-compliant"\/>/,
    );
    expect(xml).to.include(
      '<testcase classname="dc00000.corp.example" name="verdict: domain-controller" time="0.000"/>',
    );
    const total = xml.match(/<testsuites name="portolan" tests="(\d+)" failures="(\d+)"/);
    expect(Number(total?.[1])).to.equal(suites.reduce((n, s) => n + s.tests, 0));
    expect(Number(total?.[2])).to.equal(suites.reduce((n, s) => n + s.failures, 0));
    expect(Buffer.byteLength(xml), 'about 200 bytes a target').to.be.below(4 * 1024 * 1024);
  });

  it('one testsuite per target, one testcase per (target, port): a blocked 445/tcp is one failure naming its services', () => {
    const result = loadFixture('one-dc');
    const xml = renderJunit(result, { now: NOW });
    expect(xml.match(/<testsuite /g)).to.have.length(1);
    const endpoints = new Set(
      result.expectations.map((e) => `${e.protocol}/${e.port ?? e.range ?? e.ipProtocol ?? ''}`),
    );
    expect(xml.match(/<testcase /g)).to.have.length(endpoints.size);
    expect(xml.match(/<failure /g)).to.have.length(4);
    expect(xml).to.match(new RegExp(`<testsuites name="portolan" tests="${endpoints.size}" failures="4" errors="0"`));
    expect(xml.match(/name="445\/tcp SMB"/g)).to.have.length(1);
    expect(xml).to.match(
      /<testcase classname="dc1\.corp\.example" name="445\/tcp SMB" time="[\d.]+">\s*<failure message="SMB 445\/tcp on dc1\.corp\.example \(192\.0\.2\.10\) is filtered \(no answer in 2000 ms\): it breaks Active Directory Domain Services, Net Logon, Remote Procedure Call \(RPC\) and 3 more; optional here: Distributed File System Replication\." type="filtered">/,
    );
    // every affected row is in the body, with its requirement
    const body = xml.slice(
      xml.indexOf('name="445/tcp SMB"'),
      xml.indexOf('</testcase>', xml.indexOf('name="445/tcp SMB"')),
    );
    expect(body).to.include('Group Policy (group-policy, domain-controller): 445/tcp, required, fail');
    expect(body).to.include('Distributed File System Replication (dfsr, domain-controller): 445/tcp, conditional');
  });

  it('optional rows are notices, never failures; waived and inconclusive are skipped with the reason', () => {
    const one = renderJunit(loadFixture('one-dc'), { now: NOW });
    expect(one).to.match(
      /name="636\/udp LDAP SSL" time="[\d.]+">\s*<skipped message="notice \(optional\): LDAP SSL 636\/udp/,
    );
    expect(one).to.match(/name="ip 50 IPsec ESP \(IP protocol 50\)" time="[\d.]+">\s*<skipped message="untestable: /);
    const xml = renderJunit(loadFixture('firewalled'), { now: NOW });
    expect(xml).to.match(
      /<skipped message="waived: NetBIOS Session Service 139\/tcp on dc2\.corp\.example [^"]*; waived until 2027-03-31 \(owner netops\): NetBIOS disabled by policy \(CHG-1042\)\."/,
    );
    expect(xml).to.match(
      /<skipped message="notice \(optional\): NetBIOS Name Resolution 137\/udp on dc2\.corp\.example [^"]*no reply/,
    );
    expect(xml).to.include('<property name="catalog.digest" value="sha256:3f5a0c9e');
    expect(xml).to.include('<property name="source.addresses" value="192.0.2.50"/>');
    const unsure = renderJunit(loadFixture('inconclusive'), { now: NOW });
    expect(unsure).to.match(/<skipped message="inconclusive: NTP 123\/udp on ntp1\.corp\.example/);
  });

  it('a host that answered nothing is one failing test case, not one per port', () => {
    const xml = renderJunit(loadFixture('three-targets'), { now: NOW });
    const dc3 = xml.slice(xml.indexOf('<testsuite name="dc3.corp.example"'));
    expect(dc3).to.match(/tests="1" failures="1"/);
    expect(dc3).to.match(
      /<testcase classname="dc3\.corp\.example" name="host: no-answer"[^>]*>\s*<failure message="Nothing on dc3\.corp\.example/,
    );
    expect(xml.match(/<testsuite /g)).to.have.length(3);
  });

  it('a quote, tag or newline in a command line or waiver reason stays inside its attribute', () => {
    const base = loadFixture('hostile');
    const argv = ['portolan', 'check', '--note', 'say "hi" & <bye>\n\t\'x\''];
    const waiver = { reason: 'CHG-"7" & <co>\nsecond line', owner: '"ops" <ops@corp.example>', expires: '2027-01-31' };
    const at = base.verdicts.expectations.findIndex((v) => v.status === 'fail');
    const verdicts = base.verdicts.expectations.map((v, i) =>
      i === at ? { ...v, status: 'waived' as const, waiver } : v,
    );
    // As applyWaivers does: the waived row's root cause carries the waiver into the report.
    const result = reaggregate({ ...base, run: { ...base.run, commandLine: argv } }, verdicts);
    const tags = strictTags(renderJunit(result, { now: NOW }));
    const property = (name: string) => tags.find((t) => t.name === 'property' && t.attrs.name === name)?.attrs.value;
    expect(property('commandLine')).to.equal(commandLineText(argv));
    const skipped = tags.filter((t) => t.name === 'skipped').map((t) => t.attrs.message ?? '');
    const waived = skipped.filter((m) => m.startsWith('waived: '));
    expect(waived, 'one waived case').to.have.length(1);
    expect(waived[0]).to.include(`(owner ${waiver.owner}): ${waiver.reason}.`);
  });

  it('a target in two roles: one suite, both roles and both verdicts in its properties, a shared port one case', () => {
    const base = loadFixture('firewalled');
    const caseCount = (xml: string, target: string) =>
      strictTags(xml).find((t) => t.name === 'testsuite' && t.attrs.name === target)?.attrs.tests;
    const dc2Cases = caseCount(renderJunit(base, { now: NOW }), 'dc2.corp.example');
    // dc3's rows become dc2's rows in a second role: the same ports, checked for two roles.
    const moved = <T extends { target: string; role: string | null }>(x: T): T =>
      x.target === 'dc3.corp.example' ? { ...x, target: 'dc2.corp.example', role: 'file-server' } : x;
    const { rootCauses: _stale, ...verdicts } = base.verdicts;
    const result: RunResult = {
      ...base,
      targets: base.targets.filter((t) => t.name !== 'dc3.corp.example'),
      verdicts: {
        expectations: verdicts.expectations.map(moved),
        services: verdicts.services.map(moved),
        targets: verdicts.targets.map(moved),
      },
    };
    const tags = strictTags(renderJunit(result, { now: NOW }));
    expect(tags.filter((t) => t.name === 'testsuite').map((t) => t.attrs.name)).to.deep.equal(['dc2.corp.example']);
    expect(caseCount(renderJunit(result, { now: NOW }), 'dc2.corp.example')).to.equal(dc2Cases);
    const property = (name: string) => tags.find((t) => t.name === 'property' && t.attrs.name === name)?.attrs.value;
    expect(property('roles')).to.equal('domain-controller,file-server');
    expect(property('verdict')).to.equal(result.verdicts.targets.map((t) => t.status).join(','));
  });

  it('two source addresses are one property; a target whose name did not resolve gets system-err', () => {
    const base = loadFixture('firewalled');
    const result: RunResult = {
      ...base,
      run: { ...base.run, source: { ...base.run.source, addresses: ['192.0.2.50', '2001:db8::50'] } },
      targets: base.targets.map((t, i) => (i === 0 ? { ...t, error: 'dc2: name did not resolve (ENOTFOUND)' } : t)),
    };
    const xml = renderJunit(result, { now: NOW });
    expect(xml).to.include('<property name="source.addresses" value="192.0.2.50,2001:db8::50"/>');
    expect(xml.match(/<system-err>/g)).to.have.length(1);
    expect(xml).to.include('<system-err>dc2: name did not resolve (ENOTFOUND)</system-err>');
  });

  it('escapes hostile text and drops characters XML 1.0 forbids', () => {
    const xml = renderJunit(loadFixture('hostile'), { now: NOW });
    expect(xml).not.to.include('<img');
    expect(xml).not.to.include(']]>');
    expect(xml).to.include(']]&gt;&lt;x&gt;cdata&lt;/x&gt;');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(xml).not.to.match(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe]/);
    if (XMLLINT) expect(xmllint(xml, ['--noout']).status).to.equal(0);
  });
});
