#!/usr/bin/env node
// `npm run bench` (root), part 2: one agent against 1,000 to 10,000 targets. Everything
// happens inside one network namespace this script creates and removes (`pscale-<pid>`):
// `ip route add local 10.233.0.0/18 dev lo` there makes every address of the /18 answer, and
// portolan runs inside the same namespace, so no route is added anywhere else and no packet
// leaves it. Listeners (accept, then close) on the DC's main TCP ports and nftables rules by
// address give a mix per target: most hosts open/closed, 1 in 64 dropping everything
// (filtered), 1 in 64 rejecting with ICMP admin-prohibited, 1 in 32 refusing 445/tcp only.
// For each size: `portolan check --role domain-controller --targets-file FILE --format json`
// as a child process: wall time, probes/s, peak RSS (VmHWM) and open fds sampled from /proc,
// output size; the same with --format ndjson at 2,000; and `nmap -sT` on the same targets and
// TCP ports (1,000 and 2,000), as a ratio, when nmap is installed.
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { quiet, sh } from './shell.mjs';

if (process.getuid?.() !== 0) {
  console.error('scale bench: needs root to create a network namespace (the only place it sends traffic)');
  process.exit(2);
}
const NS = `pscale-${process.pid}`;
const PREFIX = '10.233.0.0/18';
const SIZES = (process.env.SCALE_SIZES ?? '1000,2000,5000,10000').split(',').map(Number);
const LISTEN = [53, 88, 135, 389, 445, 464, 636, 3268, 3269];
const BIN = new URL('../../dist/cli/bin.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'portolan-scale-'));

/** The n-th address of the /18 (skipping .0 and .255 of each /24). */
function address(i) {
  const perBlock = 254;
  return `10.233.${Math.floor(i / perBlock)}.${(i % perBlock) + 1}`;
}

function setup() {
  teardown();
  sh('ip', ['netns', 'add', NS]);
  const inNs = (...args) => sh('ip', ['netns', 'exec', NS, ...args]);
  inNs('ip', 'link', 'set', 'lo', 'up');
  inNs('ip', 'route', 'add', 'local', PREFIX, 'dev', 'lo');
  inNs(
    'sysctl',
    '-q',
    '-w',
    'net.ipv4.icmp_ratelimit=0',
    'net.ipv4.icmp_msgs_per_sec=1000000',
    'net.ipv4.icmp_msgs_burst=1000000',
    'net.core.somaxconn=8192',
    'net.ipv4.ip_local_port_range=1024 65000',
    'net.ipv4.tcp_tw_reuse=1',
  );
  const rules = `table inet scale {
  chain input {
    # TCP and UDP only: the ICMP error a reject sends goes back to the same local address.
    type filter hook input priority 0; policy accept;
    ip daddr & 0.0.0.63 == 0.0.0.1 meta l4proto { tcp, udp } drop
    ip daddr & 0.0.0.63 == 0.0.0.2 meta l4proto { tcp, udp } reject with icmp type admin-prohibited
    ip daddr & 0.0.0.31 == 0.0.0.3 tcp dport 445 reject with tcp reset
  }
}`;
  const file = join(dir, 'rules.nft');
  writeFileSync(file, rules);
  inNs('nft', '-f', file);
  // Accept and close at once: protocol conversations end on EOF instead of waiting out their deadline.
  const py = `import socket,selectors
sel=selectors.DefaultSelector()
for p in ${JSON.stringify(LISTEN)}:
    s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(('0.0.0.0',p)); s.listen(4096); s.setblocking(False)
    sel.register(s,selectors.EVENT_READ)
print('ready',flush=True)
while True:
    for key,_ in sel.select(1):
        try:
            c,_a=key.fileobj.accept(); c.close()
        except OSError: pass`;
  const child = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', py], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout.once('data', () => resolve(child)));
}

function teardown() {
  quiet('ip', ['netns', 'del', NS]);
}

/** The portolan run under way, stopped with the bench. */
let current = null;

/** Runs `args` in the namespace, sampling the child's peak RSS and open fds from /proc. */
function measured(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('ip', ['netns', 'exec', NS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    let stdout = 0;
    let lines = 0;
    let stderr = '';
    // Counted as it comes: at 10,000 targets the NDJSON is larger than one string may be.
    child.stdout.on('data', (d) => {
      stdout += d.length;
      for (let at = d.indexOf(10); at !== -1; at = d.indexOf(10, at + 1)) lines++;
    });
    child.stderr.on('data', (d) => (stderr += d));
    let peakKb = 0;
    let peakFds = 0;
    const timer = setInterval(() => {
      // ip netns exec execs the command in place: the child's pid is the program's.
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
        peakFds = Math.max(peakFds, readdirSync(`/proc/${child.pid}/fd`).length);
      } catch {}
    }, 50);
    const limit = setTimeout(() => child.kill('SIGKILL'), 900_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      clearTimeout(limit);
      resolve({
        code,
        seconds: (performance.now() - started) / 1000,
        peakMb: peakKb / 1024,
        peakFds,
        stdout,
        lines,
        stderr,
      });
    });
  });
}

