/**
 * `filtered` and ICMP unreachable for real: a network namespace the suite creates,
 * joined to this one by a veth pair on a /30 (no route leaves the machine), with an
 * nftables ruleset that drops, resets and rejects. Needs root, `ip` and `nft`; without
 * them it says it skipped and why. CI runs it as root.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { expect } from 'chai';
import type { Expectation, Observation } from '../../src/model.js';
import type { EngineOptions } from '../../src/probe/engine.js';
import { run } from '../lab/run.js';
import { runEngine } from '../support/engine.js';
import { portExpectation } from '../support/expectations.js';
import { createVethNamespace, removeVethNamespace, skipWithoutNamespaces } from '../support/veth-namespace.js';

const NS = `pst-${process.pid}`;
const HOST_IF = `psta${process.pid % 100000}`;
const NS_IF = `pstb${process.pid % 100000}`;
const LOCAL = '10.231.1.1';
const TARGET = '10.231.1.2';
const VETH = { ns: NS, hostIf: HOST_IF, nsIf: NS_IF, local: LOCAL, addresses: [TARGET], prefix: 30 };

const RULES = `
table inet portolan_test {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 7001 drop
    tcp dport 7002 reject with tcp reset
    tcp dport 7003 reject with icmp type admin-prohibited
    udp dport 7004 drop
    udp dport 7006 reject with icmp type admin-prohibited
    tcp dport 7008 reject with icmp type host-unreachable
  }
}`;

const expectation = (protocol: 'tcp' | 'udp', port: number) => portExpectation(protocol, port);

const OPTS: EngineOptions = {
  timeoutMs: 800,
  retries: 2,
  concurrency: 64,
  perHost: 32,
  appProbes: false,
  rpcMode: 'sample',
  rpcSample: 4,
  localAddress: LOCAL,
};

async function probe(list: Expectation[], opts: Partial<EngineOptions> = {}): Promise<Map<string, Observation>> {
  const out = await runEngine(list, [{ name: 'target', addresses: [TARGET] }], { ...OPTS, ...opts });
  return new Map(out.observations.map((o) => [`${o.protocol}/${o.port}`, o]));
}

describe('probe states through a real firewall (network namespace + nftables)', function () {
  this.timeout(120_000);
  let listener: ChildProcess | null = null;

  before(async function () {
    skipWithoutNamespaces(this, [
      ['/usr/sbin/ip', 'iproute2'],
      ['/usr/sbin/nft', 'nftables'],
    ]);
    await createVethNamespace(VETH);
    await run('ip', ['netns', 'exec', NS, 'nft', '-f', '-'], { input: RULES });
    listener = spawn(
      'ip',
      [
        'netns',
        'exec',
        NS,
        'python3',
        '-c',
        `import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('${TARGET}',7007))\ns.listen(64)\ntime.sleep(600)`,
      ],
      { stdio: 'ignore' },
    );
    // Ready when the listener accepts (bounded).
    for (let i = 0; i < 50; i++) {
      const o = await probe([expectation('tcp', 7007)], { timeoutMs: 200 });
      if (o.get('tcp/7007')?.state === 'open') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('listener in the namespace did not come up');
  });

  after(async () => {
    listener?.kill('SIGKILL');
    await removeVethNamespace(VETH);
  });

  it('reports each firewall behaviour as its own state, and never open for what did not answer', async () => {
    const o = await probe([
      expectation('tcp', 7001),
      expectation('tcp', 7002),
      expectation('tcp', 7003),
      expectation('udp', 7004),
      expectation('udp', 7005),
      expectation('udp', 7006),
      expectation('tcp', 7007),
      expectation('tcp', 7008),
    ]);
    const seen = (k: string) => [o.get(k)?.state, o.get(k)?.reason];
    expect(seen('tcp/7001')).to.deep.equal(['filtered', 'timeout']);
    expect(seen('tcp/7002')).to.deep.equal(['closed', 'rst']);
    expect(seen('tcp/7003')).to.deep.equal(['filtered', 'icmp-unreachable']);
    expect(seen('udp/7004')).to.deep.equal(['open|filtered', 'no-reply']);
    expect(seen('udp/7005')).to.deep.equal(['closed', 'icmp-port-unreachable']);
    expect(seen('udp/7006')).to.deep.equal(['filtered', 'icmp-unreachable']);
    expect(seen('tcp/7007')).to.deep.equal(['open', 'syn-ack']);
    expect(seen('tcp/7008')).to.deep.equal(['filtered', 'icmp-unreachable']);
  });
});
