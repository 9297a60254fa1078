/**
 * Builds RunResult fixtures for the report tests: a small domain-controller catalog, per-port
 * outcomes, and a toy analyzer that follows DESIGN.md's verdict rules closely enough for
 * rendering (the real analyzer lives in src/analyze and is tested there). The JSON fixtures in
 * test/fixtures/results/ were produced with `writeFixtures()` and are then read as plain files.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ComplianceStatus,
  Expectation,
  ExpectationStatus,
  ExpectationVerdict,
  ExpectMode,
  Observation,
  ProbeState,
  Reason,
  Requirement,
  RunResult,
  ServiceStatus,
  ServiceVerdict,
  TargetVerdict,
  Transport,
} from '../../src/model.js';

interface Row {
  service: string;
  protocol: Transport;
  port?: number;
  range?: string;
  application: string;
  requirement: Requirement;
  condition?: string;
  footnote?: string;
}

const SERVICES: Record<string, { name: string; impact: string; section: string }> = {
  dns: {
    name: 'DNS Server',
    impact: 'clients cannot locate domain controllers or resolve names',
    section: 'DNS Server',
  },
  kdc: {
    name: 'Kerberos Key Distribution Center',
    impact: 'users cannot sign in with Kerberos; logons fall back to NTLM or fail',
    section: 'Kerberos Key Distribution Center',
  },
  lsa: {
    name: 'Local Security Authority',
    impact: 'LDAP queries, Global Catalog lookups and domain joins fail',
    section: 'Local Security Authority',
  },
  netlogon: {
    name: 'Net Logon',
    impact: 'Group Policy will not apply and secure channels cannot be set up',
    section: 'Net Logon',
  },
  w32time: { name: 'Windows Time', impact: 'clocks drift and Kerberos rejects tickets', section: 'Windows Time' },
  adws: {
    name: 'Active Directory Web Services',
    impact: 'the AD PowerShell module and Administrative Center cannot connect',
    section: 'Active Directory Web Services',
  },
  smtp: { name: 'Simple Mail Transfer Protocol', impact: 'SMTP replication between sites fails', section: 'SMTP' },
  icmp: { name: 'ICMP echo', impact: 'Group Policy slow-link detection misjudges the link', section: 'Group Policy' },
};

export const DC_ROWS: Row[] = [
  { service: 'dns', protocol: 'tcp', port: 53, application: 'DNS', requirement: 'required' },
  { service: 'dns', protocol: 'udp', port: 53, application: 'DNS', requirement: 'required' },
  { service: 'kdc', protocol: 'tcp', port: 88, application: 'Kerberos', requirement: 'required' },
  { service: 'kdc', protocol: 'udp', port: 88, application: 'Kerberos', requirement: 'required' },
  { service: 'kdc', protocol: 'tcp', port: 464, application: 'Kerberos Password V5', requirement: 'required' },
  { service: 'kdc', protocol: 'udp', port: 464, application: 'Kerberos Password V5', requirement: 'required' },
  { service: 'lsa', protocol: 'tcp', port: 135, application: 'RPC Endpoint Mapper', requirement: 'required' },
  { service: 'lsa', protocol: 'tcp', port: 389, application: 'LDAP', requirement: 'required' },
  { service: 'lsa', protocol: 'udp', port: 389, application: 'DC Locator (CLDAP)', requirement: 'required' },
  { service: 'lsa', protocol: 'tcp', port: 636, application: 'LDAP SSL', requirement: 'required' },
  { service: 'lsa', protocol: 'tcp', port: 3268, application: 'LDAP GC', requirement: 'required' },
  { service: 'lsa', protocol: 'tcp', port: 3269, application: 'LDAP GC SSL', requirement: 'required' },
  {
    service: 'lsa',
    protocol: 'tcp',
    range: '49152-65535',
    application: 'RPC randomly allocated high TCP ports',
    requirement: 'required',
    footnote: 'Windows Server 2008 and later use the dynamic range 49152-65535 unless an administrator changed it.',
  },
  { service: 'netlogon', protocol: 'udp', port: 137, application: 'NetBIOS Name Resolution', requirement: 'optional' },
  { service: 'netlogon', protocol: 'tcp', port: 139, application: 'NetBIOS Session Service', requirement: 'optional' },
  { service: 'netlogon', protocol: 'tcp', port: 445, application: 'SMB', requirement: 'required' },
  { service: 'w32time', protocol: 'udp', port: 123, application: 'NTP', requirement: 'required' },
  { service: 'adws', protocol: 'tcp', port: 9389, application: 'AD Web Services', requirement: 'required' },
  {
    service: 'smtp',
    protocol: 'tcp',
    port: 25,
    application: 'SMTP',
    requirement: 'optional',
    condition: 'only when sites replicate over SMTP',
  },
  { service: 'icmp', protocol: 'icmp', application: 'ICMP echo', requirement: 'optional' },
];

/** Ports sampled from the dynamic RPC range (the engine's `--rpc-sample 3`). */
const RPC_SAMPLE = [49152, 49664, 65535];

