#!/usr/bin/env node
// `npm run bench` (root): probe throughput and peak memory against namespace hosts this
// script creates and removes. Traffic stays on a veth pair to its own namespace (10.231.2.0/24,
// no other route). Measures:
//   1. a 10,000-port TCP sweep of one host (and `nmap -sT` on the same sweep, if installed);
//   2. a domain-controller role check of 50 hosts (50 addresses in the namespace, each with
//      a few listeners; ICMP rate limiting off there, as 50 separate hosts would each have their own);
//   3. portolan beside nmap on four hosts with Linux's ICMP rate limit (side-by-side.mjs): the
//      domain-controller role's ports, and a UDP-heavy port list, each with its floor.
import { spawn } from 'node:child_process';
import { expandScope } from '../../dist/catalog/expand.js';
import { loadCatalog } from '../../dist/catalog/load.js';
import { parseRange } from '../../dist/catalog/port-sets.js';
import { runCheck } from '../../dist/check/run-check.js';
import { sampleRange, udpRangeSample } from '../../dist/probe/rpc-sample.js';
import { resolveRunSettings } from '../../dist/run-options.js';
import { quiet, sh } from './shell.mjs';
import { setupSideBySide, sideBySide, teardownSideBySide } from './side-by-side.mjs';

if (process.getuid?.() !== 0) {
  console.error('bench: needs root to create a network namespace (the only place it sends traffic)');
  process.exit(2);
}
const NS = 'pbench';
const HOST_IF = 'pbencha';
const NS_IF = 'pbenchb';
const LOCAL = '10.231.2.1';
const HOSTS = Array.from({ length: 50 }, (_, i) => `10.231.2.${10 + i}`);
const LISTEN = [53, 88, 135, 389, 445, 464, 636, 3268, 3269];

function setup() {
  teardown();
  sh('ip', ['netns', 'add', NS]);
  sh('ip', ['link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF]);
  sh('ip', ['link', 'set', NS_IF, 'netns', NS]);
  sh('ip', ['addr', 'add', `${LOCAL}/24`, 'dev', HOST_IF]);
  sh('ip', ['link', 'set', HOST_IF, 'up']);
  for (const a of HOSTS) sh('ip', ['-n', NS, 'addr', 'add', `${a}/24`, 'dev', NS_IF]);
  sh('ip', ['-n', NS, 'link', 'set', NS_IF, 'up']);
  sh('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
  sh('ip', [
    'netns',
    'exec',
    NS,
    'sysctl',
    '-q',
    '-w',
    'net.ipv4.icmp_ratelimit=0',
    'net.ipv4.icmp_msgs_per_sec=100000',
    'net.ipv4.icmp_msgs_burst=100000',
    'net.core.somaxconn=4096',
  ]);
  const py = `import socket,time
ss=[]
for p in ${JSON.stringify(LISTEN)}:
    s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(('0.0.0.0',p)); s.listen(1024); ss.append(s)
print('ready',flush=True)
time.sleep(900)`;
  const child = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', py], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout.once('data', () => resolve(child)));
}

function teardown() {
  quiet('ip', ['link', 'del', HOST_IF]);
  quiet('ip', ['netns', 'del', NS]);
}

async function measure(name, request) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  const result = await runCheck({ commandLine: ['bench'], services: [], ports: [], roles: [], ...request });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  const probes = result.observations.length;
  const states = {};
  for (const o of result.observations) states[o.state] = (states[o.state] ?? 0) + 1;
  console.log(
    `${name}: ${probes} probes in ${seconds.toFixed(2)} s = ${Math.round(probes / seconds)} probes/s, peak RSS ${Math.round(peak / 2 ** 20)} MiB, states ${JSON.stringify(states)}`,
  );
}

function nmapSweep() {
  try {
    const started = performance.now();
    sh('nmap', ['-sT', '-n', '-Pn', '-p', '20000-29999', '--max-retries', '1', '-oN', '/dev/null', HOSTS[0]], {
      timeout: 300_000,
    });
    const s = (performance.now() - started) / 1000;
    console.log(`nmap -sT, same 10,000-port sweep: ${s.toFixed(2)} s = ${Math.round(10000 / s)} ports/s`);
  } catch (err) {
    console.log(
      `nmap -sT: not measured (${err.code === 'ENOENT' ? 'nmap is not installed: apt-get install nmap' : err.message})`,
    );
  }
}

/** The single ports a domain-controller role check probes, with the samples of its ranges. */
async function roleDcPorts() {
  const settings = resolveRunSettings({});
  const catalog = await loadCatalog({ dirs: [] });
  const rows = expandScope(catalog, { roles: ['domain-controller'], services: [], ports: [] }, settings);
  const ports = { tcp: new Set(), udp: new Set() };
  for (const e of rows) {
    if (e.protocol !== 'tcp' && e.protocol !== 'udp') continue;
    if (e.port !== null) ports[e.protocol].add(e.port);
    else if (e.range) {
      const { first, last } = parseRange(e.range);
      const sample = e.protocol === 'udp' ? udpRangeSample : sampleRange;
      for (const p of sample(first, last, settings.rpcSample)) ports[e.protocol].add(p);
    }
  }
  const sorted = (set) => [...set].sort((a, b) => a - b);
  return { tcp: sorted(ports.tcp), udp: sorted(ports.udp) };
}

const UDP_HEAVY = [
  7, 9, 13, 19, 53, 67, 69, 88, 111, 123, 137, 138, 161, 162, 389, 464, 500, 514, 520, 1434, 1645, 1701, 1812, 1813,
  2049, 3702, 4500, 5004, 5005, 5353,
];

const listener = await setup();
try {
  const base = { options: { source: LOCAL, timeoutMs: 1500, rpcMode: 'sweep' } };
  await measure('TCP sweep 20000-29999 of one host', {
    ...base,
    targets: [{ name: HOSTS[0], origin: 'bench' }],
    ports: ['20000-29999/tcp'],
  });
  nmapSweep();
  const fifty = { targets: HOSTS.map((name) => ({ name, origin: 'bench' })), roles: ['domain-controller'] };
  // The bench's listeners accept and never speak, so every protocol conversation waits its
  // full deadline: the first figure is a worst case, the second the handshake alone.
  await measure('domain-controller role x 50 hosts', { ...fifty, options: { source: LOCAL } });
  await measure('domain-controller role x 50 hosts, --no-app-probes', {
    ...fifty,
    options: { source: LOCAL, appProbes: false },
  });
  await measure('TCP sweep 20000-29999 of one host, --per-host 256', {
    ...base,
    options: { ...base.options, perHost: 256 },
    targets: [{ name: HOSTS[0], origin: 'bench' }],
    ports: ['20000-29999/tcp'],
  });
} finally {
  listener.kill('SIGKILL');
  teardown();
}

const children = await setupSideBySide();
try {
  const dc = await roleDcPorts();
  await sideBySide('domain-controller role ports', dc.tcp, dc.udp);
  await new Promise((r) => setTimeout(r, 7000)); // the hosts' ICMP tokens refill
  await sideBySide('UDP-heavy', [53, 88, 135, 389, 445], UDP_HEAVY);
} finally {
  for (const child of children) child.kill('SIGKILL');
  teardownSideBySide();
}
