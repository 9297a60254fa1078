import { expect } from 'chai';
import { expandPorts, expandRole } from '../../src/catalog/expand.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { resolveRpcDynamic } from '../../src/catalog/port-sets.js';
import type { Catalog } from '../../src/model.js';

describe('expandRole', () => {
  let catalog: Catalog;
  before(async () => {
    catalog = await loadCatalog();
  });

  const has = (list: { protocol: string; port: number | null }[], port: number, protocol: string) =>
    list.some((e) => e.port === port && e.protocol === protocol);

  it('includes DFSR 5722/tcp only when the target OS is 2008 or 2008 R2', () => {
    expect(has(expandRole(catalog, 'domain-controller'), 5722, 'tcp')).to.equal(false);
    expect(has(expandRole(catalog, 'domain-controller', { os: '2008' }), 5722, 'tcp')).to.equal(true);
    expect(has(expandRole(catalog, 'domain-controller', { os: '2008r2' }), 5722, 'tcp')).to.equal(true);
    expect(has(expandRole(catalog, 'domain-controller', { os: '2016' }), 5722, 'tcp')).to.equal(false);
  });

  it('includes Group Policy ICMP only for XP/2003 clients', () => {
    const icmp = (opts: { clientOs?: string }) =>
      expandRole(catalog, 'domain-client', opts).filter((e) => e.service === 'group-policy' && e.protocol === 'icmp');
    expect(icmp({})).to.have.length(0);
    expect(icmp({ clientOs: 'xp' })).to.have.length(1);
  });

  it('resolves rpc-dynamic by profile, and a pinned range overrides it', () => {
    const ranges = (opts: object) =>
      expandRole(catalog, 'domain-controller', opts)
        .filter((e) => e.service === 'lsass' && e.portSet === 'rpc-dynamic')
        .map((e) => e.range);
    expect(ranges({})).to.deep.equal(['49152-65535']);
    expect(ranges({ profile: 'legacy' })).to.deep.equal(['1025-5000']);
    expect(ranges({ profile: 'both' })).to.deep.equal(['1025-5000', '49152-65535']);
    expect(ranges({ rpcRange: '5000-5100' })).to.deep.equal(['5000-5100']);
    expect(resolveRpcDynamic('modern', '6000,6010-6020')).to.deep.equal([
      { first: 6000, last: 6000 },
      { first: 6010, last: 6020 },
    ]);
  });

  it('applies a role-level optional override with its condition', () => {
    const smtp = expandRole(catalog, 'domain-controller').filter((e) => e.service === 'smtp');
    expect(smtp).to.have.length.greaterThan(0);
    for (const e of smtp) {
      expect(e.requirement).to.equal('optional');
      expect(e.condition).to.match(/SMTP/);
    }
  });

  it('gives every expectation a unique, stable key and a source', () => {
    const list = expandRole(catalog, 'domain-controller');
    expect(new Set(list.map((e) => e.key)).size).to.equal(list.length);
    expect(list.find((e) => e.service === 'kdc' && e.port === 88 && e.protocol === 'udp')?.key).to.equal(
      'domain-controller/kdc/udp/88',
    );
    for (const e of list) expect(e.source.section).to.be.a('string').and.not.equal('');
  });

  it('rejects an unknown role with a hint', () => {
    expect(() => expandRole(catalog, 'domain')).to.throw(/unknown role "domain".*domain-controller/);
  });

  it('parses ad-hoc ports and rejects bad ones', () => {
    const list = expandPorts(['445/tcp', '53/udp', 'icmp', '5000-5010/tcp']);
    expect(list.map((e) => [e.protocol, e.port, e.range])).to.deep.equal([
      ['tcp', 445, null],
      ['udp', 53, null],
      ['icmp', null, null],
      ['tcp', null, '5000-5010'],
    ]);
    for (const bad of ['445', '70000/tcp', '10-5/udp', '445/sctp', '0/tcp']) {
      // The library names its field; `portolan check` shows it as --port.
      expect(() => expandPorts([bad]), bad).to.throw(/^ports "/);
    }
  });
});

describe('library entry point', () => {
  it('expandRole(roleId, options) loads the catalog and applies profile and conditions', async () => {
    const { expandRole: libraryExpandRole } = await import('../../src/index.js');
    const modern = await libraryExpandRole('domain-controller');
    const legacy2008 = await libraryExpandRole('domain-controller', { profile: 'legacy', os: '2008' });
    expect(modern.some((e) => e.port === 5722)).to.equal(false);
    expect(legacy2008.some((e) => e.port === 5722 && e.protocol === 'tcp')).to.equal(true);
    expect(legacy2008.filter((e) => e.portSet === 'rpc-dynamic').every((e) => e.range === '1025-5000')).to.equal(true);
  });
});