export interface Outcome {
  state: ProbeState;
  reason: Reason;
  rttMs?: number | null;
  evidence?: string[];
  warnings?: string[];
  error?: string | null;
  waiver?: string;
}

export interface TargetSpec {
  name: string;
  addresses: string[];
  origin?: string;
  error?: string | null;
  /** Keyed `service/protocol/port-or-range`, e.g. `kdc/udp/88`. Unlisted rows answer normally. */
  outcomes?: Record<string, Outcome>;
}

export interface RunSpec {
  targets: TargetSpec[];
  expect?: ExpectMode;
  responder?: boolean;
  notes?: string[];
  hostname?: string;
  sourceAddresses?: string[];
  commandLine?: string[];
  rows?: Row[];
  role?: string;
  startedAt?: string;
}

export function rowKey(r: Pick<Row, 'service' | 'protocol' | 'port' | 'range'>): string {
  return `${r.service}/${r.protocol}/${r.port ?? r.range ?? 'any'}`;
}

function healthy(row: Row, target: string, port: number | null, i: number): Outcome {
  const rttMs = 1 + ((i * 7 + (port ?? 0)) % 23) / 2;
  if (row.protocol === 'tcp') return { state: 'open', reason: 'syn-ack', rttMs };
  if (row.protocol === 'icmp') return { state: 'open', reason: 'reply', rttMs };
  const evidence: Record<number, string> = {
    53: `DNS: SOA for corp.example answered by ${target}`,
    88: 'Kerberos: KRB-ERROR KDC_ERR_C_PRINCIPAL_UNKNOWN, realm=CORP.EXAMPLE',
    464: 'Kerberos kpasswd: KRB-ERROR reply, realm=CORP.EXAMPLE',
    389: `CLDAP NetLogon: DnsHostName=${target}, DomainName=corp.example, flags=PDC|GC|LDAP|DS`,
    123: 'NTP: stratum 3, reference 192.0.2.1, offset 0.4 ms',
    137: 'NBNS: node status names DC1<00>, CORP<1C>',
  };
  return { state: 'open', reason: 'reply', rttMs, evidence: [evidence[port ?? 0] ?? 'UDP reply recognised'] };
}

function expectationFor(row: Row, role: string): Expectation {
  const s = SERVICES[row.service] ?? { name: row.service, impact: 'unknown', section: row.service };
  return {
    key: `${role}/${rowKey(row)}`,
    role,
    service: row.service,
    serviceName: s.name,
    impact: s.impact,
    protocol: row.protocol,
    port: row.port ?? null,
    range: row.range ?? null,
    portSet: row.range ? 'rpc-dynamic' : null,
    ipProtocol: null,
    application: row.application,
    requirement: row.requirement,
    condition: row.condition ?? null,
    footnote: row.footnote ?? null,
    note: null,
    source: { table: 'section', section: s.section },
  };
}

function verdictFor(
  e: Expectation,
  observations: Observation[],
  mode: ExpectMode,
  waiver: string | undefined,
): Pick<ExpectationVerdict, 'status' | 'explanation' | 'caveat'> {
  const port = e.port ?? e.range ?? '';
  const what = `${e.application} (${port}/${e.protocol})`;
  const bad = observations.find((o) => o.state !== 'open') ?? observations[0];
  const impact = `Impact: ${e.impact}.`;
  if (waiver) return { status: 'waived', explanation: `Waived: ${waiver}`, caveat: null };
  if (!bad || bad.state === 'open') return { status: 'pass', explanation: `${what} answered.`, caveat: null };
  switch (bad.state) {
    case 'closed':
      if (mode === 'reachable') {
        return {
          status: 'pass',
          explanation: `${what} is reachable: the host refused the connection, so no firewall on the path dropped it.`,
          caveat: "A host firewall's reject looks the same as a refused port; confirm after deployment.",
        };
      }
      return { status: 'fail', explanation: `${what}: nothing is listening (${bad.reason}). ${impact}`, caveat: null };
    case 'filtered':
      return {
        status: 'fail',
        explanation: `${what} is blocked between source and target (${bad.reason} on ${bad.port ?? port}). ${impact}`,
        caveat: null,
      };
    case 'open|filtered':
      return {
        status: 'inconclusive',
        explanation: `${what}: no reply to a UDP probe; a protocol probe or the portolan responder would settle it.`,
        caveat: null,
      };
    case 'untestable':
      return { status: 'untestable', explanation: `${what} cannot be tested by connecting.`, caveat: null };
    default:
      return { status: 'inconclusive', explanation: `${what}: local error: ${bad.error ?? bad.reason}.`, caveat: null };
  }
}

