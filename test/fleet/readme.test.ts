/**
 * README's "Fleet" section names only commands that work: every `portolan` line in its shell
 * blocks is run here. `check` and `run` send traffic, so they go through `--dry-run` (the real
 * argument, plan and target checks); `merge` and `matrix` run for real, on results recorded
 * here (the history URL becomes a temp SQLite history: test/fleet/matrix-history.test.ts shows
 * PostgreSQL gives the same matrix).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { History } from '../../src/history/store.js';
import type { RunResult } from '../../src/model.js';
import { shellCommands } from '../deploy/command-lines.js';
import { runCli } from '../support/cli.js';
import { fleetResult } from './fleet-results.js';

const REPO = join(import.meta.dirname, '../..');

function fleetSection(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf('## Fleet');
  expect(start, 'README has a Fleet section').to.be.greaterThan(0);
  const end = readme.indexOf('\n## ', start + 3);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The two vantage points of the README's example: branch-12 cannot reach Kerberos on dc1. */
function results(): Record<string, RunResult> {
  const dc1 = { name: 'dc1.corp.example', addresses: ['192.0.2.10'] };
  const now = new Date().toISOString();
  const hq = fleetResult('hq', { site: 'hq' }, [dc1]);
  const branch = fleetResult('branch-12', { site: 'branch-12' }, [
    { ...dc1, outcomes: { 'kdc/tcp/88': { state: 'filtered', reason: 'timeout' } } },
  ]);
  for (const r of [hq, branch]) r.run.startedAt = now;
  return { 'hq.json': hq, 'branch-12.json': branch };
}

describe("README's Fleet section", function () {
  this.timeout(60_000);
  let dir: string;
  let history: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-readme-fleet-'));
    history = join(dir, 'history.db');
    const h = await History.open(history);
    try {
      for (const [file, result] of Object.entries(results())) {
        writeFileSync(join(dir, file), JSON.stringify(result));
        await h.record(result, { name: 'fleet-dcs', file: null });
      }
    } finally {
      await h.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every portolan command in it runs: check and run as a dry run, merge and matrix for real', async () => {
    const blocks = [...fleetSection().matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const commands = blocks.flatMap((b) => shellCommands(b, {}, 'README'));
    expect(commands.map((c) => c.args[0])).to.deep.equal([
      'check',
      'check',
      'merge',
      'merge',
      'run',
      'run',
      'matrix',
      'matrix',
    ]);
    for (const { args } of commands) {
      const [command] = args;
      if (command === 'check' || command === 'run') {
        const run = await runCli([...args, '--dry-run']);
        expect(run.code, `portolan ${args.join(' ')}: ${run.stderr}`).to.equal(0);
        expect(run.stdout).to.match(/^Dry run: /);
        continue;
      }
      // Files the README names are this test's; every history location is the one recorded here.
      const local = args.map((a, i) =>
        args[i - 1] === '--history' ? history : /^[\w.-]+\.(json|md)$/.test(a) ? join(dir, a) : a,
      );
      const run = await runCli(local);
      expect(run.code, `portolan ${args.join(' ')}: ${run.stderr}`).to.equal(1);
      const out = local.includes('-o') ? readFileSync(local[local.indexOf('-o') + 1] as string, 'utf8') : run.stdout;
      expect(out, args.join(' ')).to.include('88/tcp').and.include('site=branch-12');
    }
  });
});
