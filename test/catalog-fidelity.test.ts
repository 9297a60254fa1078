/**
 * The catalog against KB 832017 itself: every (protocol, port) of every section table,
 * bullet list and summary-table row must be in the catalog under the same service, and
 * every catalog row must point at a place in the KB that states it. The KB text lives
 * outside the repo (its prose is Microsoft's), so those checks skip, saying why, when it
 * is absent; the structural checks below them always run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadCatalog } from '../src/catalog/load.js';
import type { Catalog, PortRow, Service } from '../src/model.js';
import { type KbPort, type KbPorts, parseKb } from './support/kb-tables.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const kbFile = resolve(repoRoot, '..', 'shared', 'reference', 'kb832017-service-ports.md');
const SUMMARY_SECTION = 'Ports and protocols';

// What this catalog delivers; change these together with checks/ on purpose.
const EXPECTED = {
  services: 71,
  rows: 254,
  roles: 21,
  summaryOnlyServices: 11,
  kbTableSections: 58,
  kbSummaryRows: 183,
};

/** The loader keeps `aliases` (the schema allows it) though `Service` does not declare it. */
type CatalogService = Service & { aliases?: string[] };

interface CatalogRow {
  service: CatalogService;
  row: PortRow;
}

const norm = (name: string): string => name.replace(/`/g, '').trim().toLowerCase();

function describeRow(r: {
  protocol: string;
  port?: number;
  range?: string;
  portSet?: string;
  ipProtocol?: number;
}): string {
  if (r.protocol === 'icmp') return 'icmp';
  if (r.protocol === 'ip') return `ip proto ${r.ipProtocol}`;
  return `${r.port ?? r.range ?? r.portSet}/${r.protocol}`;
}

/** The KB writes Windows' dynamic RPC range as 49152-65535; the catalog stores it as `portSet: rpc-dynamic`. */
function sameEndpoint(kb: KbPort, row: PortRow): boolean {
  if (kb.protocol !== row.protocol) return false;
  if (kb.protocol === 'icmp') return true;
  if (kb.protocol === 'ip') return row.ipProtocol === kb.ipProtocol;
  if (kb.port !== undefined) return row.port === kb.port;
  return row.range === kb.range || (row.portSet === 'rpc-dynamic' && kb.range === '49152-65535');
}

describe('catalog: the shipped YAML', () => {
  let catalog: Catalog;
  before(async () => {
    catalog = await loadCatalog();
  });

  it('has the delivered number of services, port rows and roles', () => {
    const rows = [...catalog.services.values()].reduce((n, s) => n + s.ports.length, 0);
    expect({ services: catalog.services.size, rows, roles: catalog.roles.size }).to.deep.equal({
      services: EXPECTED.services,
      rows: EXPECTED.rows,
      roles: EXPECTED.roles,
    });
  });

  it('keeps each service and role in a file named after its unique id', () => {
    for (const item of [...catalog.services.values(), ...catalog.roles.values()]) {
      expect(basename(item.file ?? ''), item.id).to.equal(`${item.id}.yaml`);
    }
    const ids = [...catalog.services.keys(), ...catalog.roles.keys()];
    expect(new Set(catalog.services.keys()).size).to.equal(catalog.services.size);
    expect(new Set(catalog.roles.keys()).size).to.equal(catalog.roles.size);
    expect(ids.length).to.equal(EXPECTED.services + EXPECTED.roles);
  });

  it('gives every service at most one row per endpoint', () => {
    const dupes: string[] = [];
    for (const s of catalog.services.values()) {
      const seen = new Set<string>();
      for (const row of s.ports) {
        const key = describeRow(row);
        if (seen.has(key)) dupes.push(`${s.id}: ${key}`);
        seen.add(key);
      }
    }
    expect(dupes).to.deep.equal([]);
  });

  it('names only existing services in roles, and ships the roles the issue asks for', () => {
    for (const role of catalog.roles.values()) {
      for (const entry of role.services)
        expect(catalog.services.has(entry.service), `${role.id} -> ${entry.service}`).to.equal(true);
    }
    expect([...catalog.roles.keys()]).to.include.members([
      'domain-controller',
      'file-server',
      'print-server',
      'web-server',
      'rds-session-host',
      'rds-licensing',
      'rds-connection-broker',
      'dhcp-server',
      'dns-server',
      'certificate-authority',
      'failover-cluster-node',
      'hyper-v-host',
      'wins-server',
      'nps-radius',
      'remote-access-vpn',
      'message-queuing',
      'remote-management',
      'exchange-legacy',
      'sql-server',
      'domain-client',
      'dc-replication',
    ]);
  });

  it('gives every row a source, and every conditional or reasoned optional row its condition', () => {
    for (const s of catalog.services.values()) {
      for (const row of s.ports) {
        const where = `${s.id} ${describeRow(row)}`;
        expect(row.source?.section, where).to.be.a('string').and.not.equal('');
        expect(['section', 'summary'], where).to.include(row.source.table);
        if (row.source.table === 'summary') expect(row.source.section, where).to.equal(SUMMARY_SECTION);
        if (row.requirement === 'conditional') expect(row.condition, where).to.be.a('string');
        if (row.when) expect(row.requirement, where).to.equal('conditional');
      }
    }
  });

  it('never maps one summary-table name to two services', () => {
    const owner = new Map<string, string>();
    for (const s of catalog.services.values() as Iterable<CatalogService>) {
      for (const alias of s.aliases ?? []) {
        expect(owner.get(norm(alias)), `alias "${alias}" of ${s.id}`).to.equal(undefined);
        owner.set(norm(alias), s.id);
      }
    }
  });
});

describe('catalog fidelity to KB 832017', () => {
  let catalog: Catalog;
  let kb: KbPorts;
  let rows: CatalogRow[];
  let byAlias: Map<string, CatalogService>;

  before(async function () {
    if (!existsSync(kbFile)) {
      console.log(`    skipped: KB 832017 text not found at ${kbFile} (it is kept outside the repository)`);
      this.skip();
    }
    kb = parseKb(readFileSync(kbFile, 'utf8'));
    catalog = await loadCatalog();
    const services = [...catalog.services.values()] as CatalogService[];
    rows = services.flatMap((service) => service.ports.map((row) => ({ service, row })));
    byAlias = new Map(services.flatMap((s) => (s.aliases ?? []).map((a) => [norm(a), s] as const)));
  });

  it('reads every port table of the KB (57 sections, Hyper-V split in two)', () => {
    expect(kb.tableSections).to.have.length(EXPECTED.kbTableSections);
    expect(kb.summary).to.have.length(EXPECTED.kbSummaryRows);
    expect(kb.tableSections).to.include.members([
      'Hyper-V service / Hyper-V replica',
      'Hyper-V service / Hyper-V live migration',
    ]);
    // Spot checks of the odd cell forms, so a parser regression cannot pass silently.
    const has = (section: string, protocol: string, at: string) =>
      kb.sections.some((p) => p.section === section && p.protocol === protocol && describeRow(p).startsWith(at));
    expect(has('Windows Remote Management (WinRM)', 'tcp', '5986'), 'TP + prose').to.equal(true);
    expect(has('Group Policy', 'udp', '49152-65535'), 'TCP + UDP').to.equal(true);
    expect(has('ISA/TMG Server', 'udp', '1745'), 'TCP/UDP').to.equal(true);
    expect(has('ISA/TMG Server', 'tcp', '10000-65535'), '<br/> second range').to.equal(true);
    expect(has('Cluster service', 'udp', '3343'), 'UDP and DTLS').to.equal(true);
    expect(has('Certificate Services', 'tcp', '139'), '"445, 139"').to.equal(true);
    expect(has('Routing and Remote Access', 'ip', 'ip proto 47'), 'GRE n/a').to.equal(true);
    expect(has('IP Address Management (IPAM)', 'tcp', '48885'), 'IPAM text').to.equal(true);
    expect(
      kb.summary.some((p) => p.protocol === 'udp' && p.port === 2703),
      'UPD',
    ).to.equal(true);
  });

  it('holds every port of every section table and list under the service of that section', () => {
    const missing = kb.sections
      .filter((p) => p.origin !== 'prose')
      .filter(
        (p) =>
          !rows.some(
            ({ row }) => row.source.table === 'section' && row.source.section === p.section && sameEndpoint(p, row),
          ),
      )
      .map((p) => `KB line ${p.line}: ${p.section}: ${describeRow(p)} (${p.application})`);
    expect(missing).to.deep.equal([]);
  });

  it('holds every row of the summary table under the service its name is an alias of', () => {
    const missing: string[] = [];
    for (const p of kb.summary) {
      const service = byAlias.get(norm(p.service));
      if (!service) missing.push(`KB line ${p.line}: no service has the alias "${p.service}"`);
      else if (!service.ports.some((row) => sameEndpoint(p, row))) {
        missing.push(`KB line ${p.line}: ${service.id} lacks ${describeRow(p)} (${p.application}, "${p.service}")`);
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it('backs every catalog row with the KB place its source names', () => {
    const unbacked = rows
      .filter(({ service, row }) =>
        row.source.table === 'section'
          ? !kb.sections.some((p) => p.section === row.source.section && sameEndpoint(p, row))
          : !kb.summary.some((p) => byAlias.get(norm(p.service)) === service && sameEndpoint(p, row)),
      )
      .map(
        ({ service, row }) => `${service.id}: ${describeRow(row)} claims ${row.source.table} "${row.source.section}"`,
      );
    expect(unbacked).to.deep.equal([]);
  });

  it('marks a row as summary-only only when its service section does not list it', () => {
    const sectionOf = (s: Service) => s.ports.find((r) => r.source.table === 'section')?.source.section;
    const wrong = rows
      .filter(({ row }) => row.source.table === 'summary')
      .filter(({ service, row }) => kb.sections.some((p) => p.section === sectionOf(service) && sameEndpoint(p, row)))
      .map(({ service, row }) => `${service.id}: ${describeRow(row)} is in its section's table`);
    expect(wrong).to.deep.equal([]);
  });

  it('keeps the services that only the summary table names', () => {
    const summaryOnly = [...catalog.services.values()].filter((s) =>
      s.ports.every((r) => r.source.table === 'summary'),
    );
    expect(summaryOnly.map((s) => s.id)).to.have.length(EXPECTED.summaryOnlyServices);
    for (const name of [
      'Exchange Server',
      'Exchange Server 2003',
      'Microsoft Exchange Server',
      'Microsoft SQL Server',
      'MSSQL$UDDI',
      'Microsoft Operations Manager 2000',
      'SMS Remote Control Agent',
      'Systems Management Server 2.0',
      'SQL Server Analysis Services',
      'SQL Server: Downlevel OLAP Client Support',
      'Installation Bootstrap protocol server',
      'Installation Bootstrap protocol client',
      'DHCP Failover',
      'Randomly allocated high TCP ports',
    ]) {
      expect(byAlias.has(norm(name)), name).to.equal(true);
    }
  });

  it('keeps the conditions the KB attaches to ports', () => {
    const row = (id: string, protocol: string, at: string) => {
      const found = catalog.services
        .get(id)
        ?.ports.find((r) => r.protocol === protocol && describeRow(r).startsWith(at));
      if (!found) throw new Error(`${id} has no ${at}/${protocol}`);
      return found;
    };
    expect(row('dfsr', 'tcp', '5722').when).to.deep.equal({ os: ['2008', '2008r2'] });
    expect(row('group-policy', 'icmp', 'icmp').when).to.deep.equal({ clientOs: ['xp', '2003'] });
    expect(row('winrm', 'tcp', '80').when).to.deep.equal({ os: ['2003', '2008'] });
    expect(row('dfsr', 'tcp', '445').requirement).to.equal('conditional');
    for (const [id, protocol, at] of [
      ['dfsn', 'udp', '138'],
      ['netlogon', 'tcp', '139'],
      ['server', 'udp', '137'],
    ] as const) {
      expect(row(id, protocol, at).requirement, `${id} ${at}`).to.equal('optional');
    }
    expect(row('cluster', 'udp', '3343').footnote).to.match(/DTLS/);
    expect(row('ftp', 'tcp', 'rpc-dynamic').note).to.match(/1025/);
    expect(row('isa-tmg', 'tcp', '10000-65535').range).to.equal('10000-65535');
    expect(row('lsass', 'udp', '636').source.table).to.equal('summary');
  });
});
