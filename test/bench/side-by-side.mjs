// portolan and nmap on the same namespace hosts and ports, one run each, side by side (part of
// `npm run bench`, root only, under the lab lock). Four targets, each behind its own veth pair
// (10.231.4.0/24 split in /29s, no other route), with Linux's default ICMP rate limit:
//   closed  - nothing listens: every port closed (TCP reset, UDP port unreachable, rationed);
//   mixed   - UDP echo listeners, UDP ports nftables drops, one TCP listener, the rest closed;
//   drop    - nftables policy drop: nothing answers;
//   dead    - an address of a subnet that no host holds: neighbour discovery goes unanswered.
// Each case prints both times, their ratio, the floor the hosts set (the closed UDP ports a
// rate-limited host must ration past its burst of six, at one a second, or the timeouts silent
// ports must wait out), and how many states each tool got right against the construction.
import { spawn } from 'node:child_process';
import { runCheck } from '../../dist/check/run-check.js';
import { quiet, sh } from './shell.mjs';

const HOSTS = [
  { id: 'closed', ns: 'pbsx-closed', local: '10.231.4.1', address: '10.231.4.2' },
  { id: 'mixed', ns: 'pbsx-mixed', local: '10.231.4.9', address: '10.231.4.10' },
  { id: 'drop', ns: 'pbsx-drop', local: '10.231.4.17', address: '10.231.4.18' },
  // No namespace holds .27: this one only carries the subnet the dead address is on.
  { id: 'dead', ns: 'pbsx-dead', local: '10.231.4.25', address: '10.231.4.27', hostAddress: '10.231.4.26' },
];
const MIXED = { udpOpen: [53, 123, 161, 7], udpDropped: [500, 4500, 1701, 3702], tcpOpen: [445] };
const TIMEOUT_MS = 1500;
const RETRIES = 2;
/** Linux's default ICMP error burst and interval (net.ipv4.icmp_ratelimit). */
const BURST = 6;
const TOKEN_MS = 1000;

