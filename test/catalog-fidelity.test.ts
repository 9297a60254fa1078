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
import { expandRole, expandService } from '../src/catalog/expand.js';
import { loadCatalog } from '../src/catalog/load.js';
import { switchNames } from '../src/catalog/switches.js';
import type { Catalog, PortRow, Service } from '../src/model.js';
import { type KbPort, type KbPorts, kbSection, parseKb } from './support/kb-tables.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** `../shared/reference/` beside the checkout (CI, the main checkout), or one level up from a worktree in `wt/`. */
const kbFile =
  [resolve(repoRoot, '..'), resolve(repoRoot, '..', '..')]
    .map((dir) => resolve(dir, 'shared', 'reference', 'kb832017-service-ports.md'))
    .find((file) => existsSync(file)) ?? resolve(repoRoot, '..', 'shared', 'reference', 'kb832017-service-ports.md');
const SUMMARY_SECTION = 'Ports and protocols';

// What this catalog delivers; change these together with checks/ on purpose.
const EXPECTED = {
  services: 72,
  rows: 256,
  roles: 24,
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

/**
 * The KB writes Windows' dynamic range as 49152-65535; the catalog stores it as a port set
 * (`rpc-dynamic`, or `ftp-passive` for the FTP passive data range).
 */
function sameEndpoint(kb: KbPort, row: PortRow): boolean {
  if (kb.protocol !== row.protocol) return false;
  if (kb.protocol === 'icmp') return true;
  if (kb.protocol === 'ip') return row.ipProtocol === kb.ipProtocol;
  if (kb.port !== undefined) return row.port === kb.port;
  return row.range === kb.range || (row.portSet !== undefined && kb.range === '49152-65535');
}

/** The one row of a service whose endpoint starts with `at` ("389", "icmp", "rpc-dynamic", "ip proto 50"). */
function catalogRow(catalog: Catalog, id: string, protocol: string, at: string): PortRow {
  const found = catalog.services.get(id)?.ports.find((r) => r.protocol === protocol && describeRow(r).startsWith(at));
  if (!found) throw new Error(`${id} has no ${at}/${protocol}`);
  return found;
}

const INFERRED = /Requirement inferred/;

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
      'dc-for-clients',
      'dc-replication',
      'deployment-server',
      'ipam-server',
      'branchcache-hosted-cache',
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
    const row = (id: string, protocol: string, at: string) => catalogRow(catalog, id, protocol, at);
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
    expect(row('ftp', 'tcp', 'ftp-passive').note).to.match(/1025/);
    expect(row('isa-tmg', 'tcp', '10000-65535').range).to.equal('10000-65535');
    expect(row('lsass', 'udp', '636').source.table).to.equal('summary');
  });
});

/**
 * The audit of the catalog against the KB (issue 13), case by case: each expectation below is
 * checked against what the KB text says for that row, so a regression in either the YAML or the
 * reading of the KB fails here with the row named.
 */