function serviceStatus(rows: { e: Expectation; status: ExpectationStatus }[]): ServiceStatus {
  if (rows.some((r) => r.status === 'fail' && r.e.requirement === 'required')) return 'broken';
  if (rows.some((r) => r.status === 'inconclusive' && r.e.requirement === 'required')) return 'inconclusive';
  if (rows.some((r) => r.status === 'fail' || r.status === 'inconclusive')) return 'degraded';
  return 'ok';
}

export function buildResult(spec: RunSpec): RunResult {
  const role = spec.role ?? 'domain-controller';
  const rows = spec.rows ?? DC_ROWS;
  const mode = spec.expect ?? 'listening';
  const expectations = rows.map((r) => expectationFor(r, role));
  const observations: Observation[] = [];
  const verdicts: ExpectationVerdict[] = [];
  const services: ServiceVerdict[] = [];
  const targetVerdicts: TargetVerdict[] = [];
  for (const t of spec.targets) {
    const perService = new Map<string, { e: Expectation; status: ExpectationStatus; explanation: string }[]>();
    rows.forEach((row, i) => {
      const e = expectations[i] as Expectation;
      const outcome = t.outcomes?.[rowKey(row)];
      const ports = row.range ? RPC_SAMPLE : [row.port ?? null];
      const indexes: number[] = [];
      if (!t.error) {
        for (const port of ports) {
          const o = outcome ?? healthy(row, t.name, port, i);
          indexes.push(observations.length);
          observations.push({
            target: t.name,
            address: t.addresses[0] ?? null,
            protocol: row.protocol,
            port,
            state: o.state,
            reason: o.reason,
            rttMs: o.rttMs === undefined ? (o.state === 'open' || o.state === 'closed' ? 2 : null) : o.rttMs,
            attempts: o.state === 'open' || o.state === 'closed' ? 1 : 3,
            evidence: o.evidence ?? [],
            warnings: o.warnings ?? [],
            module: o.evidence?.length ? row.application.toLowerCase().split(' ')[0] : null,
            error: o.error ?? null,
          });
        }
      }
      const obs = indexes.map((k) => observations[k] as Observation);
      const v = t.error
        ? { status: 'inconclusive' as const, explanation: `Not probed: ${t.error}`, caveat: null }
        : verdictFor(e, obs, mode, outcome?.waiver);
      verdicts.push({ target: t.name, expectation: e.key, role, service: e.service, observations: indexes, ...v });
      const list = perService.get(e.service) ?? [];
      list.push({ e, status: v.status, explanation: v.explanation });
      perService.set(e.service, list);
    });
    for (const [service, list] of perService) {
      const status = serviceStatus(list);
      const failing = list
        .filter((r) => r.status === 'fail' || r.status === 'inconclusive')
        .sort((a, b) => (a.e.requirement === 'required' ? 0 : 1) - (b.e.requirement === 'required' ? 0 : 1));
      const first = list[0]?.e as Expectation;
      services.push({
        target: t.name,
        role,
        service,
        serviceName: first.serviceName,
        status,
        explanations:
          status === 'ok'
            ? [`${first.serviceName}: every port answered.`]
            : [`${first.serviceName} is ${status}.`, ...failing.map((r) => r.explanation)],
      });
    }
    const statuses = services.filter((s) => s.target === t.name).map((s) => s.status);
    const status: ComplianceStatus = statuses.includes('broken')
      ? 'non-compliant'
      : statuses.includes('inconclusive')
        ? 'inconclusive'
        : 'compliant';
    const broken = services.filter((s) => s.target === t.name && s.status === 'broken').map((s) => s.serviceName);
    targetVerdicts.push({
      target: t.name,
      role,
      status,
      summary:
        status === 'non-compliant'
          ? `${broken.length} required service(s) blocked: ${broken.join(', ')}.`
          : status === 'inconclusive'
            ? 'Some required ports could not be decided.'
            : `Every required port of ${role} is ${mode === 'reachable' ? 'reachable' : 'answering'}.`,
    });
  }
  const counts = { pass: 0, fail: 0, inconclusive: 0, waived: 0, untestable: 0 };
  for (const v of verdicts) counts[v.status]++;
  const status: ComplianceStatus = targetVerdicts.some((t) => t.status === 'non-compliant')
    ? 'non-compliant'
    : targetVerdicts.some((t) => t.status === 'inconclusive')
      ? 'inconclusive'
      : 'compliant';
  const exitCode = { compliant: 0, 'non-compliant': 1, inconclusive: 3 }[status];
  const nonCompliant = targetVerdicts.filter((t) => t.status === 'non-compliant').length;
  const startedAt = spec.startedAt ?? '2026-11-26T09:00:00.000Z';
  const durationMs = 4200 + spec.targets.length * 35;
  return {
    schemaVersion: 1,
    tool: { name: 'portolan', version: '0.1.0' },
    catalog: {
      digest: 'sha256:3f5a0c9e1b7d4a2f6e8c0b1d3a5f7e9c2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a',
      sources: ['checks'],
    },
    run: {
      startedAt,
      endedAt: new Date(Date.parse(startedAt) + durationMs).toISOString(),
      durationMs,
      source: {
        hostname: spec.hostname ?? 'ws01.corp.example',
        addresses: spec.sourceAddresses ?? ['192.0.2.50'],
        bind: null,
        name: spec.hostname ?? 'ws01.corp.example',
        labels: {},
      },
      commandLine: spec.commandLine ?? ['portolan', 'check', ...spec.targets.map((t) => t.name), '--role', role],
      options: {
        roles: [role],
        services: [],
        ports: [],
        expect: mode,
        profile: 'modern',
        rpcRange: null,
        rpcSample: RPC_SAMPLE.length,
        rpcMode: 'sample',
        os: null,
        clientOs: null,
        timeoutMs: 2000,
        retries: 2,
        concurrency: 64,
        perHost: 8,
        source: null,
        allAddresses: false,
        appProbes: true,
        failOn: 'fail',
        responder: spec.responder ?? false,
      },
      incomplete: false,
      incompleteReason: null,
      notes: spec.notes ?? [],
    },
    targets: spec.targets.map((t) => ({
      name: t.name,
      addresses: t.addresses,
      origin: t.origin ?? 'command line',
      error: t.error ?? null,
    })),
    expectations,
    observations,
    verdicts: { expectations: verdicts, services, targets: targetVerdicts },
    summary: {
      status,
      counts,
      exitCode,
      headline:
        status === 'compliant'
          ? `All ${spec.targets.length} target(s) compliant.`
          : status === 'inconclusive'
            ? 'No failures, but some required ports could not be decided.'
            : `${nonCompliant} of ${spec.targets.length} target(s) non-compliant.`,
    },
  };
}

