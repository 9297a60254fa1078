import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadCatalog } from '../../src/catalog/load.js';
import { isPortolanError } from '../../src/errors.js';
import { loadModules, moduleForQuery, NO_MODULES } from '../../src/exporter/modules.js';
import type { Catalog } from '../../src/model.js';
import { PROMETHEUS_DIR } from './support.js';

describe('exporter modules (--config)', () => {
  let catalog: Catalog;
  let dir: string;
  before(async () => {
    catalog = await loadCatalog();
    dir = mkdtempSync(join(tmpdir(), 'portolan-exporter-modules-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function loadText(text: string) {
    const file = join(dir, 'exporter.yml');
    writeFileSync(file, text);
    return loadModules(file, catalog);
  }

  async function problem(text: string): Promise<string> {
    try {
      await loadText(text);
    } catch (err) {
      expect(isPortolanError(err, 'CONFIG_INVALID'), String(err)).to.equal(true);
      return (err as Error).message;
    }
    return expect.fail('the config was accepted');
  }

  it('loads the shipped example, with options, timeouts and scopes', async () => {
    const config = await loadModules(join(PROMETHEUS_DIR, 'exporter.yml'), catalog);
    expect([...config.modules.keys()]).to.deep.equal(['dc', 'dc-for-clients', 'kerberos', 'file-server']);
    expect(config.modules.get('dc')?.scope.roles).to.deep.equal(['domain-controller']);
    expect(config.modules.get('dc')?.options.timeoutMs).to.equal(1500);
    expect(config.modules.get('kerberos')?.timeoutMs).to.equal(10_000);
    expect(config.modules.get('dc')?.timeoutMs).to.equal(null);
  });

  it('takes waivers as plans write them', async () => {
    const config = await loadText(`version: 1
modules:
  kdc:
    services: [kdc]
    waivers:
      - port: 88/udp
        reason: UDP Kerberos is off on purpose
        owner: net-team
        expires: 2099-01-01
`);
    const waiver = config.modules.get('kdc')?.waivers[0];
    expect(waiver?.port).to.equal('88/udp');
    expect(waiver?.location).to.match(/exporter\.yml:6:9$/);
  });

  it('names file, line and column for an unknown field, an unknown option and a wrong option value', async () => {
    expect(await problem('version: 1\nmodules:\n  dc:\n    roles: [domain-controller]\n    role: x\n')).to.match(
      /exporter\.yml:5:5: unknown field "role"/,
    );
    expect(
      await problem('version: 1\nmodules:\n  dc:\n    roles: [domain-controller]\n    options:\n      timeout: 5\n'),
    ).to.match(/exporter\.yml:6:7: unknown field "timeout"/);
    expect(
      await problem('version: 1\nmodules:\n  dc:\n    roles: [domain-controller]\n    options:\n      timeoutMs: 0\n'),
    ).to.match(/exporter\.yml:6:\d+: .*timeoutMs/);
    expect(
      await problem(
        'version: 1\nmodules:\n  dc:\n    roles: [domain-controller]\n    options:\n      perHost: 64\n      concurrency: 8\n',
      ),
    ).to.match(/exporter\.yml:6:7: perHost 64 is larger than concurrency 8/);
  });

  it('takes named conditions (with) as plans do, and names an unknown one where it is written', async () => {
    const config = await loadText(
      'version: 1\nmodules:\n  gc:\n    roles: [domain-controller]\n    options:\n      with: [GC]\n',
    );
    expect(config.modules.get('gc')?.options.with).to.deep.equal(['GC']);
    expect(
      await problem(
        'version: 1\nmodules:\n  gc:\n    roles: [domain-controller]\n    options:\n      with: [gc, nope]\n',
      ),
    ).to.match(/exporter\.yml:6:7: with "nope": no such named condition/);
  });

  it('refuses an unknown role at load time, with a suggestion, where the module is', async () => {
    expect(await problem('version: 1\nmodules:\n  dc:\n    roles: [domain-controler]\n')).to.match(
      /exporter\.yml:4:5: unknown role "domain-controler"\. Did you mean "domain-controller"/,
    );
  });

  it('refuses a module that checks nothing, a sweep, and a sample too large for bounded labels', async () => {
    expect(await problem('version: 1\nmodules:\n  empty:\n    description: nothing\n')).to.match(
      /exporter\.yml:3:3: module "empty" checks nothing/,
    );
    expect(
      await problem(
        'version: 1\nmodules:\n  dc:\n    roles: [domain-controller]\n    options:\n      rpcMode: sweep\n',
      ),
    ).to.match(/exporter\.yml:6:7: rpcMode "sweep": expected discover or sample/);
    expect(
      await problem(
        'version: 1\nmodules:\n  dc:\n    roles: [domain-controller]\n    options:\n      rpcSample: 500\n',
      ),
    ).to.match(/exporter\.yml:6:7: rpcSample 500: expected at most 64/);
  });

  it('refuses malformed YAML, a missing version and a bad module name', async () => {
    expect(await problem('version: 1\nmodules:\n  dc: [\n')).to.match(/exporter\.yml:\d+:\d+: malformed YAML/);
    expect(await problem('modules:\n  dc:\n    roles: [domain-controller]\n')).to.match(
      /lacks the required field "version"/,
    );
    expect(await problem('version: 1\nmodules:\n  "-dc":\n    roles: [domain-controller]\n')).to.match(
      /exporter\.yml:3:3: module name "-dc": expected letters/,
    );
  });

  describe('moduleForQuery', () => {
    const q = (text: string) => new URLSearchParams(text);
    const config = {
      file: '/x/exporter.yml',
      modules: new Map([
        [
          'dc',
          {
            name: 'dc',
            scope: { roles: ['domain-controller'], services: [], ports: [] },
            options: {},
            timeoutMs: null,
            waivers: [],
          },
        ],
      ]),
    };

    it('takes role=, service= and port=, repeated or comma-separated, without a config', () => {
      const m = moduleForQuery(
        q('target=x&role=domain-controller&port=88/udp,88/tcp&port=icmp&service=kdc'),
        NO_MODULES,
        catalog,
      );
      expect(m.name).to.equal(null);
      expect(m.scope).to.deep.equal({
        roles: ['domain-controller'],
        services: ['kdc'],
        ports: ['88/udp', '88/tcp', 'icmp'],
      });
    });

    it('finds a module by name', () => {
      expect(moduleForQuery(q('module=dc'), config, catalog).scope.roles).to.deep.equal(['domain-controller']);
    });

    it('refuses an unknown module, both module and role, neither, two modules, and a scope the catalog rejects', () => {
      const cases: [string, typeof config | typeof NO_MODULES, RegExp][] = [
        ['module=nope', config, /unknown module "nope"; expected one of: dc/],
        [
          'module=dc',
          NO_MODULES,
          /unknown module "dc"; expected one of: none \(start the exporter with --config FILE\)/,
        ],
        ['module=dc&role=file-server', config, /both given/],
        ['target=x', config, /nothing to check/],
        ['module=dc&module=dc', config, /more than once/],
        ['role=nope', NO_MODULES, /unknown role "nope"/],
        ['port=88/sctp', NO_MODULES, /88\/sctp/],
        ['port=70000/tcp', NO_MODULES, /70000/],
      ];
      for (const [query, modules, message] of cases) {
        try {
          moduleForQuery(q(query), modules, catalog);
          expect.fail(`${query} was accepted`);
        } catch (err) {
          expect(isPortolanError(err), `${query}: ${String(err)}`).to.equal(true);
          expect((err as Error).message, query).to.match(message);
        }
      }
    });
  });
});