describe('catalog audit against KB 832017: requirement levels and conditions', () => {
  let catalog: Catalog;
  let markdown: string;
  let kb: KbPorts;
  const section = (heading: string) => kbSection(markdown, heading);
  const row = (id: string, protocol: string, at: string) => catalogRow(catalog, id, protocol, at);
  /** The raw KB table line of a section port, to see whether the KB marks it with a footnote or a condition. */
  const kbLine = (heading: string, protocol: string, port: number): string => {
    const p = kb.sections.find((x) => x.section === heading && x.protocol === protocol && x.port === port);
    if (!p) throw new Error(`KB section "${heading}" has no ${port}/${protocol}`);
    return markdown.split(/\r?\n/)[p.line - 1] ?? '';
  };
  const plainTableRow = (line: string) => !/<sup>|[¹²³]|\(.*(required|optional|only).*\)/i.test(line);

  before(async function () {
    if (!existsSync(kbFile)) {
      console.log(`    skipped: KB 832017 text not found at ${kbFile} (it is kept outside the repository)`);
      this.skip();
    }
    markdown = readFileSync(kbFile, 'utf8');
    kb = parseKb(markdown);
    catalog = await loadCatalog();
  });

  /**
   * Rows whose lower requirement the KB itself states, with the few words of the KB section
   * that state it. Every other optional or conditional row must say in its note that the
   * level is inferred.
   */
  const STATED: { service: string; rows: string[]; section: string; kb: RegExp[] }[] = [
    {
      service: 'branchcache',
      rows: ['443/tcp'],
      section: 'IP Address Management (IPAM)',
      kb: [/443 \(TCP\).*hosted cache/],
    },
    {
      service: 'cluster',
      rows: ['3343/tcp', 'icmp', '445/tcp'],
      section: 'Cluster service',
      kb: [
        /3343 \(This port is required during a node join/,
        /Echo port \(.*node join.*Add Node Wizard/,
        /validation on Windows Failover Clusters/,
      ],
    },
    {
      service: 'dfsn',
      rows: ['138/udp', '139/tcp'],
      section: 'Distributed File System Namespaces',
      kb: [/NETBIOS ports are optional/],
    },
    {
      service: 'dfsr',
      rows: ['5722/tcp'],
      section: 'Distributed File System Replication',
      kb: [/5722 is only used on a Windows Server 2008/],
    },
    {
      service: 'dfsr',
      rows: ['445/tcp'],
      section: 'Ports and protocols',
      kb: [/445 is used by DFSR only when creating a new empty/],
    },
    ...(['event-log', 'license-logging', 'print-spooler', 'rds-licensing', 'rpc-locator', 'rpc'] as const).map(
      (service) => ({
        service,
        rows: service === 'license-logging' ? ['138/udp', '139/tcp'] : ['137/udp', '138/udp', '139/tcp'],
        section: {
          'event-log': 'Event Log',
          'license-logging': 'License Logging',
          'print-spooler': 'Print Spooler',
          'rds-licensing': 'RDS Licensing (RDSL)',
          'rpc-locator': 'Remote Procedure Call (RPC) Locator',
          rpc: 'Remote Procedure Call (RPC)',
        }[service],
        // "same firewall requirements as File and Printer Sharing", whose NetBIOS ports the Server section calls optional
        kb: [/same firewall requirements as the File and Printer Sharing/],
      }),
    ),
    {
      service: 'server',
      rows: ['137/udp', '138/udp', '139/tcp'],
      section: 'Server',
      kb: [/NetBIOS ports that are listed here are optional/],
    },
    {
      service: 'netlogon',
      rows: ['137/udp', '138/udp', '139/tcp'],
      section: 'Net Logon',
      kb: [/NETBIOS ports are optional/],
    },
    {
      service: 'ftp',
      rows: ['20/tcp'],
      section: 'FTP Publishing Service',
      kb: [/used for active mode FTP/, /Most FTP clients use passive mode/],
    },
    {
      service: 'group-policy',
      rows: ['icmp'],
      section: 'Group Policy',
      kb: [/required only by Windows XP and Windows Server 2003/],
    },
    {
      service: 'isa-tmg',
      rows: [
        '2171/tcp',
        '2172/tcp',
        '2173/tcp',
        '3847/tcp',
        '2175/tcp',
        '1025-65535/tcp',
        '1025-65535/udp',
        '1745/tcp',
        '1745/udp',
        '135/tcp',
        '1024-65535/tcp',
        '10000-65535/tcp',
      ],
      section: 'ISA/TMG Server',
      kb: [
        /not used with ISA 2000/,
        /negotiated within the FWC control channel/,
        /ISA 2000 FWC control uses UDP/,
        /used only by the ISA management MMC/,
        /range in TMG/,
      ],
    },
    {
      service: 'lsass',
      rows: ['500/udp', '4500/udp', 'ip proto 50'],
      section: 'Active Directory (local security authority)',
      kb: [/encapsulated scenario/],
    },
    {
      service: 'offline-files',
      rows: ['3268/tcp', '3269/tcp', '389/tcp', '389/udp', '636/tcp'],
      section: 'Offline Files, User Profile Service, Folder Redirection, and Primary Computer',
      kb: [/Primary Computer uses LDAP to determine the configuration/],
    },
    {
      service: 'rras',
      rows: ['ip proto 47', 'ip proto 50', 'ip proto 51', '1701/udp', '1723/tcp', '500/udp', '4500/udp'],
      section: 'Routing and Remote Access',
      kb: [/typically uses only a few of them/],
    },
    {
      service: 'ssdp',
      rows: ['5000/tcp'],
      section: 'Simple Service Discovery Protocol (SSDP) Discovery Service',
      kb: [/Starting with Windows XP Service Pack 2/],
    },
    {
      service: 'w3svc',
      rows: ['8098/tcp'],
      section: 'World Wide Web Publishing Service',
      kb: [/If the administrative website is enabled.*8098/],
    },
    {
      service: 'winrm',
      rows: ['80/tcp', '443/tcp', '5985/tcp'],
      section: 'Windows Remote Management (WinRM)',
      kb: [/WinRM 1\.1 and earlier/, /WinRM 2\.0/],
    },
    {
      service: 'wins',
      rows: ['42/tcp', '42/udp'],
      section: 'Windows Internet Name Service (WINS)',
      kb: [/WINS replication is only required between WINS servers/],
    },
  ];

  it('finds, in the KB text, the words behind every requirement level it states', () => {
    const missing = STATED.flatMap((s) =>
      s.kb
        .filter((re) => !re.test(section(s.section).replace(/\s+/g, ' ')))
        .map((re) => `${s.service}: ${re} in "${s.section}"`),
    );
    expect(missing).to.deep.equal([]);
  });

  it('lowers a row below required only where the KB says so, or says in a note that the level is inferred', () => {
    const stated = new Set(STATED.flatMap((s) => s.rows.map((r) => `${s.service} ${r}`)));
    const unexplained = [...catalog.services.values()].flatMap((service) =>
      service.ports
        .filter((r) => r.requirement !== 'required' && !INFERRED.test(r.note ?? ''))
        .map((r) => `${service.id} ${describeRow(r)}`)
        .filter((key) => !stated.has(key)),
    );
    expect(unexplained).to.deep.equal([]);
    // and no stated entry names a row the catalog lacks or keeps required
    for (const s of STATED) {
      for (const r of s.rows) {
        const [at, protocol] = r.startsWith('ip proto') ? [r, 'ip'] : r === 'icmp' ? ['icmp', 'icmp'] : r.split('/');
        expect(row(s.service, protocol as string, at as string).requirement, `${s.service} ${r}`).to.not.equal(
          'required',
        );
      }
    }
  });

  it('1. DFSN: 389/tcp and 389/udp are the DC\u2019s LDAP ports, conditional on `dc`; a file server needs no LDAP', () => {
    for (const protocol of ['tcp', 'udp']) {
      expect(
        plainTableRow(kbLine('Distributed File System Namespaces', protocol, 389)),
        `KB lists 389/${protocol} plainly`,
      ).to.equal(true);
      const r = row('dfsn', protocol, '389');
      expect([r.requirement, r.switch], `dfsn 389/${protocol}`).to.deep.equal(['conditional', 'dc']);
      expect(r.condition).to.match(/domain controller/);
      expect(r.note).to.match(INFERRED);
    }
    const ldap = expandRole(catalog, 'file-server').filter((e) => e.port === 389 && e.requirement === 'required');
    expect(ldap).to.deep.equal([]);
    // where the target is a DC, the roles turn `dc` on and the rows are required again
    const dc = expandRole(catalog, 'domain-controller').filter((e) => e.service === 'dfsn' && e.port === 389);
    expect(dc.map((e) => e.requirement)).to.deep.equal(['required', 'required']);
  });

  it('2. FTP: the passive range is its own port set; --rpc-range never moves it, the profile and its own pin do', () => {
    const text = section('FTP Publishing Service');
    expect(text).to.match(/between ports 1025 and 5000/);
    expect(text).to.match(/configure the range of high ports by using the IIS metabase/);
    expect(kb.sections.some((p) => p.section === 'FTP Publishing Service' && p.range === '49152-65535')).to.equal(true);
    expect(row('ftp', 'tcp', 'ftp-passive').portSet).to.equal('ftp-passive');
    const ftpRange = (opts: object) =>
      expandService(catalog, 'ftp', opts)
        .filter((e) => e.portSet === 'ftp-passive')
        .map((e) => e.range);
    expect(ftpRange({ rpcRange: '5000-5100' })).to.deep.equal(['49152-65535']);
    expect(ftpRange({ profile: 'legacy' })).to.deep.equal(['1025-5000']);
    expect(ftpRange({ ftpPassiveRange: '50000-50100', rpcRange: '5000-5100' })).to.deep.equal(['50000-50100']);
    expect(
      expandService(catalog, 'lsass', { rpcRange: '5000-5100' }).find((e) => e.portSet === 'rpc-dynamic')?.range,
    ).to.equal('5000-5100');
  });

  it('3. WinRM: one generation per OS: 80/443 for 2003 and 2008, 5985/5986 for 2008 R2 and later (and without --os)', () => {
    const text = section('Windows Remote Management (WinRM)');
    expect(text).to.match(/WinRM 1\.1 and earlier.*TCP 80.*TCP 443/);
    expect(text).to.match(/WinRM 2\.0.*TCP 5985.*TCP 5986/);
    const ports = (os?: string) =>
      expandService(catalog, 'winrm', { os })
        .map((e) => `${e.port}:${e.requirement}`)
        .sort();
    for (const os of ['2003', '2008']) expect(ports(os), os).to.deep.equal(['443:conditional', '80:required']);
    for (const os of [undefined, '2008r2', '2016', '2025']) {
      expect(ports(os), String(os)).to.deep.equal(['5985:required', '5986:conditional']);
    }
    expect(
      expandService(catalog, 'winrm', { os: '2008r2', with: ['winrm-https'] }).map((e) => e.requirement),
    ).to.deep.equal(['required', 'required']);
  });

  it('4. levels: Fax 139/tcp and Cluster Administrator 137/udp are required as the KB lists them; inferred levels say so', () => {
    expect(plainTableRow(kbLine('Fax Service', 'tcp', 139))).to.equal(true);
    expect(section('Fax Service')).to.not.match(/File and Printer Sharing|optional/i);
    expect([row('fax', 'tcp', '139').requirement, row('fax', 'tcp', '139').condition]).to.deep.equal([
      'required',
      undefined,
    ]);
    expect(plainTableRow(kbLine('Cluster service', 'udp', 137))).to.equal(true);
    expect([row('cluster', 'udp', '137').requirement, row('cluster', 'udp', '137').condition]).to.deep.equal([
      'required',
      undefined,
    ]);
    for (const [id, protocol, at] of [
      ['rds', 'udp', '3389'],
      ['ias', 'udp', '1813'],
      ['nntp', 'tcp', '563'],
      ['mom-2000', 'tcp', '51515'],
      ['sms-remote-control', 'tcp', '2703'],
      ['sms-remote-control', 'udp', '2703'],
      ['sms-remote-control', 'tcp', '2704'],
      ['sms-remote-control', 'udp', '2704'],
      ['winrm', 'tcp', '5986'],
    ] as const) {
      const r = row(id, protocol, at);
      expect(r.requirement, `${id} ${at}/${protocol}`).to.not.equal('required');
      expect(r.note, `${id} ${at}/${protocol}`).to.match(INFERRED);
    }
  });

  it('5. prose-derived 8098/tcp and the two KB inconsistencies carry notes', () => {
    const w3svc = kb.sections.filter((p) => p.section === 'World Wide Web Publishing Service' && p.port === 8098);
    expect(w3svc.map((p) => p.origin)).to.deep.equal(['prose']);
    expect(row('w3svc', 'tcp', '8098').note).to.match(/section text, not its table/);
    // Computer Browser: RPC over named pipes, yet no 445 in its table
    expect(section('Computer Browser')).to.match(/RPC over Named Pipes/i);
    expect(kb.sections.some((p) => p.section === 'Computer Browser' && p.port === 445)).to.equal(false);
    expect(catalog.services.get('computer-browser')?.ports.some((r) => r.port === 445)).to.equal(false);
    expect(row('computer-browser', 'tcp', '139').note).to.match(/named pipes.*445/);
    // Event Log: "RPC/NP" on UDP 137 and 138
    for (const port of [137, 138]) {
      expect(kbLine('Event Log', 'udp', port)).to.match(/RPC\/NP/);
      expect(row('event-log', 'udp', String(port)).note, `${port}/udp`).to.match(/RPC\/NP.*named pipes run inside SMB/);
    }
  });

  it('6. roles: PXE deployment, remote management with WMI/DCOM, the DC-for-clients rename with its old id', () => {
    const servicesOf = (role: string) => catalog.roles.get(role)?.services.map((s) => s.service) ?? [];
    expect(servicesOf('deployment-server')).to.include.members(['remote-installation', 'tftp']);
    expect(kb.sections.some((p) => p.section === 'Remote Installation' && p.port === 4011)).to.equal(true);
    // remote Group Policy update: RPC/WMI on 135 and the dynamic range inbound on the refreshed computer
    expect(section('Group Policy').replace(/\s+/g, ' ')).to.match(
      /RPC\/WMI access through port 135 and ports 49152-65535 inbound/,
    );
    const mgmt = expandRole(catalog, 'remote-management').filter((e) => e.requirement === 'required');
    expect(mgmt.some((e) => e.service === 'wmi' && e.port === 135)).to.equal(true);
    expect(mgmt.some((e) => e.service === 'wmi' && e.portSet === 'rpc-dynamic')).to.equal(true);
    expect(catalog.roles.get('dc-for-clients')?.aliases).to.deep.equal(['domain-client']);
    expect(expandRole(catalog, 'domain-client').map((e) => e.key)).to.deep.equal(
      expandRole(catalog, 'dc-for-clients').map((e) => e.key),
    );
    const inSomeRole = new Set([...catalog.roles.values()].flatMap((r) => r.services.map((s) => s.service)));
    for (const service of ['remote-installation', 'tftp', 'lpd', 'snmp', 'ipam', 'branchcache', 'wmi']) {
      expect(inSomeRole.has(service), service).to.equal(true);
    }
  });

  it('7. the Active Directory dependency list is optional in the DC role where the KB qualifies it', () => {
    const text = section('Active Directory port and protocol requirements');
    expect(text).to.match(/if not using FRS for SYSVOL/);
    expect(text).to.match(/WINS \(in Windows Server 2003 SP1 and later/);
    const entries = new Map(catalog.roles.get('domain-controller')?.services.map((s) => [s.service, s]));
    for (const [service, sw] of [
      ['dfsr', 'dfsr-sysvol'],
      ['frs', 'frs-sysvol'],
      ['wins', 'wins'],
      ['smtp', 'smtp-replication'],
      ['w3svc', 'iis'],
      ['computer-browser', 'browser'],
    ] as const) {
      expect([entries.get(service)?.requirement, entries.get(service)?.switch], service).to.deep.equal([
        'optional',
        sw,
      ]);
    }
  });

  it('13. a role\u2019s condition joins the row\u2019s, and a row whose OS matched is no longer conditional', () => {
    const r5722 = (opts: object) =>
      expandRole(catalog, 'domain-controller', { os: '2008', ...opts }).find((e) => e.port === 5722);
    const plain = r5722({});
    expect(plain?.condition).to.match(/SYSVOL replicates with DFSR.*Only on Windows Server 2008 and 2008 R2/);
    expect(plain?.requirement).to.equal('optional');
    expect(r5722({ with: ['dfsr-sysvol'] })?.requirement).to.equal('required');
    expect(r5722({ with: ['dfsr-sysvol'] })?.condition).to.match(/SYSVOL replicates with DFSR/);
    const icmp = expandRole(catalog, 'dc-for-clients', { clientOs: 'XP' }).find(
      (e) => e.protocol === 'icmp' && e.service === 'group-policy',
    );
    expect([icmp?.requirement, icmp?.condition]).to.deep.equal([
      'required',
      row('group-policy', 'icmp', 'icmp').condition,
    ]);
  });

  it('names every switch the catalog ships, so a typo in a YAML file cannot make a new one', () => {
    expect(switchNames(catalog)).to.deep.equal([
      'adws',
      'aspnet-state',
      'branchcache-distributed',
      'browser',
      'ca-web-enrollment',
      'cluster-join',
      'dc',
      'dfs-namespace',
      'dfs-replication',
      'dfsr-new-folder',
      'dfsr-sysvol',
      'dhcp-failover',
      'dns',
      'exchange-imap',
      'exchange-mta',
      'exchange-pop3',
      'frs-sysvol',
      'ftp',
      'ftp-active',
      'gc',
      'hosted-cache',
      'hyperv-cluster',
      'hyperv-replica',
      'iis',
      'iis-admin-site',
      'image-share',
      'ipsec',
      'ipsec-ah',
      'isa-firewall-client',
      'l2tp',
      'ldaps',
      'legacy-radius',
      'link-tracking',
      'lpd',
      'madcap',
      'mom-clear',
      'msdtc',
      'netbios',
      'nntps',
      'pptp',
      'primary-computer',
      'pxe-dhcp',
      'radius-accounting',
      'rdp-udp',
      'remote-event-log',
      'replica-certificate',
      'replica-kerberos',
      'rpc-admin',
      'rpc-over-http',
      'sms-chat',
      'sms-file-transfer',
      'smtp-replication',
      'snmp',
      'sql-analysis',
      'sql-browser',
      'winrm-https',
      'wins',
      'wins-replication',
    ]);
  });
});