const FILTERED: Outcome = { state: 'filtered', reason: 'timeout', rttMs: null };
const SILENT: Outcome = { state: 'open|filtered', reason: 'no-reply', rttMs: null };

/** The hostile strings a protocol module might copy from a reply. */
export const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '</script><script>alert(2)</script>',
  ']]><x>cdata</x>',
  '"--><script>alert(3)</script>',
  "it's | a `pipe` *table* [x](javascript:alert(4))",
  'ctl:\u0000\u0007\u001b[31mred\u001b[0m\u000b\ufffe\ud800end',
];

/** `n` domain controllers, every seventh one firewalled: the size and speed test. */
export function largeResult(n: number): RunResult {
  const targets: TargetSpec[] = [];
  for (let i = 1; i <= n; i++) {
    const name = `dc${String(i).padStart(2, '0')}.corp.example`;
    targets.push({
      name,
      addresses: [`192.0.2.${i}`],
      outcomes: i % 7 === 0 ? { 'kdc/udp/88': FILTERED, 'lsa/tcp/3268': FILTERED, 'w32time/udp/123': SILENT } : {},
    });
  }
  return buildResult({ targets });
}

export const FIXTURES: Record<string, () => RunResult> = {
  healthy: () => buildResult({ targets: [{ name: 'dc1.corp.example', addresses: ['192.0.2.10'] }] }),
  firewalled: () =>
    buildResult({
      targets: [
        {
          name: 'dc2.corp.example',
          addresses: ['192.0.2.11', '2001:db8::11'],
          outcomes: {
            'kdc/udp/88': { state: 'filtered', reason: 'icmp-admin-prohibited', rttMs: 1.4 },
            'kdc/udp/464': { state: 'filtered', reason: 'icmp-admin-prohibited', rttMs: 1.2 },
            'lsa/tcp/3268': FILTERED,
            'lsa/tcp/3269': FILTERED,
            'netlogon/tcp/445': { state: 'closed', reason: 'rst', rttMs: 0.8 },
            'lsa/tcp/49152-65535': FILTERED,
            'netlogon/tcp/139': {
              state: 'closed',
              reason: 'rst',
              rttMs: 0.7,
              waiver: 'NetBIOS disabled by policy (CHG-1042, expires 2027-03-31)',
            },
            'smtp/tcp/25': { state: 'closed', reason: 'rst', rttMs: 0.9 },
            'netlogon/udp/137': SILENT,
          },
        },
        { name: 'dc3.corp.example', addresses: ['192.0.2.12'] },
      ],
      notes: ['dc3.corp.example answered on every port.'],
    }),
  inconclusive: () =>
    buildResult({
      targets: [
        {
          name: 'ntp1.corp.example',
          addresses: ['192.0.2.20'],
          outcomes: { 'w32time/udp/123': SILENT, 'dns/udp/53': SILENT },
        },
      ],
      rows: DC_ROWS.filter(
        (r) => r.protocol === 'udp' && r.requirement === 'required' && r.service !== 'kdc' && r.service !== 'lsa',
      ),
      role: 'time-server',
      commandLine: ['portolan', 'check', 'ntp1.corp.example', '--services', 'w32time,dns', '--no-app-probes'],
      notes: ['Protocol probes were off (--no-app-probes): UDP silence cannot be told from a drop.'],
    }),
  predeploy: () =>
    buildResult({
      targets: [
        {
          name: 'newdc.corp.example',
          addresses: ['192.0.2.30'],
          outcomes: Object.fromEntries([
            ...DC_ROWS.filter((r) => r.protocol === 'tcp').map((r) => [
              rowKey(r),
              { state: 'closed', reason: 'rst', rttMs: 0.6 },
            ]),
            ...DC_ROWS.filter((r) => r.protocol === 'udp').map((r) => [
              rowKey(r),
              { state: 'closed', reason: 'icmp-port-unreachable', rttMs: 0.9 },
            ]),
            ['lsa/tcp/636', { state: 'filtered', reason: 'timeout', rttMs: null }],
          ]),
        },
      ],
      expect: 'reachable',
      commandLine: ['portolan', 'check', 'newdc.corp.example', '--role', 'domain-controller', '--expect', 'reachable'],
      notes: ['Pre-deployment mode (--expect reachable): a refused port counts as reachable.'],
    }),
  hostile: () =>
    buildResult({
      targets: [
        {
          name: 'dc9.corp.example',
          addresses: ['192.0.2.99'],
          origin: `plan file: ${HOSTILE[0]}`,
          outcomes: {
            'lsa/udp/389': {
              state: 'open',
              reason: 'reply',
              rttMs: 3,
              evidence: HOSTILE,
              warnings: [HOSTILE[1] as string],
            },
            'lsa/tcp/636': {
              state: 'filtered',
              reason: 'timeout',
              rttMs: null,
              evidence: [HOSTILE[3] as string, HOSTILE[5] as string],
            },
            'dns/tcp/53': { state: 'error', reason: 'local-error', rttMs: null, error: HOSTILE[2] },
          },
        },
      ],
      hostname: `ws<b>01</b>${HOSTILE[5]}`,
      commandLine: ['portolan', 'check', 'dc9.corp.example', '--note', HOSTILE[1] as string],
      notes: [HOSTILE[3] as string, HOSTILE[4] as string],
    }),
};

export function writeFixtures(dir = join(import.meta.dirname, '../fixtures/results')): string[] {
  return Object.entries(FIXTURES).map(([name, make]) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(make(), null, 2)}\n`);
    return file;
  });
}
