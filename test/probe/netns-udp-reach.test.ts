/**
 * The UDP schedule and host reachability against a real kernel: a network namespace the
 * suite creates (its name carries our process id), joined to this one by a veth pair on a
 * /24 of its own (no route leaves the machine). In it:
 * - TARGET, where nothing listens, with Linux's default ICMP rate limit (a burst of six port
 *   unreachables, then one a second);
 * - SERVER, a fake TFTP server on 69/udp that answers from a new port, as TFTP does;
 * - DEAD, an address of the subnet no host holds: neighbour discovery goes unanswered.
 * Needs root, `ip` and python3; without them it says it skipped and why. CI runs it as root.
 * Times are printed beside the floor the host's rate sets, not asserted against it (a loaded
 * machine would make that flaky); the bounds asserted are generous.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { expect } from 'chai';
import { runCheck } from '../../src/check/run-check.js';
import type { Observation } from '../../src/model.js';
import type { EngineOptions } from '../../src/probe/engine.js';
import { defaultRunSettings } from '../../src/run-options.js';
import { run } from '../lab/run.js';
import { runEngine } from '../support/engine.js';
import { portExpectation } from '../support/expectations.js';
import { createVethNamespace, removeVethNamespace, skipWithoutNamespaces } from '../support/veth-namespace.js';

const NS = `pur-${process.pid}`;
const HOST_IF = `pura${process.pid % 100000}`;
const NS_IF = `purb${process.pid % 100000}`;
/** A subnet of our own, so a parallel run of this suite does not meet ours. */
const NET = `10.233.${process.pid % 250}`;
const LOCAL = `${NET}.1`;
const TARGET = `${NET}.2`;
const SERVER = `${NET}.3`;
const DEAD = `${NET}.99`;
const VETH = { ns: NS, hostIf: HOST_IF, nsIf: NS_IF, local: LOCAL, addresses: [TARGET, SERVER], prefix: 24 };

const udp = (port: number) => portExpectation('udp', port);

/** The run option table's defaults: what `portolan check` does without flags. */
function defaults(): EngineOptions {
  const s = defaultRunSettings();
  return {
    timeoutMs: s.timeoutMs,
    retries: s.retries,
    concurrency: s.concurrency,
    perHost: s.perHost,
    appProbes: s.appProbes,
    rpcMode: s.rpcMode,
    rpcSample: s.rpcSample,
    localAddress: LOCAL,
  };
}

/** A TFTP server that answers every read request with ERROR 1 (file not found), from a new port. */
const FAKE_TFTP = `import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('${SERVER}', 69))
print('ready', flush=True)
while True:
    data, peer = s.recvfrom(2048)
    if data[:2] == b'\\x00\\x01':
        t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t.bind(('${SERVER}', 0))
        t.sendto(b'\\x00\\x05\\x00\\x01File not found\\x00', peer)
        t.close()`;

