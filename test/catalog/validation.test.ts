import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli } from '../support/cli.js';

const GOOD_SERVICE = `id: demo
name: Demo service
summary: A service for tests.
impact: The demo does not work
ports:
  - protocol: tcp
    port: 4000
    application: Demo
    requirement: required
    source: { table: section, section: Demo }
`;

/** A user catalog dir with the given files; returns its path. */
function catalogDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'portolan-catalog-'));
  mkdirSync(join(dir, 'services'));
  mkdirSync(join(dir, 'roles'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const cases: { name: string; files: Record<string, string>; location: RegExp; message: RegExp; lines?: number }[] = [
  {
    name: 'malformed YAML',
    files: { 'services/demo.yaml': 'id: demo\nname: [unclosed\n' },
    location: /services\/demo\.yaml:\d+:\d+/,
    message: /malformed YAML/,
  },
  {
    name: 'unknown service in a role',
    files: {
      'services/demo.yaml': GOOD_SERVICE,
      'roles/r.yaml': 'id: r\nname: R\ndescription: d\nservices:\n  - demo\n  - no-such-service\n',
    },
    location: /roles\/r\.yaml:6:5/,
    message: /unknown service "no-such-service"/,
  },
  {
    name: 'duplicate id',
    files: { 'services/a.yaml': GOOD_SERVICE, 'services/b.yaml': GOOD_SERVICE },
    location: /services\/b\.yaml:1:1/,
    message: /duplicate service id "demo" \(also defined in .*a\.yaml\)/,
  },
  {
    name: 'port out of range',
    files: { 'services/demo.yaml': GOOD_SERVICE.replace('port: 4000', 'port: 70000') },
    location: /services\/demo\.yaml:7:5/,
    message: /"ports\.0\.port" is 70000; expected <= 65535/,
  },
  {
    name: 'reversed range',
    files: { 'services/demo.yaml': GOOD_SERVICE.replace('port: 4000', 'range: 5000-4000') },
    location: /services\/demo\.yaml:7:5/,
    message: /range "5000-4000" is reversed/,
  },
  {
    name: 'unknown protocol',
    files: { 'services/demo.yaml': GOOD_SERVICE.replace('protocol: tcp', 'protocol: sctp') },
    location: /services\/demo\.yaml:6:5/,
    message: /"ports\.0\.protocol" is "sctp"; expected one of: "tcp", "udp", "icmp", "ip"/,
  },
  {
    name: 'unknown port set',
    files: { 'services/demo.yaml': GOOD_SERVICE.replace('port: 4000', 'portSet: rpc-static') },
    location: /services\/demo\.yaml:7:5/,
    message: /"ports\.0\.portSet" is "rpc-static"; expected one of: "rpc-dynamic"/,
  },
  {
    name: 'unknown field (typo)',
    files: { 'services/demo.yaml': GOOD_SERVICE.replace('requirement: required', 'requirment: required') },
    location: /services\/demo\.yaml:9:5/,
    message: /unknown field "requirment"/,
  },
  {
    name: 'a switch on a required row',
    files: {
      'services/demo.yaml': GOOD_SERVICE.replace('requirement: required', 'requirement: required\n    switch: demo'),
    },
    location: /services\/demo\.yaml:9:\d+/,
    message: /"ports\.0\.requirement" is "required"; expected one of: "optional", "conditional"/,
    // A switched row also needs its condition in words: both problems at once, one line each.
    lines: 3,
  },
  {
    name: 'a switch name that is not kebab-case',
    files: {
      'services/demo.yaml': GOOD_SERVICE.replace(
        'requirement: required',
        'requirement: optional\n    condition: Only sometimes.\n    switch: Global_Catalog',
      ),
    },
    location: /services\/demo\.yaml:11:5/,
    message: /"ports\.0\.switch" is "Global_Catalog"; expected text matching/,
  },
  {
    name: 'OS selectors on a row that is not conditional',
    files: {
      'services/demo.yaml': GOOD_SERVICE.replace(
        'requirement: required',
        'requirement: required\n    when: { os: [ "2008" ] }',
      ),
    },
    location: /services\/demo\.yaml:9:\d+/,
    message: /"ports\.0\.requirement" is "required"; expected "conditional"/,
  },
  {
    name: 'a role entry switch without the optional override it lifts',
    files: {
      'services/demo.yaml': GOOD_SERVICE,
      'roles/r.yaml': 'id: r\nname: R\ndescription: d\nservices:\n  - service: demo\n    switch: demo\n',
    },
    location: /roles\/r\.yaml:5:5/,
    message: /"services\.0" lacks the required field "requirement"/,
  },
  {
    name: "a role alias that is another role's id",
    files: {
      'services/demo.yaml': GOOD_SERVICE,
      'roles/r.yaml': 'id: r\nname: R\ndescription: d\naliases: [ file-server ]\nservices: [ demo ]\n',
    },
    location: /roles\/r\.yaml:4:\d+/,
    message: /role "r" has the alias "file-server", which already names role "file-server"/,
  },
];

describe('catalog validation: one clear message, file:line:col, exit 2', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`rejects ${c.name}`, async () => {
      const dir = catalogDir(c.files);
      dirs.push(dir);
      const run = await runCli(['catalog', 'services', '--checks', dir]);
      expect(run.code).to.equal(2);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.match(c.location);
      expect(run.stderr).to.match(c.message);
      expect(run.stderr.trim().split('\n')).to.have.length(c.lines ?? 1);
    });
  }

  it('accepts a valid user service and lists it with the built-in ones', async () => {
    const dir = catalogDir({ 'services/demo.yaml': GOOD_SERVICE });
    dirs.push(dir);
    const run = await runCli(['catalog', 'services', '--checks', dir, '--json']);
    expect(run.code).to.equal(0);
    const ids = (JSON.parse(run.stdout) as { id: string }[]).map((s) => s.id);
    expect(ids).to.include('demo').and.to.include('kdc');
  });
});
