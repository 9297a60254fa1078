/**
 * `--dry-run` on check, run and agent: the arguments, catalog, plan and target names are
 * checked as a run checks them (exit 2 on a problem), what would be probed is printed, and
 * nothing is sent: loopback listeners see no connection and no datagram, no folder is made,
 * no history opened.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { shardOf } from '../../src/targets/shard.js';
import { runCli } from '../support/cli.js';
import { tcpListener, udpServer } from '../support/fake-servers.js';

describe('--dry-run', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-dry-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('check: targets files and CIDR prefixes are expanded and sharded like names; a bad line is exit 2 at file:line', async () => {
    const list = join(dir, 'estate.txt');
    writeFileSync(list, '# estate\nfs1.corp.example\n192.0.2.0/29\n');
    const all = ['dc1.corp.example', 'fs1.corp.example', ...[1, 2, 3, 4, 5, 6].map((i) => `192.0.2.${i}`)];
    const mine = all.filter((n) => shardOf(n, 2) === 1);
    const run = await runCli([
      'check',
      '--port',
      '445/tcp',
      '--dry-run',
      '--shard',
      '1/2',
      '--targets-file',
      list,
      'dc1.corp.example',
    ]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include(`Targets: ${mine.length} (shard 1/2 of 8 named): ${mine.join(', ')}`);
    writeFileSync(list, 'fs1.corp.example\n192.0.2.0/33\n');
    const bad = await runCli(['check', '--port', '445/tcp', '--dry-run', '--targets-file', list]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include(`${list}:2: target "192.0.2.0/33": the prefix length must be 0 to 32`);
  });

  it('check: prints the targets, checks and port counts, exits 0, and sends nothing', async () => {
    let connections = 0;
    const tcp = await tcpListener();
    const udp = await udpServer(() => Buffer.from('x'));
    const server = createServer(() => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const counted = (server.address() as { port: number }).port;
    try {
      const out = join(dir, 'never-made');
      const run = await runCli([
        'check',
        '--port',
        `${counted}/tcp`,
        '--port',
        `${tcp.port}/tcp`,
        '--port',
        `${udp.port}/udp`,
        '--port',
        'icmp',
        '--port',
        '5000-5010/tcp',
        '--source-name',
        'vlan-20',
        '--site',
        'vlan=20',
        '--format',
        'json,html',
        '--output-dir',
        out,
        '--dry-run',
        '127.0.0.1',
        'dc1.corp.invalid',
      ]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^Dry run: nothing was sent, looked up or written\.\n/);
      expect(run.stdout).to.include('Targets: 2: 127.0.0.1, dc1.corp.invalid');
      expect(run.stdout).to.match(/5 port rows; per target 2 TCP ports, 1 UDP port, ICMP echo, ranges 5000-5010\/tcp/);
      expect(run.stdout).to.include('Source: vlan-20 [vlan=20]');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(connections, 'TCP connections').to.equal(0);
      expect(udp.received, 'UDP datagrams').to.deep.equal([]);
      expect(existsSync(out), '--output-dir is not created').to.equal(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await tcp.close();
      await udp.close();
    }
  });

  it('check: the shard is applied and said; the other shard has the rest', async () => {
    const names = ['dc1.corp.example', 'dc2.corp.example', 'dc3.corp.example', 'fs1.corp.example', 'fs2.corp.example'];
    const shown: string[] = [];
    for (const i of [0, 1]) {
      const run = await runCli(['check', '--role', 'file-server', '--shard', `${i}/2`, '--dry-run', ...names]);
      expect(run.code, run.stderr).to.equal(0);
      const line = run.stdout.split('\n').find((l) => l.startsWith('Targets:')) ?? '';
      expect(line).to.match(new RegExp(`\\(shard ${i}/2 of 5 named\\)`));
      const mine = names.filter((n) => shardOf(n, 2) === i);
      expect(line).to.include(`Targets: ${mine.length} `);
      for (const n of mine) expect(line).to.include(n);
      shown.push(...mine);
    }
    expect(shown.sort()).to.deep.equal([...names].sort());
  });

  it('check: a problem a run would find before probing is exit 2 with the same message, nothing on stdout', async () => {
    const cases: [string[], RegExp][] = [
      [['--role', 'domain-controler', '127.0.0.1'], /unknown role "domain-controler"/],
      [['--port', '445/tcp', 'bad;name'], /target "bad;name": expected a host name or an IP address/],
      [['--port', '445/tcp', '--shard', '2/2', '127.0.0.1'], /--shard "2\/2": expected I\/N/],
      [['--port', '445/tcp', '--format', 'pdf', '127.0.0.1'], /--format "pdf"/],
      [['--port', '445/tcp', '--source', '192.0.2.77', '127.0.0.1'], /--source 192\.0\.2\.77 is not an address/],
      [['--port', '445/tcp', '--responder', '127.0.0.1'], /--responder needs --token/],
      [['--port', '445/tcp'], /no targets/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(['check', ...args, '--dry-run']);
      expect(run.code, args.join(' ')).to.equal(2);
      expect(run.stderr).to.match(message);
      expect(run.stdout).to.equal('');
    }
  });

  it('run: every group of the plan, the reports and the history, none of them touched', async () => {
    const plan = join(dir, 'plan.yaml');
    writeFileSync(
      plan,
      `version: 1
name: dry
groups:
  - name: dcs
    targets: [dc1.corp.invalid, dc2.corp.invalid]
    roles: [domain-controller]
  - name: web
    targets: [web1.corp.invalid]
    ports: [443/tcp]
    blocked: { ports: [445/tcp] }
outputs: { directory: ${join(dir, 'reports')}, formats: [json, html] }
`,
    );
    // Nothing listens on 127.0.0.1:1: a history that were opened would fail the command.
    const history = 'postgres://portolan:secret@127.0.0.1:1/portolan';
    const run = await runCli([
      'run',
      plan,
      '--dry-run',
      '--history',
      history,
      '--source-name',
      'core',
      '--shard',
      '0/1',
    ]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include('Plan dry');
    expect(run.stdout).to.match(
      /Group dcs:\n {2}Targets: 2 \(shard 0\/1 of 2 named\): dc1\.corp\.invalid, dc2\.corp\.invalid/,
    );
    expect(run.stdout).to.match(/Group web, ports that must be blocked:\n {2}Targets: 1/);
    expect(run.stdout).to.include('  Source: core');
    expect(run.stdout).to.include(`Reports: json, html into ${join(dir, 'reports')} (not written in a dry run)`);
    expect(run.stdout).to.include('History: postgres://portolan:***@127.0.0.1:1/portolan (not opened in a dry run)');
    expect(existsSync(join(dir, 'reports'))).to.equal(false);
  });

  it('run and agent: a plan error is exit 2 at its line; agent flags are checked too', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'version: 1\nname: bad\ngroups:\n  - name: g\n    targets: [a.test]\n    roles: [no-such-role]\n',
    );
    const run = await runCli(['run', bad, '--dry-run']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/bad\.yaml:6:\d+: .*unknown role "no-such-role"/);
    const agent = await runCli(['agent', bad, '--every', '0s', '--dry-run']);
    expect(agent.code).to.equal(2);
    expect(agent.stderr).to.match(/--every/);
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'version: 1\nname: good\ngroups:\n  - name: g\n    targets: [a.test]\n    ports: [88/tcp]\n');
    const ok = await runCli(['agent', good, '--every', '15m', '--dry-run', '--site', 'vlan=20']);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/Source: .* \[vlan=20\]/);
    expect(ok.stdout).to.include('Every 15 min, each wait varied by up to 10%');
  });
});
