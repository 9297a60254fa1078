import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { PortolanError } from '../../src/errors.js';
import { renderers } from '../../src/report/index.js';
import { reportBaseName, writeFileAtomic, writeReports } from '../../src/report/write.js';
import { loadFixture, NOW } from './fixtures.js';

describe('writing reports', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-reports-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names files after target, role and start time', () => {
    expect(reportBaseName(loadFixture('healthy'))).to.equal(
      'portolan-dc1.corp.example-domain-controller-20261126T090000Z',
    );
    expect(reportBaseName(loadFixture('firewalled'))).to.match(/^portolan-2-targets-domain-controller-/);
  });

  it('writes every format, refreshes latest.<ext>, and never overwrites an earlier report', () => {
    const result = loadFixture('firewalled');
    const first = writeReports(result, { formats: ['html', 'junit', 'json', 'md'], dir, now: NOW }).written;
    const second = writeReports(result, { formats: ['html', 'junit', 'json', 'md'], dir, now: NOW }).written;
    const base = reportBaseName(result);
    expect(first.map((w) => w.path)).to.deep.equal(['html', 'xml', 'json', 'md'].map((e) => join(dir, `${base}.${e}`)));
    expect(second.map((w) => w.path)).to.deep.equal(
      ['html', 'xml', 'json', 'md'].map((e) => join(dir, `${base}-2.${e}`)),
    );
    expect(readFileSync(join(dir, 'latest.xml'), 'utf8')).to.equal(renderers.junit(result, { now: NOW }));
    expect(readFileSync(join(dir, 'latest.html'), 'utf8')).to.equal(renderers.html(result, { now: NOW }));
    expect(readdirSync(dir).sort()).to.have.length(12);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('keeps a hostile base name inside the directory', () => {
    const [written] = writeReports(loadFixture('healthy'), {
      formats: ['json'],
      dir,
      baseName: '../../etc/passwd',
    }).written;
    expect(written?.path.startsWith(`${dir}/`)).to.equal(true);
    expect(written?.path).to.equal(join(dir, 'etc_passwd.json'));
  });

  it("keep: 'latest' replaces <name>.<ext> each run (a plan's outputs) and writes no latest.*", () => {
    const result = loadFixture('healthy');
    writeReports(result, { formats: ['json', 'md'], dir, baseName: 'nightly', keep: 'latest', now: NOW });
    const again = writeReports(result, {
      formats: ['json', 'md'],
      dir,
      baseName: 'nightly',
      keep: 'latest',
      now: NOW,
    }).written;
    expect(again.map((w) => w.path)).to.deep.equal([join(dir, 'nightly.json'), join(dir, 'nightly.md')]);
    expect(readdirSync(dir).sort()).to.deep.equal(['nightly.json', 'nightly.md']);
  });

  it('a directory it cannot create is FILE_UNWRITABLE naming it', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const err = (() => {
      try {
        writeReports(loadFixture('healthy'), { formats: ['json'], dir: join(file, 'sub') });
      } catch (e) {
        return e as PortolanError;
      }
    })();
    expect(err?.code).to.equal('FILE_UNWRITABLE');
    expect(err?.message).to.include(join(file, 'sub'));
  });

  it('writeFileAtomic replaces the whole file, and leaves the old one intact when it cannot write', () => {
    const file = join(dir, 'out.html');
    writeFileSync(file, 'old');
    writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).to.equal('new');
    expect(() => writeFileAtomic(join(dir, 'missing-dir', 'x.html'), 'y')).to.throw(/ENOENT/);
    expect(readdirSync(dir)).to.deep.equal(['out.html']);
  });
});
