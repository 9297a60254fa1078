import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { renderJunit } from '../../src/report/junit.js';
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