describe('UDP at the ICMP rate limit, other-port replies, and a dead address (network namespace)', function () {
  this.timeout(120_000);
  let server: ChildProcess | null = null;

  before(async function () {
    skipWithoutNamespaces(this, [
      ['/usr/sbin/ip', 'iproute2'],
      ['/usr/bin/python3', 'python3'],
    ]);
    await createVethNamespace(VETH);
    // Linux's defaults, said explicitly: the test is about them.
    await run('ip', ['netns', 'exec', NS, 'sysctl', '-q', '-w', 'net.ipv4.icmp_ratelimit=1000']);
    server = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', FAKE_TFTP], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the fake TFTP server did not start')), 10_000);
      server?.stdout?.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  });

  after(async () => {
    server?.kill('SIGKILL');
    await removeVethNamespace(VETH);
  });

  it('20 closed UDP ports of a rate-limited host: all closed, close to the floor', async () => {
    const ports = Array.from({ length: 20 }, (_, i) => 7100 + i);
    const started = performance.now();
    const out = await runEngine(ports.map(udp), [{ name: 'target', addresses: [TARGET] }], defaults());
    const seconds = (performance.now() - started) / 1000;
    // Six answers at once, then one a second: 14 s, plus a round trip.
    console.log(`      20 closed UDP ports: ${seconds.toFixed(2)} s (floor 14.0 s + one round trip)`);
    const states = out.observations.map((o) => `${o.port}/${o.state}/${o.reason}`);
    expect(states).to.have.members(ports.map((p) => `${p}/closed/icmp-port-unreachable`));
    expect(seconds, 'a generous bound: the floor and a half').to.be.lessThan(21);
    // The host does ration its answers: twenty datagrams at once draw far fewer than twenty.
    expect(await burstAnswers(ports)).to.be.lessThan(ports.length);
  });

  it('a closed port of a protocol that answers from another port (TFTP, L2TP) is closed; the reply still counts', async () => {
    await new Promise((r) => setTimeout(r, 2000)); // the host's ICMP tokens refill
    const out = await runEngine(
      [udp(69), udp(1701)],
      [
        { name: 'nothing', addresses: [TARGET] },
        { name: 'tftp', addresses: [SERVER] },
      ],
      defaults(),
    );
    const seen = (target: string, port: number) => {
      const o = out.observations.find((x) => x.target === target && x.port === port) as Observation;
      return [o.state, o.reason, o.module];
    };
    expect(seen('nothing', 69)).to.deep.equal(['closed', 'icmp-port-unreachable', 'tftp']);
    expect(seen('nothing', 1701)).to.deep.equal(['closed', 'icmp-port-unreachable', 'l2tp']);
    expect(seen('tftp', 69)).to.deep.equal(['open', 'reply', 'tftp']);
    const tftp = out.observations.find((x) => x.target === 'tftp' && x.port === 69);
    expect(tftp?.confirmed).to.equal(true);
    expect(tftp?.evidence.join(' ')).to.match(/TFTP server answered with ERROR 1/);
  });

  it('a dead address: TCP, UDP and ICMP filtered/host-unreachable, and one sentence for the target', async () => {
    const started = performance.now();
    const result = await runCheck({
      targets: [{ name: DEAD, origin: 'test' }],
      roles: [],
      services: [],
      ports: ['445/tcp', '389/udp', '69/udp', 'icmp'],
      options: { source: LOCAL },
      commandLine: ['test'],
    });
    console.log(`      dead address: ${((performance.now() - started) / 1000).toFixed(2)} s`);
    const seen = result.observations.map((o) => [`${o.protocol}/${o.port ?? ''}`, o.state, o.reason]);
    expect(seen).to.have.deep.members([
      ['tcp/445', 'filtered', 'host-unreachable'],
      ['udp/389', 'filtered', 'host-unreachable'],
      ['udp/69', 'filtered', 'host-unreachable'],
      ['icmp/', 'filtered', 'host-unreachable'],
    ]);
    const [verdict] = result.verdicts.targets;
    expect(verdict?.unreachable).to.deep.equal([DEAD]);
    expect(verdict?.summary).to.match(new RegExp(`^No host answered at ${DEAD.replaceAll('.', '\\.')}: every probe`));
    expect(result.summary.headline.match(/No host answered/g)).to.have.length(1);
    expect(result.summary.status).to.equal('non-compliant');
  });
});

/** ICMP answers to one datagram per port, all sent at once, within 300 ms: what a prober without a schedule gets. */
async function burstAnswers(ports: number[]): Promise<number> {
  const sockets = ports.map(() => createSocket('udp4'));
  let answers = 0;
  await Promise.all(
    sockets.map(
      (s, i) =>
        new Promise<void>((resolve) => {
          s.on('error', () => answers++);
          s.bind({ address: LOCAL, port: 0 }, () => s.connect(ports[i] as number, TARGET, () => resolve()));
        }),
    ),
  );
  for (const s of sockets) s.send(new Uint8Array(0));
  await new Promise((r) => setTimeout(r, 300));
  for (const s of sockets) s.close();
  return answers;
}
