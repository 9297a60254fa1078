/**
 * `npm start` proves something: with no arguments it builds, starts `portolan listen` for the
 * domain-controller role on 127.0.0.1, runs `portolan check --responder` against it and writes
 * every report. Every port must answer the responder (the verdict is compliant because each
 * was verified, not because closed ports passed). The reports it writes are removed after.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import type { RunResult } from '../src/model.js';

const ROOT = resolve(import.meta.dirname, '..');
const REPORTS = join(ROOT, 'reports');

describe('npm start', function () {
  this.timeout(240_000);

  before(function () {
    if (process.platform !== 'win32' && process.getuid?.() !== 0) {
      console.log('    skipped: the responder serves ports below 1024, which needs root here (CI runs as root)');
      this.skip();
    }
  });

  it('demonstrates a real check on loopback: a responder for a DC, every port verified, reports written', () => {
    const before = new Set(readdirSync(REPORTS));
    try {
      const run = spawnSync(process.execPath, ['scripts/start.mjs'], { cwd: ROOT, encoding: 'utf8', timeout: 200_000 });
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/Responder serving \d+ ports on 127\.0\.0\.1; checking them/);
      expect(run.stdout).to.include('✔ COMPLIANT');
      expect(run.stdout).to.include('HTML report: reports/latest.html (exit 0)');
      const written = readdirSync(REPORTS).filter((f) => !before.has(f) || f.startsWith('latest.'));
      for (const ext of ['txt', 'json', 'html', 'md', 'xml']) expect(written).to.include(`latest.${ext}`);
      const result = JSON.parse(readFileSync(join(REPORTS, 'latest.json'), 'utf8')) as RunResult;
      expect(result.run.options.responder).to.equal(true);
      const probed = result.observations.filter((o) => o.protocol === 'tcp' || o.protocol === 'udp');
      expect(probed.length).to.be.greaterThan(30);
      expect(probed.every((o) => o.responder === 'verified')).to.equal(true);
      expect(result.verdicts.expectations.every((v) => v.status === 'pass' || v.status === 'untestable')).to.equal(
        true,
      );
      // the token never lands in the recorded command line
      expect(result.run.commandLine.join(' ')).not.to.include('--token');
    } finally {
      for (const f of readdirSync(REPORTS)) if (!before.has(f)) rmSync(join(REPORTS, f), { force: true });
    }
  });
});