function nmapRatio(targetsFile, portolanSeconds, tcpPorts) {
  try {
    sh('nmap', ['--version']);
  } catch {
    return 'nmap not installed';
  }
  const started = performance.now();
  try {
    sh(
      'ip',
      [
        'netns',
        'exec',
        NS,
        'nmap',
        '-sT',
        '-n',
        '-Pn',
        '-T4',
        '--max-retries',
        '1',
        '-p',
        tcpPorts.join(','),
        '-iL',
        targetsFile,
        '-oN',
        '/dev/null',
      ],
      { timeout: 900_000, maxBuffer: 1 << 26 },
    );
  } catch (err) {
    return `nmap failed: ${String(err.message).split('\n')[0]}`;
  }
  const s = (performance.now() - started) / 1000;
  return `${s.toFixed(1)} s (portolan/nmap ${(portolanSeconds / s).toFixed(2)}x)`;
}

const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);

/** `portolan check --role domain-controller --targets-file FILE` in `format` (to `output`, else stdout). */
function checkArgs(file, format, output) {
  const to = output ? ['--output', output] : [];
  return [
    'node',
    BIN,
    'check',
    '--role',
    'domain-controller',
    '--targets-file',
    file,
    '--timeout',
    '1000',
    '--format',
    format,
    ...to,
    '-q',
  ];
}

/**
 * Targets, observations, states and TCP ports of a JSON result, read line by line: at 10,000
 * targets the file is larger than one string may be. The layout is JSON.stringify's with two
 * spaces: top-level keys at 2, list items at 4, their fields at 6.
 */
async function readResult(file) {
  let section = '';
  let targets = 0;
  let probes = 0;
  let protocol = '';
  const states = {};
  const tcp = new Set();
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const top = /^ {2}"(\w+)": /.exec(line);
    if (top) section = top[1];
    else if (line === '    {') {
      if (section === 'targets') targets++;
      if (section === 'observations') probes++;
    } else if (section === 'observations') {
      const field = /^ {6}"(state|protocol|port)": "?([^",]*)"?,?$/.exec(line);
      if (field?.[1] === 'state') states[field[2]] = (states[field[2]] ?? 0) + 1;
      if (field?.[1] === 'protocol') protocol = field[2];
      if (field?.[1] === 'port' && protocol === 'tcp' && field[2] !== 'null') tcp.add(Number(field[2]));
    }
  }
  return { targets, probes, states, tcp: [...tcp].sort((a, b) => a - b) };
}
const rows = [];
const listener = await setup();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    current?.kill('SIGKILL');
    listener.kill('SIGKILL');
    teardown();
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });
}
try {
  for (const size of SIZES) {
    const file = join(dir, `targets-${size}.txt`);
    writeFileSync(file, `# ${size} bench targets\n${Array.from({ length: size }, (_, i) => address(i)).join('\n')}\n`);
    const json = join(dir, `result-${size}.json`);
    const run = await measured(checkArgs(file, 'json', json));
    if (![0, 1, 3].includes(run.code)) {
      console.error(`scale bench: ${size} targets: exit ${run.code}\n${run.stderr}`);
      break;
    }
    const { targets, probes, states, tcp } = await readResult(json);
    const row = {
      targets: size,
      seconds: run.seconds,
      probes,
      rate: probes / run.seconds,
      peakMb: run.peakMb,
      fds: run.peakFds,
      jsonMb: statSync(json).size / 2 ** 20,
      complete: targets === size,
      // nmap's time per probe does not change with the count: measured on the smaller sets only.
      nmap: size <= 2000 ? nmapRatio(file, run.seconds, tcp) : 'not run at this size',
      states,
    };
    rows.push(row);
    console.log(
      `${size} targets: ${row.seconds.toFixed(1)} s, ${probes} probes = ${Math.round(row.rate)} probes/s, peak RSS ${row.peakMb.toFixed(0)} MiB, ` +
        `peak fds ${row.fds}, JSON ${row.jsonMb.toFixed(1)} MiB, every target in the result: ${row.complete}; nmap -sT: ${row.nmap}; states ${JSON.stringify(states)}`,
    );
    rmSync(json);
  }
  // The same largest run with V8's old space capped: it finishes, so what the run keeps is
  // below the cap, and the peak RSS above without the cap is V8 letting garbage pile up.
  const top = SIZES[SIZES.length - 1];
  const capped = await measured([
    'node',
    '--max-old-space-size=128',
    ...checkArgs(join(dir, `targets-${top}.txt`), 'json', join(dir, 'capped.json')).slice(1),
  ]);
  console.log(
    `${top} targets, node --max-old-space-size=128: exit ${capped.code}, ${capped.seconds.toFixed(1)} s, peak RSS ${capped.peakMb.toFixed(0)} MiB, peak fds ${capped.peakFds}`,
  );
  rmSync(join(dir, 'capped.json'), { force: true });
  const largest = SIZES.find((n) => n >= 2000) ?? SIZES[SIZES.length - 1];
  const run = await measured(checkArgs(join(dir, `targets-${largest}.txt`), 'ndjson'));
  const lines = run.lines;
  console.log(
    `ndjson, ${largest} targets: ${run.seconds.toFixed(1)} s, peak RSS ${run.peakMb.toFixed(0)} MiB, peak fds ${run.peakFds}, ` +
      `${mb(run.stdout)} MiB on stdout in ${lines} lines`,
  );
} finally {
  listener.kill('SIGKILL');
  teardown();
  rmSync(dir, { recursive: true, force: true });
}

console.log('\n| targets | wall s | probes | probes/s | peak RSS MiB | peak fds | JSON MiB | nmap -sT |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  console.log(
    `| ${r.targets} | ${r.seconds.toFixed(1)} | ${r.probes} | ${Math.round(r.rate)} | ${r.peakMb.toFixed(0)} | ${r.fds} | ${r.jsonMb.toFixed(1)} | ${r.nmap} |`,
  );
}
