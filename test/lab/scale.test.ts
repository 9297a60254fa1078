/**
 * One agent, 2,000 targets, every result there and right (issue 15). Its own namespace
 * (`plscale-<pid>`, apart from the lab's): `ip route add local 10.234.0.0/21 dev lo` there
 * makes 2,000 addresses answer, portolan runs inside the same namespace (no route anywhere
 * else), one listener takes 445/tcp on every address, and nftables rules by address give each
 * target a known answer:
 *   address & 63 == 1   everything dropped        445 and 3389 filtered, 53/udp open|filtered
 *   address & 63 == 2   ICMP admin-prohibited     all three filtered
 *   address & 31 == 3   445/tcp reset             445 and 3389 closed, 53/udp closed
 *   otherwise                                     445 open, 3389 closed, 53/udp closed
 * Read through --format ndjson, so the test also proves each target arrives once, whole.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { RunHeader, TargetRecord } from '../../src/result/target-records.js';
import { REPO } from './probe-helpers.js';
import { run } from './run.js';

const NS = `plscale-${process.pid}`;
const COUNT = 2000;

/** The i-th target: .1 to .254 of 10.234.0.0 ... 10.234.7.0. */
const address = (i: number) => `10.234.${Math.floor(i / 254)}.${(i % 254) + 1}`;

function expected(addr: string): Record<string, string> {
  const last = Number(addr.split('.').pop());
  if ((last & 63) === 1) return { 'tcp/445': 'filtered', 'tcp/3389': 'filtered', 'udp/53': 'open|filtered' };
  if ((last & 63) === 2) return { 'tcp/445': 'filtered', 'tcp/3389': 'filtered', 'udp/53': 'filtered' };
  if ((last & 31) === 3) return { 'tcp/445': 'closed', 'tcp/3389': 'closed', 'udp/53': 'closed' };
  return { 'tcp/445': 'open', 'tcp/3389': 'closed', 'udp/53': 'closed' };
}

const inNs = (...args: string[]) => run('ip', ['netns', 'exec', NS, ...args]);

describe('scale: 2,000 namespace targets from one agent', function () {
  this.timeout(150_000);
  let dir: string;
  let listener: ChildProcess | null = null;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-lab-scale-'));
    await run('ip', ['netns', 'add', NS]);
    await inNs('ip', 'link', 'set', 'lo', 'up');
    await inNs('ip', 'route', 'add', 'local', '10.234.0.0/21', 'dev', 'lo');
    await inNs('sysctl', '-q', '-w', 'net.ipv4.icmp_ratelimit=0', 'net.ipv4.icmp_msgs_per_sec=1000000');
    const rules = join(dir, 'rules.nft');
    writeFileSync(
      rules,
      `table inet scale {
  chain input {
    # TCP and UDP only: the ICMP error a reject sends goes back to the same local address.
    type filter hook input priority 0; policy accept;
    ip daddr & 0.0.0.63 == 0.0.0.1 meta l4proto { tcp, udp } drop
    ip daddr & 0.0.0.63 == 0.0.0.2 meta l4proto { tcp, udp } reject with icmp type admin-prohibited
    ip daddr & 0.0.0.31 == 0.0.0.3 tcp dport 445 reject with tcp reset
  }
}
`,
    );
    await inNs('nft', '-f', rules);
    const script =
      "require('node:net').createServer((s)=>s.on('error',()=>{}).destroy()).listen({port:445,backlog:4096},()=>console.log('ready'))";
    const child = spawn('ip', ['netns', 'exec', NS, process.execPath, '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    listener = child;
    await new Promise((resolve) => child.stdout?.once('data', resolve));
  });

  after(async () => {
    listener?.kill('SIGKILL');
    await run('ip', ['netns', 'del', NS], { allowFailure: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('every target is in the NDJSON stream once, whole, with the state its address was given', async () => {
    const list = join(dir, 'targets.txt');
    writeFileSync(list, `# ${COUNT} targets\n${Array.from({ length: COUNT }, (_, i) => address(i)).join('\n')}\n`);
    const cli = [process.execPath, '--import', 'tsx', join(REPO, 'src/cli/bin.ts')];
    const args = ['check', '--port', '445/tcp', '--port', '3389/tcp', '--port', '53/udp', '--timeout', '1000'];
    const out = await run(
      'ip',
      ['netns', 'exec', NS, ...cli, ...args, '--targets-file', list, '--format', 'ndjson', '-q'],
      {
        cwd: REPO,
        timeoutMs: 120_000,
        allowFailure: true,
      },
    );
    expect(out.timedOut, 'the run finished in time').to.equal(false);
    expect(out.code, out.stderr).to.equal(1);
    const lines = out.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string });
    expect(lines).to.have.length(COUNT + 1);
    const run_ = lines.at(-1) as RunHeader & { kind: string };
    expect(run_.kind).to.equal('run');
    const records = lines.slice(0, -1) as (TargetRecord & { kind: string; ordinal: number })[];
    const ordinals = new Set(records.map((r) => r.ordinal));
    expect(ordinals.size).to.equal(COUNT);
    const wrong: string[] = [];
    for (const r of records) {
      const addr = address(r.ordinal);
      expect(r.target.name).to.equal(addr);
      const got = r.observations.map((o) => `${o.protocol}/${o.port} ${o.state}`).sort();
      const want = Object.entries(expected(addr))
        .map(([port, state]) => `${port} ${state}`)
        .sort();
      if (got.join() !== want.join()) wrong.push(`${addr}: ${got.join(', ')}`);
      expect(r.verdicts.expectations).to.have.length(3);
    }
    expect(wrong, wrong.slice(0, 5).join('\n')).to.deep.equal([]);
    const passing = records.filter((r) => expected(r.target.name)['tcp/445'] === 'open').length;
    expect(run_.summary.counts.pass).to.equal(passing);
    expect(run_.summary.counts.pass + run_.summary.counts.fail + run_.summary.counts.inconclusive).to.equal(COUNT * 3);
  });
});
