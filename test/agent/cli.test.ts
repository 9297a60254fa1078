import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const harness = join(import.meta.dirname, '..', 'plan', 'cli-harness.ts');
const exec = promisify(execFile);

/** Exit code and output of `portolan ARGS` (never rejects). */
async function portolan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import=tsx', harness, ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('portolan run / history / diff / agent (command line)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-cli-'));
    // Port 1 on loopback is closed: a refused port needs no listener and sends nothing off-host.
    writeFileSync(
      join(dir, 'plan.yaml'),
      `version: 1
name: cli
options: { appProbes: false, timeoutMs: 300, retries: 0 }
groups:
  - name: local
    targets: [127.0.0.1]
    blocked: { ports: [1/tcp] }
outputs: { directory: ${join(dir, 'out')}, formats: [json] }
`,
    );
    writeFileSync(
      join(dir, 'bad.yaml'),
      'version: 1\nname: bad\ngroups:\n  - name: g\n    targets: [a.test]\n    ports: [80]\n',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exit 0 for a compliant plan, twice; history lists both; diff shows no changes', async () => {
    const db = join(dir, 'h.db');
    const first = await portolan(['run', join(dir, 'plan.yaml'), '--history', db, '--print', 'none']);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stderr).to.include(`wrote ${join(dir, 'out', 'cli.json')}`);
    const second = await portolan(['run', join(dir, 'plan.yaml'), '--history', db, '--print', 'none']);
    expect(second.stderr).to.match(/since run 1 .*\nno changes/);
    const history = await portolan(['history', '--history', db]);
    expect(history.stdout).to.match(/^ID\s+STARTED\s+PLAN\s+SOURCE\s+VERDICT/);
    expect(history.stdout.trim().split('\n')).to.have.length(3);
    const diff = await portolan(['diff', '--history', db]);
    expect(diff.stdout).to.equal('run 1 (compliant) -> run 2 (compliant)\nno changes\n');
  });

  it('exit 2 with file:line:col for a plan error', async () => {
    const bad = await portolan(['run', join(dir, 'bad.yaml'), '--no-history']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include(`${join(dir, 'bad.yaml')}:6:13:`);
  });

  it('agent: SIGTERM finishes the current run and exits 0', async function () {
    if (process.platform === 'win32') {
      console.log('      (skipped: Windows cannot send SIGTERM to a process; kill() ends it at once)');
      this.skip();
    }
    const child = spawn(
      process.execPath,
      [
        '--import=tsx',
        harness,
        'agent',
        join(dir, 'plan.yaml'),
        '--every',
        '1h',
        '--no-history',
        '--log-format',
        'json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).to.equal(0);
    expect(JSON.parse(out.trim())).to.include({ event: 'run', plan: 'cli', status: 'compliant' });
  });
});
