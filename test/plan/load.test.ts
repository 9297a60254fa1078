import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadCatalog } from '../../src/catalog/load.js';
import { PortolanError } from '../../src/errors.js';
import { loadPlan, parsePlan } from '../../src/plan/load.js';
import { resolveRunSettings } from '../../src/run-options.js';

const GOOD = `version: 1
name: nightly
options:
  timeoutMs: 800
groups:
  - name: dcs
    targets: [dc1.corp.example, '\${DC2:-dc2.corp.example}']
    roles: [domain-controller]
    options: { expect: reachable }
  - name: dmz
    targets: [web1.dmz.example]
    blocked:
      ports: [445/tcp, 3389/tcp]
      reason: no file shares or RDP from the DMZ
waivers:
  - target: dc1.corp.example
    port: 445/tcp
    reason: SMB signing change CHG-1
    owner: netops
    expires: 2026-12-31
outputs:
  directory: out
  formats: [json, junit]
failOn: [waived-expiring]
`;

function planError(text: string, env: NodeJS.ProcessEnv = {}): PortolanError {
  try {
    parsePlan(text, 'p.yaml', { env });
  } catch (err) {
    expect(err).to.be.instanceOf(PortolanError);
    return err as PortolanError;
  }
  throw new Error('expected the plan to be rejected');
}

