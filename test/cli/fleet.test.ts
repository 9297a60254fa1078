/**
 * `portolan merge` and `portolan matrix` through the real CLI: result files in, the matrix
 * out in every format, the fleet's exit code, and one clear line (exit 2) for bad input.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { FleetView } from '../../src/fleet/types.js';
import { fleetResults } from '../fleet/fleet-results.js';
import { runCli } from '../support/cli.js';

describe('portolan merge / matrix (CLI)', function () {
  this.timeout(30_000);
  let dir: string;
  let files: string[];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-fleet-cli-'));
    files = fleetResults().map((r) => {
      const file = join(dir, `${r.run.source.name}.json`);
      writeFileSync(file, JSON.stringify(r));
      return file;
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('merge prints the matrix and exits 1 when a cell is non-compliant', async () => {
    const run = await runCli(['merge', ...files]);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stdout).to.match(/^FLEET NON-COMPLIANT: 3 root causes across 3 sources and 2 targets/);
    expect(run.stdout).to.match(
      /\nbranch-12\s+site=branch-12\s+NON-COMPLIANT 88\/tcp 88\/udp\s+NON-COMPLIANT 389\/tcp\n/,
    );
    expect(run.stdout).to.include('The path from site=branch-12 (branch-12) blocks it');
  });

  it('merge --format json -o writes the fleet view; --format md renders Markdown', async () => {
    const out = join(dir, 'fleet.json');
    const run = await runCli(['merge', ...files, '--format', 'json', '-o', out]);
    expect(run.code, run.stderr).to.equal(1);
    const view = JSON.parse(readFileSync(out, 'utf8')) as FleetView;
    expect(view.sources.map((s) => s.name)).to.deep.equal(['branch-12', 'hq', 'vlan-20']);
    expect(view.sources[0]?.runs[0]?.origin).to.equal(files[1]);
    const md = await runCli(['merge', ...files, '--format', 'md']);
    expect(md.stdout).to.include(
      '| branch-12 | site=branch-12 | NON-COMPLIANT 88/tcp 88/udp | NON-COMPLIANT 389/tcp |',
    );
  });

  it('a file that is not a result, an unknown format or a bad --since: one line, exit 2, nothing written', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"schemaVersion": 1}');
    const out = join(dir, 'never.md');
    const notResult = await runCli(['merge', files[0] as string, bad, '--format', 'md', '-o', out]);
    expect(notResult.code).to.equal(2);
    expect(existsSync(out)).to.equal(false);
    expect(notResult.stderr).to.match(/^portolan: .*bad\.json: not a portolan result/);
    const format = await runCli(['merge', ...files, '--format', 'pdf']);
    expect(format.code).to.equal(2);
    expect(format.stderr).to.equal('portolan: --format "pdf": expected one of table, md, json, html, junit\n');
    const since = await runCli(['matrix', '--history', join(dir, 'h.db'), '--since', 'yesterday']);
    expect(since.code).to.equal(2);
    expect(since.stderr).to.match(/--since "yesterday": expected a duration/);
    const none = await runCli(['merge']);
    expect(none.code).to.equal(2);
  });

  it('--dry-run checks the flags and reads and writes nothing', async () => {
    const out = join(dir, 'dry', 'matrix.md');
    const merge = await runCli(['merge', join(dir, 'absent.json'), '--format', 'md', '-o', out, '--dry-run']);
    expect(merge.code, merge.stderr).to.equal(0);
    expect(merge.stdout).to.include('Would merge 1 result file(s):').and.include(`as md to ${out}`);
    const matrix = await runCli([
      'matrix',
      '--history',
      'postgres://portolan:secret@db.corp.example/portolan',
      '--plan',
      'dcs',
      '--since',
      '24h',
      '--dry-run',
    ]);
    expect(matrix.code, matrix.stderr).to.equal(0);
    expect(matrix.stdout).to.include(
      'of plan dcs, started in the last 24h from postgres://portolan:***@db.corp.example',
    );
    expect(matrix.stdout).not.to.include('secret');
    expect(existsSync(join(dir, 'dry'))).to.equal(false);
    const bad = await runCli(['matrix', '--since', '5 parsecs', '--dry-run']);
    expect(bad.code).to.equal(2);
  });

  it('--help teaches: how to read the matrix, examples, exit codes', async () => {
    for (const command of ['merge', 'matrix']) {
      const help = await runCli([command, '--help']);
      expect(help.code).to.equal(0);
      expect(help.stdout).to.include('Examples:').and.include('Exit codes:').and.include('host firewall');
    }
  });
});