/** Builds the four targets; returns what must be stopped at the end. */
export async function setupSideBySide() {
  teardownSideBySide();
  const children = [];
  for (const [i, h] of HOSTS.entries()) {
    const a = `pbsx${i}a`;
    const b = `pbsx${i}b`;
    sh('ip', ['netns', 'add', h.ns]);
    sh('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    sh('ip', ['link', 'set', b, 'netns', h.ns]);
    sh('ip', ['addr', 'add', `${h.local}/29`, 'dev', a]);
    sh('ip', ['link', 'set', a, 'up']);
    sh('ip', ['-n', h.ns, 'addr', 'add', `${h.hostAddress ?? h.address}/29`, 'dev', b]);
    sh('ip', ['-n', h.ns, 'link', 'set', b, 'up']);
    sh('ip', ['-n', h.ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['netns', 'exec', h.ns, 'sysctl', '-q', '-w', 'net.ipv4.icmp_ratelimit=1000']);
  }
  const rules = (policy, extra = '') =>
    `table inet bench {\n  chain input {\n    type filter hook input priority 0; policy ${policy};\n${extra}  }\n}\n`;
  sh('ip', ['netns', 'exec', 'pbsx-drop', 'nft', '-f', '-'], { input: rules('drop') });
  sh('ip', ['netns', 'exec', 'pbsx-mixed', 'nft', '-f', '-'], {
    input: rules('accept', `    udp dport { ${MIXED.udpDropped.join(', ')} } drop\n`),
  });
  const py = `import socket, threading, time
def echo(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', p))
    while True:
        d, a = s.recvfrom(4096); s.sendto(d or b'x', a)
for p in ${JSON.stringify(MIXED.udpOpen)}: threading.Thread(target=echo, args=(p,), daemon=True).start()
ts = []
for p in ${JSON.stringify(MIXED.tcpOpen)}:
    t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(('0.0.0.0', p)); t.listen(64); ts.append(t)
print('ready', flush=True)
time.sleep(900)`;
  const child = spawn('ip', ['netns', 'exec', 'pbsx-mixed', 'python3', '-c', py], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return children;
}

export function teardownSideBySide() {
  for (const [i, h] of HOSTS.entries()) {
    quiet('ip', ['link', 'del', `pbsx${i}a`]);
    quiet('ip', ['netns', 'del', h.ns]);
  }
}

/** What each port is, by construction (nothing at a dead address: host unreachable, `filtered`). */
function truth(host, protocol, port) {
  if (host.id === 'dead') return 'filtered';
  if (host.id === 'drop') return { tcp: 'filtered', udp: 'open|filtered' }[protocol];
  if (host.id === 'mixed') {
    if (protocol === 'udp' && MIXED.udpOpen.includes(port)) return 'open';
    if (protocol === 'udp' && MIXED.udpDropped.includes(port)) return 'open|filtered';
    if (protocol === 'tcp' && MIXED.tcpOpen.includes(port)) return 'open';
  }
  return 'closed';
}

/**
 * The answers a prober can hope for: the truth, or where UDP meets silence (a drop, or no host
 * at all), either of the states that say so.
 */
function acceptable(host, protocol, port, state) {
  const t = truth(host, protocol, port);
  const silent = protocol === 'udp' && (host.id === 'drop' || host.id === 'dead');
  return state === t || (silent && (state === 'open|filtered' || state === 'filtered'));
}

/** The least time any prober can take: the busiest rate-limited host, or the timeouts silence costs. */
function floorMs(tcp, udp) {
  let floor = 0;
  for (const h of HOSTS) {
    const closedUdp = udp.filter((p) => truth(h, 'udp', p) === 'closed').length;
    const silentUdp = udp.some((p) => !['closed', 'open'].includes(truth(h, 'udp', p)));
    const silentTcp = tcp.some((p) => truth(h, 'tcp', p) === 'filtered');
    floor = Math.max(floor, Math.max(0, closedUdp - BURST) * TOKEN_MS);
    if (silentUdp) floor = Math.max(floor, TIMEOUT_MS * (1 + RETRIES));
    if (silentTcp) floor = Math.max(floor, TIMEOUT_MS);
  }
  return floor;
}

async function portolan(tcp, udp) {
  const started = performance.now();
  const result = await runCheck({
    commandLine: ['bench'],
    roles: [],
    services: [],
    ports: [...tcp.map((p) => `${p}/tcp`), ...udp.map((p) => `${p}/udp`)],
    targets: HOSTS.map((h) => ({ name: h.address, origin: 'bench' })),
    options: { timeoutMs: TIMEOUT_MS, retries: RETRIES },
  });
  const seconds = (performance.now() - started) / 1000;
  const states = new Map(result.observations.map((o) => [`${o.address} ${o.protocol}/${o.port}`, o.state]));
  return { seconds, states };
}

function nmap(tcp, udp) {
  const started = performance.now();
  const xml = sh(
    'nmap',
    [
      '-n',
      '-Pn',
      '-sT',
      '-sU',
      '-T3',
      '-p',
      `T:${tcp.join(',')},U:${udp.join(',')}`,
      '-oX',
      '-',
      ...HOSTS.map((h) => h.address),
    ],
    { timeout: 900_000, maxBuffer: 64 * 2 ** 20 },
  ).toString();
  const seconds = (performance.now() - started) / 1000;
  const states = new Map();
  for (const host of xml.split('<host ').slice(1)) {
    const address = /<address addr="([^"]+)"/.exec(host)?.[1];
    for (const m of host.matchAll(/<port protocol="(tcp|udp)" portid="(\d+)"><state state="([^"]+)"/g)) {
      states.set(`${address} ${m[1]}/${m[2]}`, m[3]);
    }
    // Ports nmap folds into "extraports" (all in one state) are listed once with a count.
    const extra = [...host.matchAll(/<extraports state="([^"]+)" count="\d+">([\s\S]*?)<\/extraports>/g)];
    for (const e of extra) {
      for (const r of e[2].matchAll(/<extrareasons [^>]*proto="(tcp|udp)" ports="([^"]+)"/g)) {
        for (const p of expandPorts(r[2])) states.set(`${address} ${r[1]}/${p}`, e[1]);
      }
    }
  }
  return { seconds, states };
}