describe('plan files', () => {
  it('parses a plan: groups, merged options, blocked rules, waivers, outputs', () => {
    const plan = parsePlan(GOOD, 'p.yaml', { env: {} });
    expect(plan.name).to.equal('nightly');
    expect(plan.groups[0]?.targets).to.deep.equal(['dc1.corp.example', 'dc2.corp.example']);
    expect(plan.groups[0]?.options).to.deep.equal({ timeoutMs: 800, expect: 'reachable' });
    expect(plan.groups[1]?.blocked).to.deep.equal({
      roles: [],
      services: [],
      ports: ['445/tcp', '3389/tcp'],
      reason: 'no file shares or RDP from the DMZ',
    });
    expect(plan.waivers[0]).to.include({ port: '445/tcp', expires: '2026-12-31', location: 'p.yaml:16:5' });
    expect(plan.outputs).to.deep.equal({ directory: 'out', formats: ['json', 'junit'] });
    expect(plan.failOn).to.deep.equal(['waived-expiring']);
    expect(plan.waiverWarningDays).to.equal(14);
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the plan's own ${VAR} syntax
  it('expands ${VAR} from the environment', () => {
    const plan = parsePlan(GOOD, 'p.yaml', { env: { DC2: 'dc9.corp.example' } });
    expect(plan.groups[0]?.targets[1]).to.equal('dc9.corp.example');
  });

  // Each case: the plan text, the location the error must name, and words it must contain.
  it('takes CIDR prefixes and targets files (relative to the plan) in a group', () => {
    const text = GOOD.replace('targets: [web1.dmz.example]', 'targets: [192.0.2.0/28]\n    targetsFiles: [dmz.txt]');
    const plan = parsePlan(text, '/plans/p.yaml', { env: {} });
    expect(plan.groups[1]?.targets).to.deep.equal(['192.0.2.0/28']);
    expect(plan.groups[1]?.targetsFiles).to.deep.equal(['/plans/dmz.txt']);
  });

  const bad: { name: string; text: string; location: string; words: RegExp }[] = [
    {
      name: "CIDR prefix past the group's limit",
      text: GOOD.replace(
        'targets: [web1.dmz.example]',
        'targets: [web1.dmz.example, 10.0.0.0/20]\n    options: { cidrLimit: 1024 }',
      ),
      location: 'p.yaml:11:33',
      words: /target "10\.0\.0\.0\/20" is 4,094 addresses, more than the CIDR limit of 1,024/,
    },
    {
      name: 'malformed YAML',
      text: 'version: 1\nname: x\ngroups: [\n',
      location: 'p.yaml:4:1',
      words: /malformed YAML/,
    },
    {
      name: 'unknown field (typo)',
      text: GOOD.replace('    roles: [domain-controller]', '    role: [domain-controller]'),
      location: 'p.yaml:8:5',
      words: /unknown field "role".*expected one of: name, description, targets/,
    },
    {
      name: 'bad enum value',
      text: GOOD.replace('expect: reachable', 'expect: maybe'),
      location: 'p.yaml:9:16',
      words: /"maybe"; expected one of: "listening", "reachable"/,
    },
    {
      name: 'bad port spec',
      text: GOOD.replace('ports: [445/tcp, 3389/tcp]', 'ports: [445/tcp, 3389]'),
      location: 'p.yaml:13:24',
      words: /"groups\.1\.blocked\.ports\.1" is 3389; expected string/,
    },
    {
      name: 'bad expiry date',
      text: GOOD.replace('2026-12-31', '2026-13-01'),
      location: 'p.yaml:20:5',
      words: /"waivers\.0\.expires" is "2026-13-01"; expected a date as YYYY-MM-DD/,
    },
    {
      name: 'missing name',
      text: GOOD.replace('name: nightly\n', ''),
      location: 'p.yaml:1:1',
      words: /lacks the required field "name"/,
    },
    {
      name: 'wrong version',
      text: GOOD.replace('version: 1', 'version: 2'),
      location: 'p.yaml:1:1',
      words: /"version" is 2/,
    },
    {
      name: 'unset environment variable',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the plan's own ${VAR} syntax
      text: GOOD.replace("'${DC2:-dc2.corp.example}'", "'${STAGING_DC}'"),
      location: 'p.yaml:7:33',
      words: /STAGING_DC is not set/,
    },
    {
      name: 'duplicate group name',
      text: GOOD.replace('name: dmz', 'name: dcs'),
      location: 'p.yaml:10:5',
      words: /"dcs" is used twice/,
    },
    {
      name: 'group without targets',
      text: GOOD.replace('    targets: [web1.dmz.example]\n', ''),
      location: 'p.yaml:10:5',
      words: /names no targets/,
    },
    {
      name: 'targets and domain',
      text: GOOD.replace(
        '    targets: [web1.dmz.example]\n',
        '    targets: [web1.dmz.example]\n    domain: { name: corp.example }\n',
      ),
      location: 'p.yaml:12:5',
      words: /both targets and domain/,
    },
    {
      name: 'group that checks nothing',
      text: GOOD.replace('    roles: [domain-controller]\n', ''),
      location: 'p.yaml:6:5',
      words: /checks nothing/,
    },
    {
      name: 'a port both required and blocked',
      text: GOOD.replace(
        '    targets: [web1.dmz.example]\n',
        '    targets: [web1.dmz.example]\n    ports: [445/tcp]\n',
      ),
      location: 'p.yaml:14:7',
      words: /both requires and blocks 445\/tcp/,
    },
    {
      name: 'waiver that selects nothing',
      text: GOOD.replace('  - target: dc1.corp.example\n    port: 445/tcp\n    reason', '  - reason'),
      location: 'p.yaml:16:5',
      words: /waiver matches everything/,
    },
    {
      name: 'an RPC range the option table rejects',
      text: GOOD.replace('timeoutMs: 800', 'rpcRange: 6000-5000'),
      location: 'p.yaml:4:3',
      words: /rpcRange: "6000-5000" is not a port or ascending range/,
    },
    {
      name: 'options that break a rule across options',
      text: GOOD.replace('options: { expect: reachable }', 'options: { perHost: 64, concurrency: 32 }'),
      location: 'p.yaml:9:5',
      words: /perHost 64 is larger than concurrency 32/,
    },
    {
      name: 'unknown output format',
      text: GOOD.replace('formats: [json, junit]', 'formats: [json, pdf]'),
      location: 'p.yaml:23:19',
      words: /"pdf"/,
    },
  ];
  for (const c of bad) {
    it(`rejects ${c.name} with code PLAN at ${c.location}`, () => {
      const err = planError(c.text);
      expect(err.code).to.equal('PLAN_INVALID');
      expect(err.location).to.equal(c.location);
      expect(err.message).to.match(c.words);
    });
  }

  it('names every schema problem at once, each with its line and column', () => {
    const text = GOOD.replace('    roles: [domain-controller]', '    role: [domain-controller]')
      .replace('expect: reachable', 'expect: maybe')
      .replace('2026-12-31', '2026-13-01');
    const err = planError(text);
    expect(err.code).to.equal('PLAN_INVALID');
    expect(err.location).to.equal('p.yaml');
    const lines = err.message.split('\n');
    expect(lines[0]).to.equal('p.yaml: 3 problems:');
    expect(lines.slice(1).map((l) => l.trim().split(': ')[0])).to.deep.equal([
      'p.yaml:8:5',
      'p.yaml:9:16',
      'p.yaml:20:5',
    ]);
    expect(err.message)
      .to.match(/unknown field "role"/)
      .and.match(/"maybe"/)
      .and.match(/YYYY-MM-DD/);
  });

  it('with the catalog: an unknown role, service or named condition is named at its line and column', async () => {
    const catalog = await loadCatalog();
    const check = (text: string) => {
      try {
        parsePlan(text, 'p.yaml', { env: {}, catalog });
      } catch (err) {
        return err as PortolanError;
      }
      throw new Error('expected the plan to be rejected');
    };
    const role = check(GOOD.replace('roles: [domain-controller]', 'roles: [domain-controler]'));
    expect([role.code, role.location]).to.deep.equal(['PLAN_INVALID', 'p.yaml:8:13']);
    expect(role.message).to.match(/unknown role "domain-controler"\. Did you mean "domain-controller"/);
    const switched = check(
      GOOD.replace('options: { expect: reachable }', 'options: { expect: reachable, with: [gc, gcc] }'),
    );
    expect(switched.location).to.equal('p.yaml:9:35');
    expect(switched.message).to.match(/with "gcc": no such named condition/);
    const blocked = check(GOOD.replace('ports: [445/tcp, 3389/tcp]', 'services: [smb-server]'));
    expect(blocked.location).to.equal('p.yaml:13:18');
    expect(blocked.message).to.match(/unknown service "smb-server"/);
  });

  it('with the catalog: role names in any case, and named conditions, are accepted', async () => {
    const catalog = await loadCatalog();
    const plan = parsePlan(
      GOOD.replace('roles: [domain-controller]', 'roles: [Domain-Controller]').replace(
        'options: { expect: reachable }',
        'options: { expect: reachable, with: [GC, dfsr-sysvol] }',
      ),
      'p.yaml',
      { env: {}, catalog },
    );
    expect(plan.groups[0]?.roles).to.deep.equal(['Domain-Controller']);
    expect(resolveRunSettings(plan.groups[0]?.options ?? {}).with).to.deep.equal(['gc', 'dfsr-sysvol']);
  });

  it('a missing plan file is an IO error naming the file', async () => {
    const err = await loadPlan('/nonexistent/plan.yaml').then(
      () => null,
      (e: unknown) => e as PortolanError,
    );
    expect(err?.code).to.equal('FILE_UNREADABLE');
    expect(err?.location).to.equal('/nonexistent/plan.yaml');
  });

  it('every example plan in checks/plans is valid', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'checks', 'plans');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).to.be.at.least(3);
    for (const f of files) {
      const plan = await loadPlan(join(dir, f), { env: { STAGING_DC: 'dc1.staging.example' } });
      expect(plan.groups.length, f).to.be.greaterThan(0);
      for (const host of plan.groups.flatMap((g) => g.targets))
        expect(host, f).to.match(/\.(example|test)$|^192\.0\.2\.\d+$/);
    }
  });
});
