import { expect } from 'chai';
import { portLabel } from '../../src/analyze/describe.js';
import { expandPorts, expandRole, expandService, planRole } from '../../src/catalog/expand.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { resolveRpcDynamic } from '../../src/catalog/port-sets.js';
import { PortolanError } from '../../src/errors.js';
import type { Catalog } from '../../src/model.js';

/** The error code a call throws (tests assert codes, not message text). */
function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof PortolanError ? err.code : `not a PortolanError: ${String(err)}`;
  }
}

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

  it('validates profile, OS and client OS in any case, and rejects unknown ones as usage errors', () => {
    expect(codeOf(() => expandService(catalog, 'dfsr', { profile: 'Modern', os: '2008R2', clientOs: 'XP' }))).to.equal(
      null,
    );
    expect(has(expandService(catalog, 'dfsr', { os: '2008R2' }), 5722, 'tcp')).to.equal(true);
    for (const bad of [
      { profile: 'bogus' },
      { os: 'bogus' },
      { os: '2008 R2' },
      { clientOs: 'bogus' },
      { with: ['nope'] },
    ]) {
      expect(
        codeOf(() => expandRole(catalog, 'domain-controller', bad)),
        JSON.stringify(bad),
      ).to.equal('INVALID_VALUE');
    }
  });

  it('assumes the newest Windows without --os: WinRM 2.0 in, WinRM 1.1 and DFSR 5722 out', () => {
    const ports = (opts: object) =>
      expandService(catalog, 'winrm', opts)
        .map((e) => e.port)
        .sort();
    expect(ports({})).to.deep.equal([5985, 5986]);
    expect(ports({ os: '2008' })).to.deep.equal([443, 80]);
    expect(has(expandService(catalog, 'dfsr'), 5722, 'tcp')).to.equal(false);
  });

  it('a row switch makes its row required once on, and the expectation says which switch and whether on', () => {
    const gc = (opts: object) => expandService(catalog, 'lsass', opts).find((e) => e.port === 3268);
    expect([gc({})?.requirement, gc({})?.switches]).to.deep.equal(['conditional', [{ name: 'gc', on: false }]]);
    expect([gc({ with: ['gc'] })?.requirement, gc({ with: ['GC'] })?.switches]).to.deep.equal([
      'required',
      [{ name: 'gc', on: true }],
    ]);
    expect(gc({ with: ['gc'] })?.condition, 'the condition stays visible').to.match(/global catalog/);
    expect(expandService(catalog, 'kdc').every((e) => e.switches === undefined)).to.equal(true);
  });

  it('a role entry switch lifts the role’s optional override; a role’s own `with` is always on', () => {
    const dns = (opts: object) =>
      expandRole(catalog, 'domain-controller', opts).filter((e) => e.service === 'dns-server');
    expect(dns({}).map((e) => e.requirement)).to.deep.equal(['optional', 'optional']);
    expect(dns({ with: ['dns'] }).map((e) => e.requirement)).to.deep.equal(['required', 'required']);
    // dfsn 389 waits for `dc`, which the DC roles turn on and the file-server role does not
    const ldap = (role: string) =>
      expandRole(catalog, role).find((e) => e.service === 'dfsn' && e.port === 389 && e.protocol === 'tcp');
    expect(ldap('domain-controller')?.requirement).to.equal('required');
    expect(ldap('domain-controller')?.switches).to.deep.equal([{ name: 'dc', on: true }]);
    expect(ldap('file-server')?.requirement).to.equal('conditional');
  });

  it('joins the role’s condition to the row’s own', () => {
    const r5722 = expandRole(catalog, 'domain-controller', { os: '2008' }).find((e) => e.port === 5722);
    const role = catalog.roles.get('domain-controller')?.services.find((s) => s.service === 'dfsr')?.condition;
    const own = catalog.services.get('dfsr')?.ports.find((r) => r.port === 5722)?.condition;
    expect(r5722?.condition).to.equal(`${role} ${own}`);
    expect(r5722?.requirement).to.equal('optional');
  });

  it('plans the rows an OS leaves out as not checked, with their selectors', () => {
    const planned = planRole(catalog, 'domain-controller').find((p) => p.expectation.port === 5722);
    expect([planned?.checked, planned?.when]).to.deep.equal([false, { os: ['2008', '2008r2'] }]);
  });

  it('keeps the FTP passive range apart from the RPC range', () => {
    const ranges = (opts: object) =>
      expandRole(catalog, 'web-server', { with: ['ftp'], ...opts })
        .filter((e) => e.portSet)
        .map((e) => `${e.portSet} ${e.range}`);
    expect(ranges({ rpcRange: '5000-5100' })).to.deep.equal(['ftp-passive 49152-65535']);
    expect(ranges({ profile: 'both', ftpPassiveRange: '60000-60100' })).to.deep.equal(['ftp-passive 60000-60100']);
    expect(ranges({ profile: 'both' })).to.deep.equal(['ftp-passive 1025-5000', 'ftp-passive 49152-65535']);
  });

  it('finds a role by its former id', () => {
    expect(expandRole(catalog, 'domain-client').every((e) => e.role === 'dc-for-clients')).to.equal(true);
  });

  it('rejects an unknown role with a hint', () => {
    expect(() => expandRole(catalog, 'domain')).to.throw(/unknown role "domain".*domain-controller/);
  });

  it('matches role and service ids in any case', () => {
    expect(expandRole(catalog, 'Domain-Controller').map((e) => e.key)).to.deep.equal(
      expandRole(catalog, 'domain-controller').map((e) => e.key),
    );
    expect(expandService(catalog, 'KDC').length).to.be.greaterThan(0);
  });

  it('parses ad-hoc ports and rejects bad ones', () => {
    const list = expandPorts(['445/tcp', '53/udp', 'icmp', '5000-5010/tcp']);
    expect(list.map((e) => [e.protocol, e.port, e.range])).to.deep.equal([
      ['tcp', 445, null],
      ['udp', 53, null],
      ['icmp', null, null],
      ['tcp', null, '5000-5010'],
    ]);
    // Neutral names: 443/tcp is not "BranchCache hosted cache", ICMP is not the cluster's echo.
    expect(list.map((e) => portLabel(e))).to.deep.equal([
      'Requested port 445/tcp',
      'Requested port 53/udp',
      'ICMP echo',
      'Requested range 5000-5010/tcp',
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
    // Every rpc-dynamic row takes the legacy range (and there are some: an empty list would prove nothing).
    const rpcRanges = legacy2008.filter((e) => e.portSet === 'rpc-dynamic').map((e) => e.range);
    expect(rpcRanges).to.have.length.greaterThan(0);
    expect(new Set(rpcRanges)).to.deep.equal(new Set(['1025-5000']));
  });
});