function expandPorts(text) {
  return text.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
  });
}

function score(run, tcp, udp) {
  let exact = 0;
  let good = 0;
  let total = 0;
  const missing = [];
  for (const h of HOSTS) {
    for (const [protocol, ports] of [
      ['tcp', tcp],
      ['udp', udp],
    ]) {
      for (const port of ports) {
        total++;
        const state = run.states.get(`${h.address} ${protocol}/${port}`);
        if (state === undefined) missing.push(`${h.id} ${protocol}/${port}`);
        if (state === truth(h, protocol, port)) exact++;
        if (acceptable(h, protocol, port, state)) good++;
      }
    }
  }
  return { exact, good, total, missing };
}

/** Where portolan's state is worse than nmap's: nmap acceptable, portolan not. */
function worse(ours, theirs, tcp, udp) {
  const list = [];
  for (const h of HOSTS) {
    for (const [protocol, ports] of [
      ['tcp', tcp],
      ['udp', udp],
    ]) {
      for (const port of ports) {
        const key = `${h.address} ${protocol}/${port}`;
        if (
          acceptable(h, protocol, port, theirs.states.get(key)) &&
          !acceptable(h, protocol, port, ours.states.get(key))
        ) {
          list.push(`${h.id} ${protocol}/${port}: portolan ${ours.states.get(key)}, nmap ${theirs.states.get(key)}`);
        }
      }
    }
  }
  return list;
}

/** One case: both tools once on the same hosts and ports, the ratio, the floor, the states. */
export async function sideBySide(name, tcp, udp) {
  const floor = floorMs(tcp, udp) / 1000;
  const ours = await portolan(tcp, udp);
  // Let every host's ICMP tokens refill (six at one a second) before the other tool starts.
  await new Promise((r) => setTimeout(r, BURST * TOKEN_MS + 1000));
  let theirs;
  try {
    theirs = nmap(tcp, udp);
  } catch (err) {
    const why = err.code === 'ENOENT' ? 'nmap is not installed: apt-get install nmap' : err.message;
    console.log(
      `${name}: portolan ${ours.seconds.toFixed(2)} s (floor ${floor.toFixed(2)} s); nmap not measured (${why})`,
    );
    return;
  }
  const a = score(ours, tcp, udp);
  const b = score(theirs, tcp, udp);
  const cases = `${HOSTS.length} hosts x (${tcp.length} TCP + ${udp.length} UDP ports)`;
  console.log(
    `${name}, ${cases}: portolan ${ours.seconds.toFixed(2)} s, nmap -sT -sU -T3 ${theirs.seconds.toFixed(2)} s, ratio ${(ours.seconds / theirs.seconds).toFixed(2)}; floor ${floor.toFixed(2)} s (portolan ${(ours.seconds / floor).toFixed(2)}x, nmap ${(theirs.seconds / floor).toFixed(2)}x)`,
  );
  console.log(
    `  states right: portolan ${a.exact}/${a.total} exact, ${a.good}/${a.total} acceptable; nmap ${b.exact}/${b.total} exact, ${b.good}/${b.total} acceptable`,
  );
  const regressions = worse(ours, theirs, tcp, udp);
  if (regressions.length) console.log(`  portolan worse than nmap on: ${regressions.join('; ')}`);
  if (a.missing.length) console.log(`  portolan did not report: ${a.missing.join(', ')}`);
}
