import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { RunResult } from '../../src/model.js';
import { renderJunit } from '../../src/report/junit.js';
import { commandLineText } from '../../src/report/rows.js';
import { fixtureNames, JUNIT_XSD, loadFixture, NOW } from './fixtures.js';
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
  });

  it('one testsuite per target and role, one testcase per expectation verdict', () => {
    const result = loadFixture('firewalled');
    const xml = renderJunit(result, { now: NOW });
    expect(xml.match(/<testsuite /g)).to.have.length(2);
    expect(xml.match(/<testcase /g)).to.have.length(result.verdicts.expectations.length);
    expect(xml).to.include('<testsuite name="dc2.corp.example (domain-controller)"');
    expect(xml).to.include('<testcase classname="dc2.corp.example.kdc" name="88/udp Kerberos"');
    expect(xml).to.match(/<testsuites name="portolan" tests="40" failures="7" errors="0" skipped="2"/);
  });

  it('failures carry the explanation; inconclusive and waived are skipped with the reason', () => {
    const xml = renderJunit(loadFixture('firewalled'), { now: NOW });
    expect(xml).to.match(
      /<failure message="Group Policy will not apply[^"]*: SMB 445\/tcp on dc2\.corp\.example \(192\.0\.2\.11\) is closed \(connection reset[^"]*" type="closed">/,
    );
    expect(xml).to.match(
      /<skipped message="Waived until 2027-03-31 \(owner: netops\): NetBIOS disabled by policy \(CHG-1042\)\. Finding: /,
    );
    expect(xml).to.match(
      /<skipped message="inconclusive: NetBIOS Name Resolution 137\/udp on dc2\.corp\.example [^"]*no reply/,
    );
    expect(xml).to.include('<property name="catalog.digest" value="sha256:3f5a0c9e');
    expect(xml).to.include('<property name="source.addresses" value="192.0.2.50"/>');
  });

  it('a quote, tag or newline in a command line or waiver reason stays inside its attribute', () => {
    const base = loadFixture('hostile');
    const argv = ['portolan', 'check', '--note', 'say "hi" & <bye>\n\t\'x\''];
    const reason = 'Waived until 2027-01-31 (owner: "ops" <ops@corp.example>): CHG-"7" & co.\nsecond line';
    const at = base.verdicts.expectations.findIndex((v) => v.status === 'fail');
    const expectations = base.verdicts.expectations.map((v, i) =>
      i === at ? { ...v, status: 'waived' as const, explanation: reason } : v,
    );
    const result: RunResult = {
      ...base,
      run: { ...base.run, commandLine: argv },
      verdicts: { ...base.verdicts, expectations },
    };
    const tags = strictTags(renderJunit(result, { now: NOW }));
    const property = (name: string) => tags.find((t) => t.name === 'property' && t.attrs.name === name)?.attrs.value;
    expect(property('commandLine')).to.equal(commandLineText(argv));
    expect(tags.filter((t) => t.name === 'skipped').map((t) => t.attrs.message)).to.include(reason);
  });

  it('one target in two roles: one suite per role, each with its own cases and verdict', () => {
    const base = loadFixture('firewalled');
    // dc3's rows become dc2's rows in a second role.
    const moved = <T extends { target: string; role: string | null }>(x: T): T =>
      x.target === 'dc3.corp.example' ? { ...x, target: 'dc2.corp.example', role: 'file-server' } : x;
    const result: RunResult = {
      ...base,
      targets: base.targets.filter((t) => t.name !== 'dc3.corp.example'),
      verdicts: {
        expectations: base.verdicts.expectations.map(moved),
        services: base.verdicts.services.map(moved),
        targets: base.verdicts.targets.map(moved),
      },
    };
    const count = (role: string) => result.verdicts.expectations.filter((v) => v.role === role).length;
    const tags = strictTags(renderJunit(result, { now: NOW }));
    const suites = tags.filter((t) => t.name === 'testsuite');
    expect(suites.map((t) => [t.attrs.name, Number(t.attrs.tests)])).to.deep.equal([
      ['dc2.corp.example (domain-controller)', count('domain-controller')],
      ['dc2.corp.example (file-server)', count('file-server')],
    ]);
    const verdicts = tags.filter((t) => t.name === 'property' && t.attrs.name === 'verdict').map((t) => t.attrs.value);
    const expected = result.verdicts.targets.map((tv) => `${tv.status}: ${tv.summary}`);
    expect(verdicts).to.deep.equal(expected);
    expect(new Set(verdicts).size, 'each role its own verdict').to.equal(2);
  });

  it('failure bodies carry the caveat and the service chain; a target that did not resolve gets system-err', () => {
    const base = loadFixture('firewalled');
    const at = base.verdicts.expectations.findIndex((v) => v.status === 'fail');
    const failing = base.verdicts.expectations[at];
    const result: RunResult = {
      ...base,
      run: { ...base.run, source: { ...base.run.source, addresses: ['192.0.2.50', '2001:db8::50'] } },
      targets: base.targets.map((t, i) => (i === 0 ? { ...t, error: 'dc2: name did not resolve (ENOTFOUND)' } : t)),
      verdicts: {
        ...base.verdicts,
        expectations: base.verdicts.expectations.map((v, i) =>
          i === at ? { ...v, caveat: 'a host firewall looks the same' } : v,
        ),
      },
    };
    const xml = renderJunit(result, { now: NOW });
    expect(xml).to.include('<property name="source.addresses" value="192.0.2.50,2001:db8::50"/>');
    expect(xml).to.include('<system-err>dc2: name did not resolve (ENOTFOUND)</system-err>');
    const body = xml.split(`message="${failing?.explanation.slice(0, 30)}`)[1]?.split('</failure>')[0] ?? '';
    expect(body).to.include('\nCaveat: a host firewall looks the same\n');
    expect(body).to.match(/\nService:\n {2}/);
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
