/**
 * `portolan exporter` and `portolan agent --metrics-listen` from the command line: help,
 * one-line errors with exit 2, and the real processes serving metrics on loopback until SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { runCli } from '../support/cli.js';
import { eventually, freePort, REPO } from './support.js';

const BIN = join(REPO, 'src', 'cli', 'bin.ts');

interface Child {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
}

function start(args: string[], input?: string): Child {
  const child = spawn(process.execPath, ['--import=tsx', BIN, ...args], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  if (input === undefined) child.stdin?.end();
  else child.stdin?.end(input);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

async function stdoutOf(c: Child): Promise<string> {
  let out = '';
  c.child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  await c.exit;
  return out;
}

/** A loopback TCP listener that counts connections: proof of whether a scrape probed. */
async function countingListener(): Promise<{ port: number; connections: () => number; server: Server }> {
  let connections = 0;
  const server = createServer((s) => {
    connections++;
    s.on('error', () => {}).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { port: (server.address() as { port: number }).port, connections: () => connections, server };
}

describe('portolan exporter / agent --metrics-listen (command line)', function () {
  this.timeout(90_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-exporter-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exporter --help teaches the flags, with examples', async () => {
    const { code, stdout } = await runCli(['exporter', '--help']);
    expect(code).to.equal(0);
    for (const flag of [
      '--web.listen-address',
      '--web.config.file',
      '--config',
      '--allow-target',
      '--timeout-offset',
      '--max-concurrent-probes',
      '--hash-password',
    ]) {
      expect(stdout).to.include(flag);
    }
    expect(stdout).to.include('127.0.0.1:10088');
    expect(stdout).to.match(/Examples:\n {2}portolan exporter --allow-target/);
  });

  it('bad flags and files: one line, exit 2, nothing served', async () => {
    writeFileSync(
      join(dir, 'responder.yml'),
      'version: 1\nmodules:\n  pre:\n    roles: [file-server]\n    options:\n      responder: true\n',
    );
    const token = process.env.PORTOLAN_RESPONDER_TOKEN;
    delete process.env.PORTOLAN_RESPONDER_TOKEN;
    const cases: [string[], RegExp][] = [
      [['--web.listen-address', 'localhost'], /--web\.listen-address "localhost": expected HOST:PORT/],
      [['--allow-target', '10.0.0.0/40'], /--allow-target "10\.0\.0\.0\/40": expected/],
      [['--config', join(dir, 'missing.yml')], /missing\.yml: cannot read/],
      [['--web.config.file', join(dir, 'missing.yml')], /missing\.yml: cannot read/],
      [['--timeout-offset', 'soon'], /--timeout-offset "soon": expected seconds/],
      [['--max-concurrent-probes', '0'], /--max-concurrent-probes "0": expected a whole number from 1/],
      [['--config', join(dir, 'responder.yml')], /module pre has responder: true; set \$PORTOLAN_RESPONDER_TOKEN/],
    ];
    try {
      for (const [args, message] of cases) {
        const { code, stderr } = await runCli(['exporter', ...args]);
        expect(code, args.join(' ')).to.equal(2);
        expect(stderr.trim().split('\n'), args.join(' ')).to.have.length(1);
        expect(stderr, args.join(' ')).to.match(message);
      }
    } finally {
      if (token !== undefined) process.env.PORTOLAN_RESPONDER_TOKEN = token;
    }
  });

  it('exporter on a port in use: one line naming the flag, exit 2', async () => {
    const busy = await countingListener();
    try {
      const { code, stderr } = await runCli(['exporter', '--web.listen-address', `127.0.0.1:${busy.port}`]);
      expect(code).to.equal(2);
      expect(stderr).to.match(
        new RegExp(`--web\\.listen-address 127\\.0\\.0\\.1:${busy.port}: in use by another program`),
      );
    } finally {
      busy.server.close();
    }
  });

  it('--hash-password prints a bcrypt hash of stdin that verifies', async () => {
    const c = start(['exporter', '--hash-password'], 'correct horse\n');
    const out = await stdoutOf(c);
    expect(await c.exit).to.equal(0);
    const hash = out.trim();
    expect(hash).to.match(/^\$2[aby]\$10\$/);
    expect(await bcrypt.compare('correct horse', hash)).to.equal(true);
  });

  it('the exporter process probes on /probe, refuses what --allow-target does not name, and exits 0 on SIGTERM', async () => {
    const listener = await countingListener();
    const port = await freePort();
    const c = start(['exporter', '--web.listen-address', `127.0.0.1:${port}`, '--allow-target', '127.0.0.1']);
    try {
      const base = `http://127.0.0.1:${port}`;
      const body = await eventually(
        () =>
          fetch(`${base}/probe?target=127.0.0.1&port=${listener.port}/tcp`).then(
            (r) => r.text(),
            () => undefined,
          ),
        30_000,
        'the exporter',
      );
      expect(body).to.match(/^portolan_probe_success\{target="127\.0\.0\.1"\} 1$/m);
      expect(c.stderr()).to.include(`http://127.0.0.1:${port}/probe`);
      expect((await fetch(`${base}/probe?target=127.0.0.2&port=${listener.port}/tcp`)).status).to.equal(403);
    } finally {
      c.child.kill('SIGTERM');
      expect(await c.exit).to.equal(0);
      listener.server.close();
    }
  });

  it('agent --metrics-listen serves the latest run under the same names, and a scrape never probes', async () => {
    const listener = await countingListener();
    const port = await freePort();
    writeFileSync(
      join(dir, 'plan.yaml'),
      `version: 1\nname: metrics\noptions: { appProbes: false, timeoutMs: 500 }\ngroups:\n  - name: local\n    targets: [127.0.0.1]\n    ports: [${listener.port}/tcp]\noutputs: { directory: ${join(dir, 'out')}, formats: [json] }\n`,
    );
    const c = start([
      'agent',
      join(dir, 'plan.yaml'),
      '--every',
      '10m',
      '--no-history',
      '--metrics-listen',
      `127.0.0.1:${port}`,
    ]);
    try {
      const url = `http://127.0.0.1:${port}/metrics`;
      const first = await eventually(
        async () => {
          const text = await fetch(url).then(
            (r) => r.text(),
            () => '',
          );
          return /portolan_probe_success/.test(text) ? text : undefined;
        },
        30_000,
        "the agent's first run",
      );
      expect(first).to.match(/^portolan_probe_success\{target="127\.0\.0\.1"\} 1$/m);
      expect(first).to.match(
        new RegExp(
          `^portolan_port_state\\{target="127\\.0\\.0\\.1",service="adhoc",protocol="tcp",port="${listener.port}",state="open"\\} 1$`,
          'm',
        ),
      );
      expect(first).to.match(/^portolan_agent_runs_total 1$/m);
      expect(first).to.match(/^portolan_agent_last_run_timestamp_seconds \d{10}/m);
      expect(first).to.match(/^process_cpu_seconds_total /m);
      const probed = listener.connections();
      for (let i = 0; i < 3; i++) await fetch(url).then((r) => r.text());
      expect(listener.connections(), 'scrapes did not probe').to.equal(probed);
      expect(c.stderr()).to.include(`metrics on http://127.0.0.1:${port}/metrics`);
    } finally {
      c.child.kill('SIGTERM');
      expect(await c.exit).to.equal(0);
      listener.server.close();
    }
  });

  it('agent: --web.config.file without --metrics-listen, or a bad address, is one line and exit 2', async () => {
    const a = await runCli(['agent', join(dir, 'plan.yaml'), '--every', '1m', '--web.config.file', 'x.yml']);
    expect(a.code).to.equal(2);
    expect(a.stderr).to.match(/--web\.config\.file goes with --metrics-listen/);
    const b = await runCli(['agent', join(dir, 'plan.yaml'), '--every', '1m', '--metrics-listen', '10089']);
    expect(b.code).to.equal(2);
    expect(b.stderr).to.match(/--metrics-listen "10089": expected HOST:PORT/);
  });
});
