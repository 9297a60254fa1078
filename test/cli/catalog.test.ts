/**
 * `portolan catalog` end to end through the real argument parser: every subcommand rejects a bad
 * value with one line naming what was expected and exit 2 (never a stack trace), and the views
 * show everything the catalog knows: OS-gated rows, notes, switches, IP protocols, aliases.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { PortTableRow } from '../../src/catalog/port-table.js';
import type { CatalogShow } from '../../src/catalog/show.js';
import type { SwitchInfo } from '../../src/catalog/switches.js';
import { runCli } from '../support/cli.js';

describe('portolan catalog: bad values exit 2 with one clear line', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'show: unknown profile',
      ['catalog', 'show', 'dfsr', '--profile', 'bogus'],
      /--profile "bogus": expected modern, legacy, both/,
    ],
    [
      'show: unknown OS',
      ['catalog', 'show', 'dfsr', '--os', 'bogus'],
      /--os "bogus": expected one of 2000, .*2008r2.*2025/,
    ],
    [
      'show: unknown client OS',
      ['catalog', 'show', 'group-policy', '--client-os', 'bogus'],
      /--client-os "bogus": expected one of .*xp/,
    ],
    [
      'show: unknown switch',
      ['catalog', 'show', 'domain-controller', '--with', 'gc,bogus'],
      /--with "bogus": no such named condition; expected one of adws, .*gc/,
    ],
    [
      'show: bad RPC range',
      ['catalog', 'show', 'kdc', '--rpc-range', '6000-5000'],
      /--rpc-range: "6000-5000" is not a port or ascending range/,
    ],
    [
      'show: bad FTP range',
      ['catalog', 'show', 'ftp', '--ftp-passive-range', 'x'],
      /--ftp-passive-range: "x" is not a port/,
    ],
    [
      'show: misspelled role',
      ['catalog', 'show', 'domain-controler'],
      /no service or role "domain-controler"\. Did you mean "domain-controller"/,
    ],
    ['show: misspelled service', ['catalog', 'show', 'kdcc'], /no service or role "kdcc"\. Did you mean "kdc"/],
    ['ports: port 0', ['catalog', 'ports', '--port', '0'], /--port "0": expected a port number 1-65535/],
    ['ports: port text', ['catalog', 'ports', '--port', 'ldap'], /--port "ldap": expected a port number/],
    [
      'ports: unknown protocol',
      ['catalog', 'ports', '--protocol', 'sctp'],
      /--protocol "sctp": expected tcp, udp, icmp, ip/,
    ],
    [
      'ports: unknown profile',
      ['catalog', 'ports', '--profile', 'newest'],
      /--profile "newest": expected modern, legacy, both/,
    ],
  ];
  // services, roles and switches take no values of their own but --checks: a user role that turns on a
  // switch no row uses is a catalog error, named with file, line and column.
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-catalog-cli-'));
    mkdirSync(join(dir, 'roles'));
    writeFileSync(join(dir, 'roles', 'r.yaml'), 'id: r\nname: R\ndescription: d\nwith: [ gcc ]\nservices: [ kdc ]\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const sub of ['services', 'roles', 'switches', 'ports']) {
    cases.push([
      `${sub}: a --checks role that turns on an unknown switch`,
      ['catalog', sub, '--checks', '<dir>'],
      /roles\/r\.yaml:4:\d+: role "r" turns on "gcc", which no row or role entry uses as a switch; expected one of adws,/,
    ]);
  }

  for (const [name, args, message] of cases) {
    it(name, async () => {
      const run = await runCli(args.map((a) => (a === '<dir>' ? dir : a)));
      expect(run.code, run.stdout).to.equal(2);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.match(message);
      expect(run.stderr.trim().split('\n'), run.stderr).to.have.length(1);
      expect(run.stderr).to.not.match(/\bat .*\.ts:\d+|internal error|TypeError/);
    });
  }

  it('accepts profile, OS and protocol in any case', async () => {
    for (const args of [
      ['catalog', 'show', 'dfsr', '--profile', 'Modern'],
      ['catalog', 'show', 'dfsr', '--os', '2008R2'],
      ['catalog', 'show', 'dc-for-clients', '--client-os', 'XP'],
      ['catalog', 'ports', '--protocol', 'ICMP'],
    ]) {
      const run = await runCli(args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).to.equal(0);
    }
  });
});

describe('portolan catalog show', () => {
  const show = async (...args: string[]): Promise<CatalogShow> => {
    const run = await runCli(['catalog', 'show', ...args, '--json']);
    expect(run.code, run.stderr).to.equal(0);
    return JSON.parse(run.stdout) as CatalogShow;
  };

  it('lists OS-gated rows without --os as not checked, with the OS values that turn them on', async () => {
    const dfsr = await show('dfsr');
    const r5722 = dfsr.rows.find((r) => r.port === 5722);
    expect([r5722?.checked, r5722?.when]).to.deep.equal([false, { os: ['2008', '2008r2'] }]);
    const text = (await runCli(['catalog', 'show', 'dfsr'])).stdout;
    expect(text).to.match(/5722\/tcp\s+RPC\s+not checked\s+dc, --os 2008,2008r2/);
    const winrm = (await runCli(['catalog', 'show', 'winrm'])).stdout;
    expect(winrm).to.match(/80\/tcp .*not checked\s+--os 2003,2008/);
    expect(winrm).to.match(/5985\/tcp .*required\s+--os 2008r2 or later/);
    expect((await runCli(['catalog', 'show', 'ssdp'])).stdout).to.match(/5000\/tcp .*not checked\s+--os 2000,xp/);
    expect((await runCli(['catalog', 'show', 'group-policy'])).stdout).to.match(
      /icmp echo .*not checked\s+--client-os xp,2003/,
    );
    const with2008 = await show('dfsr', '--os', '2008');
    expect(with2008.rows.find((r) => r.port === 5722)?.checked).to.equal(true);
  });

  it('prints notes, and joins condition, footnote and note as sentences (never ".;")', async () => {
    const run = await runCli(['catalog', 'show', 'domain-controller']);
    expect(run.stdout).to.match(/Note: The KB names 389\/udp three ways/);
    expect(run.stdout).to.not.match(/\.;/);
    expect(run.stdout).to.match(/instead of opening each port\. From the section text/);
  });

  it('marks each row\u2019s switches, and --with turns them on', async () => {
    const dc = await show('domain-controller');
    expect(dc.with).to.deep.equal(['dc']);
    const gc = dc.rows.find((r) => r.port === 3268);
    expect([gc?.requirement, gc?.switches]).to.deep.equal(['conditional', [{ name: 'gc', on: false }]]);
    const on = await show('domain-controller', '--with', 'gc', '--with', 'dfsr-sysvol,dns');
    expect(on.with).to.deep.equal(['dc', 'dfsr-sysvol', 'dns', 'gc']);
    expect(on.rows.find((r) => r.port === 3268)?.requirement).to.equal('required');
    expect(on.rows.filter((r) => r.service === 'dns-server').map((r) => r.requirement)).to.deep.equal([
      'required',
      'required',
    ]);
    const text = (await runCli(['catalog', 'show', 'domain-controller', '--with', 'gc'])).stdout;
    expect(text).to.match(/3268\/tcp\s+Global Catalog\s+required\s+gc \(on\)/);
    expect(text).to.match(/^Switches on: dc, gc\./m);
  });

  it('shows a role by its former id under its new one', async () => {
    const old = await show('domain-client');
    expect([old.id, old.aliases]).to.deep.equal(['dc-for-clients', ['domain-client']]);
  });
});

describe('portolan catalog ports', () => {
  const ports = async (...args: string[]): Promise<PortTableRow[]> => {
    const run = await runCli(['catalog', 'ports', ...args, '--json']);
    expect(run.code, run.stderr).to.equal(0);
    return JSON.parse(run.stdout) as PortTableRow[];
  };

  it('tells GRE, ESP and AH apart, in number order, with port "proto N" in text', async () => {
    const ip = await ports('--protocol', 'ip');
    expect(ip.map((r) => `${r.ipProtocol} ${r.service}`)).to.deep.equal(['47 rras', '50 lsass', '50 rras', '51 rras']);
    const text = (await runCli(['catalog', 'ports', '--protocol', 'IP'])).stdout;
    expect(text).to.match(/^proto 47\s+ip\s+GRE/m);
    expect(text).to.not.match(/n\/a/);
  });

  it('carries note, footnote, when and switch', async () => {
    const all = await ports();
    const r5722 = all.find((r) => r.port === 5722);
    expect([r5722?.when, r5722?.switch]).to.deep.equal([{ os: ['2008', '2008r2'] }, 'dc']);
    expect(all.find((r) => r.service === 'cluster' && r.port === 3343 && r.protocol === 'udp')?.footnote).to.match(
      /DTLS/,
    );
    expect(all.find((r) => r.service === 'event-log' && r.port === 137)?.note).to.match(/RPC\/NP/);
  });

  it('matches the legacy RPC range by default (both generations), and only the profile asked for', async () => {
    const legacy = await ports('--port', '3000');
    const dynamic = legacy.filter((r) => r.portSet === 'rpc-dynamic');
    expect(dynamic.length).to.be.greaterThan(15);
    expect(dynamic[0]?.range).to.equal('1025-5000,49152-65535');
    expect(legacy.some((r) => r.portSet === 'ftp-passive')).to.equal(true);
    expect((await ports('--port', '3000', '--profile', 'modern')).filter((r) => r.portSet)).to.deep.equal([]);
  });

  it('says so when no row uses a port, with exit 0', async () => {
    const run = await runCli(['catalog', 'ports', '--port', '6']);
    expect([run.code, run.stdout.trim()]).to.deep.equal([
      0,
      'No KB 832017 row uses port 6; `portolan catalog ports` lists every row.',
    ]);
    expect(await ports('--port', '6')).to.deep.equal([]);
  });
});

describe('portolan catalog roles and switches', () => {
  it('lists what each role runs, optional services apart, and former ids', async () => {
    const run = await runCli(['catalog', 'roles']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^dc-for-clients \(was domain-client\)\s+Domain controller, as seen by members/m);
    expect(run.stdout).to.match(/^deployment-server\s+.*remote-installation, tftp; optional: dhcp-server, server$/m);
    expect(run.stdout).to.match(/^remote-management\s+.*winrm, wmi; optional: event-log, snmp$/m);
  });

  it('lists every switch with the rows and role entries it turns on', async () => {
    const run = await runCli(['catalog', 'switches', '--json']);
    expect(run.code).to.equal(0);
    const list = JSON.parse(run.stdout) as SwitchInfo[];
    const gc = list.find((s) => s.name === 'gc');
    expect(gc?.uses.map((u) => (u.kind === 'row' ? `${u.service} ${u.endpoint}` : u.kind))).to.deep.equal([
      'lsass 3269/tcp',
      'lsass 3268/tcp',
    ]);
    const dc = list.find((s) => s.name === 'dc');
    expect(
      dc?.uses.filter((u) => u.kind === 'role-default').map((u) => (u.kind === 'role-default' ? u.role : '')),
    ).to.deep.equal(['dc-for-clients', 'dc-replication', 'domain-controller']);
    const text = (await runCli(['catalog', 'switches'])).stdout;
    expect(text).to.match(/^dfsr-sysvol\s+dfsr in role dc-replication; dfsr in role domain-controller$/m);
  });
});
