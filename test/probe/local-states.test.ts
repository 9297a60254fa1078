/**
 * `closed`, `filtered` and ICMP-unreachable without the nftables lab
 * (test/probe/netns-states.test.ts, root only): refused from a closed loopback port, no
 * answer from a loopback listener whose accept queue is full (the kernel drops the SYN, as
 * a dropping firewall does), and an unroutable TEST-NET address probed from inside a fresh
 * network namespace with no routes, so nothing can leave the machine.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Observation } from '../../src/model.js';
import type { UdpProbeResult } from '../../src/probe/udp.js';
import { run } from '../lab/run.js';
import { closedTcpPort } from '../support/fake-servers.js';
import { observeTcp } from '../support/observe-tcp.js';

function tcp(port: number, timeoutMs = 1000) {
  const ctx = { target: '127.0.0.1', address: '127.0.0.1', port, nonce: new Uint8Array(4) };
  return observeTcp({
    ...ctx,
    timeoutMs,
    appTimeoutMs: timeoutMs,
    signal: new AbortController().signal,
    module: null,
    ctx,
  });
}

describe('probe states without root', () => {
  it('refused: a closed loopback port is closed/rst', async () => {
    const { observation: o } = await tcp(await closedTcpPort());
    expect([o.state, o.reason, o.error]).to.deep.equal(['closed', 'rst', null]);
  });

  describe('no answer: a listener whose accept queue is full', () => {
    const PYTHON = spawnSync('python3', ['--version']).error ? null : 'python3';
    let listener: ChildProcess | null = null;
    let port = 0;
    before(async function () {
      if (!PYTHON) {
        console.log('      (skipped: python3 not found; it holds a listener that never accepts)');
        this.skip();
      }
      // listen(0) and never accept: one connection fills the queue, later SYNs are dropped.
      listener = spawn('python3', [
        '-c',
        "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)",
      ]);
      const [line] = (await once(listener.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
      port = Number(line.toString().trim());
    });
    after(() => {
      listener?.kill('SIGKILL');
    });

    it('is filtered/timeout, never open, and takes the whole timeout', async () => {
      const first = await tcp(port); // fills the accept queue
      expect(first.observation.state).to.equal('open');
      const started = performance.now();
      const { observation: o } = await tcp(port, 400);
      expect(performance.now() - started).to.be.at.least(350);
      expect([o.state, o.reason, o.rttMs, o.error]).to.deep.equal(['filtered', 'timeout', null, null]);
    });
  });
});

describe('probe states in a network namespace with no routes (TEST-NET 192.0.2.1)', function () {
  this.timeout(30_000);
  const script = fileURLToPath(new URL('../support/probe-once.ts', import.meta.url));
  /** As root a plain network namespace; otherwise an unprivileged user + network namespace. */
  const unshare = process.getuid?.() === 0 ? ['--net'] : ['--user', '--map-root-user', '--net'];
  let result: { tcp: Observation; udp: UdpProbeResult } | null = null;

  before(async function () {
    const probe = spawnSync('unshare', [...unshare, 'true'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      const why = probe.error ? 'unshare (util-linux) not found' : probe.stderr.trim();
      console.log(
        `      (skipped: cannot create a network namespace: ${why}; needs root or unprivileged user namespaces; CI runs it as root)`,
      );
      this.skip();
    }
    const out = await run('unshare', [...unshare, process.execPath, '--import=tsx', script, '192.0.2.1', '88'], {
      timeoutMs: 20_000,
    });
    result = JSON.parse(out.stdout);
  });

  it('TCP to an unroutable address is filtered/host-unreachable (no route leads there)', () => {
    expect([result?.tcp.state, result?.tcp.reason]).to.deep.equal(['filtered', 'host-unreachable']);
  });

  it('UDP to an unroutable address is filtered/host-unreachable, not a local error', () => {
    expect([result?.udp.state, result?.udp.reason, result?.udp.error]).to.deep.equal([
      'filtered',
      'host-unreachable',
      null,
    ]);
  });
});
