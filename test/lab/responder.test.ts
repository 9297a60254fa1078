/**
 * Responder mode end to end: `portolan listen` on the host that runs nothing (so every port is
 * free), nftables there dropping some TCP and some UDP ports of the role, and `portolan check
 * --responder` from the healthy client. Exactly the dropped ports must come out `filtered`
 * (UDP included: the responder would have answered), every other port `open` via the
 * responder, and the responder's own summary must agree.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { expect } from 'chai';
import { type PortolanRun, runPortolan, skipWithoutCheck } from './portolan.js';
import { REPO } from './probe-helpers.js';
import { currentLab } from './session.js';
import { HOSTS, PREFIX } from './topology.js';

const TOKEN = 'lab-responder-token';
const TARGET = HOSTS.closed.address;
const DROPPED = { tcp: [88, 3268], udp: [88, 123] };
const RULES = `table inet plabresp {
  chain input {
    type filter hook input priority -10; policy accept;
    tcp dport { ${DROPPED.tcp.join(', ')} } drop
    udp dport { ${DROPPED.udp.join(', ')} } drop
  }
}
`;

interface Summary {
  event: 'summary';
  reach: Record<string, Record<string, string>>;
  neverReached: string[];
}

describe('responder mode: portolan listen behind a firewall, portolan check --responder', () => {
  let listener: ChildProcess | null = null;
  let lines: string[] = [];
  let check: PortolanRun;
  let summary: Summary;

  before(async function () {
    await skipWithoutCheck(this);
    const lab = currentLab();
    await lab.exec('closed', 'nft', ['-f', '-'], { input: RULES });
    listener = spawn(
      'ip',
      [
        'netns',
        'exec',
        `${PREFIX}closed`,
        process.execPath,
        '--import',
        'tsx',
        join(REPO, 'src/cli/bin.ts'),
        'listen',
        '--role',
        'domain-controller',
        '--bind',
        TARGET,
        '--token',
        TOKEN,
        '--duration',
        '5m',
        '--format',
        'json',
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    lines = [];
    let buffered = '';
    listener.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts.filter(Boolean));
    });
    const deadline = Date.now() + 30_000;
    while (!lines.some((l) => l.includes('"serving"'))) {
      if (Date.now() > deadline) throw new Error('portolan listen did not start serving within 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    check = await runPortolan(lab, 'cli', [
      '--role',
      'domain-controller',
      TARGET,
      '--responder',
      '--token',
      TOKEN,
      '--timeout',
      '1000',
    ]);
    listener.kill('SIGINT');
    await once(listener, 'exit');
    const last = lines.map((l) => JSON.parse(l) as { event: string }).find((e) => e.event === 'summary');
    if (!last) throw new Error(`no summary from portolan listen: ${lines.slice(-3).join('\n')}`);
    summary = last as Summary;
  });

  after(async () => {
    listener?.kill('SIGKILL');
    await currentLab().exec('closed', 'nft', ['delete', 'table', 'inet', 'plabresp'], { allowFailure: true });
  });

  it('reports exactly the dropped ports filtered, UDP included, and every other port open via the responder', () => {
    const ports = check.result.observations.filter((o) => o.protocol === 'tcp' || o.protocol === 'udp');
    expect(ports.length).to.be.greaterThan(30);
    for (const o of ports) {
      const dropped = (DROPPED[o.protocol as 'tcp' | 'udp'] as number[]).includes(o.port as number);
      const label = `${o.port}/${o.protocol}`;
      if (dropped) expect([o.state, label]).to.deep.equal(['filtered', label]);
      else expect([o.state, o.reason, label]).to.deep.equal(['open', 'responder', label]);
    }
    expect(check.result.run.notes.join(' ')).to.match(/Pre-deployment check with the portolan responder/);
    expect(check.code).to.equal(1); // Kerberos and Windows Time are broken by the drops
  });

  it("the responder's summary agrees: reached exactly the ports the check saw open", () => {
    const open = check.result.observations
      .filter((o) => o.state === 'open' && (o.protocol === 'tcp' || o.protocol === 'udp'))
      .map((o) => `${o.port}/${o.protocol}`)
      .sort();
    const reached = Object.entries(summary.reach)
      .filter(([, bySource]) => bySource[HOSTS.cli.address] === 'verified')
      .map(([port]) => port)
      .sort();
    expect(reached).to.deep.equal(open);
    for (const p of [...DROPPED.tcp.map((n) => `${n}/tcp`), ...DROPPED.udp.map((n) => `${n}/udp`)]) {
      expect(summary.neverReached).to.include(p);
    }
  });
});
