/**
 * The report fixtures: hand-written observations of a small domain-controller catalog,
 * judged by the real analyzer (`assembleResult`, then `applyWaivers` where a scenario has a
 * waiver). Every word a golden file holds is one the analyzer or a renderer really writes.
 * Only the observations (what the network did) are made up here.
 */
import { assembleResult } from '../../src/analyze/result.js';
import { applyWaivers, type WaiverRule } from '../../src/analyze/waivers.js';
import type {
  Expectation,
  Observation,
  PortChoice,
  ProbeState,
  Reason,
  Requirement,
  ResponderOutcome,
  RunNote,
  RunResult,
  Transport,
} from '../../src/model.js';
import { type RunSettings, resolveRunSettings } from '../../src/run-options.js';
import type { TargetProblem } from '../../src/targets/index.js';

interface Row {
  service: string;
  protocol: Transport;
  port?: number;
  range?: string;
  ipProtocol?: number;
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
  gre: {
    name: 'Routing and Remote Access',
    impact: 'PPTP VPN clients cannot connect',
    section: 'Routing and Remote Access',
  },
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

/** The ports `--rpc sample --rpc-sample 3` probes of 49152-65535. */
const RPC_SAMPLE = [49152, 57344, 65535];

/** What the network did on one row; unlisted rows answer as a healthy DC does. */
export interface Outcome {
  state: ProbeState;
  reason: Reason;
  rttMs?: number | null;
  evidence?: string[];
  warnings?: string[];
  error?: string | null;
  /** Responder mode: what answered. */
  responder?: ResponderOutcome;
}

export interface TargetSpec {
  name: string;
  addresses: string[];
  origin?: string;
  problem?: TargetProblem;
  /** Keyed `service/protocol/port-or-range`, e.g. `kdc/udp/88`. */
  outcomes?: Record<string, Outcome>;
}

export interface Scenario {
  targets: TargetSpec[];
  rows?: Row[];
  role?: string;
  settings?: Partial<RunSettings>;
  notes?: RunNote[];
  hostname?: string;
  /** The vantage point's name (default the host name) and labels. */
  sourceName?: string;
  labels?: Record<string, string>;
  sourceAddresses?: string[];
  commandLine?: string[];
  waivers?: WaiverRule[];
}

export const STARTED = new Date('2026-11-26T09:00:00.000Z');

export function rowKey(r: Pick<Row, 'service' | 'protocol' | 'port' | 'range' | 'ipProtocol'>): string {
  return `${r.service}/${r.protocol}/${r.port ?? r.range ?? (r.ipProtocol !== undefined ? `proto-${r.ipProtocol}` : 'echo')}`;
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
    ipProtocol: row.ipProtocol ?? null,
    application: row.application,
    requirement: row.requirement,
    condition: row.condition ?? null,
    footnote: row.footnote ?? null,
    note: null,
    source: { table: 'section', section: s.section },
  };
}

/** The UDP module the engine uses per port, what it proves on a healthy DC, and whether every server answers it. */
const UDP_MODULES: Record<number, { id: string; evidence: (target: string) => string; everyServerAnswers?: true }> = {
  53: {
    id: 'dns',
    evidence: (t) => `DNS over UDP answered SOA corp.example: NOERROR, authoritative (AA), from ${t}`,
    everyServerAnswers: true,
  },
  88: {
    id: 'kerberos-udp',
    evidence: () => 'Kerberos KDC answered: KDC_ERR_C_PRINCIPAL_UNKNOWN (6), realm CORP.EXAMPLE',
    everyServerAnswers: true,
  },
  464: {
    id: 'kpasswd-udp',
    evidence: () => 'kpasswd service answered (framed): KRB_ERROR (60)',
    everyServerAnswers: true,
  },
  389: {
    id: 'cldap',
    evidence: (t) => `CLDAP LDAP ping answered: LOGON_SAM_LOGON_RESPONSE_EX, DC host name ${t}`,
    everyServerAnswers: true,
  },
  123: { id: 'ntp', evidence: () => 'NTP v3 server, stratum 3, reference 192.0.2.1' },
  137: { id: 'nbns', evidence: () => 'NBNS node status: DC1<00>, CORP<1C>' },
};

/** A healthy DC's answer on one row (a deterministic, varied round trip). */
function healthy(row: Row, target: string, port: number | null, i: number): Outcome {
  const rttMs = 1 + ((i * 7 + (port ?? 0)) % 23) / 2;
  if (row.protocol === 'tcp') return { state: 'open', reason: 'syn-ack', rttMs };
  if (row.protocol === 'icmp') return { state: 'open', reason: 'reply', rttMs };
  if (row.protocol === 'ip') return { state: 'untestable', reason: 'not-probed', rttMs: null };
  const module = UDP_MODULES[port ?? 0];
  return { state: 'open', reason: 'reply', rttMs, evidence: module ? [module.evidence(target)] : [] };
}

function observation(
  row: Row,
  target: string,
  address: string | null,
  port: number | null,
  o: Outcome,
  choice: PortChoice | null,
): Observation {
  const answered = o.state === 'open' || o.state === 'closed';
  const module = row.protocol === 'udp' ? (UDP_MODULES[port ?? 0] ?? null) : null;
  return {
    target,
    address,
    protocol: row.protocol,
    port,
    ...(row.protocol === 'ip' ? { ipProtocol: row.ipProtocol ?? null } : {}),
    state: o.state,
    reason: o.reason,
    rttMs: o.rttMs === undefined ? (answered ? 2 : null) : o.rttMs,
    attempts: row.protocol === 'ip' ? 0 : answered || row.protocol === 'tcp' ? 1 : 3,
    evidence: o.evidence ?? [],
    warnings: o.warnings ?? [],
    module: module?.id ?? null,
    ...(module && o.state === 'open' ? { confirmed: o.reason === 'reply' } : {}),
    error: o.error ?? null,
    ...(choice ? { portChoice: choice } : {}),
    ...(module?.everyServerAnswers ? { everyServerAnswers: true as const } : {}),
    ...(o.responder ? { responder: o.responder } : {}),
  };
}

/** The result of a scenario, judged by the real analyzer. */
export function scenarioResult(s: Scenario): RunResult {
  const role = s.role ?? 'domain-controller';
  const rows = s.rows ?? DC_ROWS;
  const expectations = rows.map((r) => expectationFor(r, role));
  const settings = resolveRunSettings({
    timeoutMs: 2000,
    concurrency: 64,
    perHost: 8,
    rpcMode: 'sample',
    rpcSample: RPC_SAMPLE.length,
    ...s.settings,
  });
  const observations: Observation[] = [];
  const links = new Map<string, number[]>();
  for (const t of s.targets) {
    if (t.problem) continue;
    rows.forEach((row, i) => {
      const e = expectations[i] as Expectation;
      const ports = row.range ? RPC_SAMPLE : [row.port ?? null];
      const indexes: number[] = [];
      const probed = settings.allAddresses ? t.addresses : t.addresses.slice(0, 1);
      for (const address of probed) {
        for (const port of ports) {
          const o = t.outcomes?.[rowKey(row)] ?? healthy(row, t.name, port, i);
          indexes.push(observations.length);
          observations.push(observation(row, t.name, address, port, o, row.range ? { kind: 'sampled' } : null));
        }
      }
      links.set(`${t.name} ${e.key}`, indexes);
    });
  }
  const duration = 4200 + s.targets.length * 35;
  const result = assembleResult({
    tool: { name: 'portolan', version: '0.1.0' },
    catalog: { digest: 'sha256:3f5a0c9e1b7d4a2f6e8c0b1d3a5f7e9c2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a', sources: ['checks'] },
    startedAt: STARTED,
    endedAt: new Date(STARTED.getTime() + duration),
    source: {
      hostname: s.hostname ?? 'ws01.corp.example',
      addresses: s.sourceAddresses ?? ['192.0.2.50'],
      bind: null,
      name: s.sourceName ?? s.hostname ?? 'ws01.corp.example',
      labels: s.labels ?? {},
    },
    commandLine: s.commandLine ?? ['portolan', 'check', ...s.targets.map((t) => t.name), '--role', role],
    settings,
    asked: { roles: [role], services: [], ports: [] },
    incomplete: false,
    notes: s.notes ?? [],
    targets: s.targets.map((t) => ({
      name: t.name,
      origin: t.origin ?? 'command line',
      addresses: t.problem ? [] : settings.allAddresses ? t.addresses : t.addresses.slice(0, 1),
      problem: t.problem ?? null,
    })),
    expectations,
    observations,
    links: (target, key) => links.get(`${target} ${key}`) ?? [],
  });
  return s.waivers?.length ? applyWaivers(result, s.waivers, { now: STARTED }).result : result;
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
  return scenarioResult({ targets });
}

/**
 * A run with a target that did not resolve and a GRE row: what the analyzer makes of them
 * (the unresolved target's rows were not probed; GRE is untestable).
 */
export function unusualResult(): RunResult {
  return scenarioResult({
    targets: [
      {
        name: 'gone.corp.invalid',
        addresses: [],
        problem: {
          kind: 'unresolved',
          name: 'gone.corp.invalid',
          code: 'ENOTFOUND',
          message: 'getaddrinfo ENOTFOUND gone.corp.invalid',
        },
      },
      { name: 'vpn1.corp.example', addresses: ['192.0.2.40'] },
    ],
    rows: [
      ...DC_ROWS.slice(0, 2),
      { service: 'gre', protocol: 'ip', ipProtocol: 47, application: 'GRE', requirement: 'required' },
    ],
    sourceAddresses: [],
  });
}

export const SCENARIOS: Record<string, () => RunResult> = {
  healthy: () => scenarioResult({ targets: [{ name: 'dc1.corp.example', addresses: ['192.0.2.10'] }] }),
  firewalled: () =>
    scenarioResult({
      targets: [
        {
          name: 'dc2.corp.example',
          addresses: ['192.0.2.11'],
          outcomes: {
            'kdc/udp/88': { state: 'filtered', reason: 'icmp-admin-prohibited', rttMs: 1.4 },
            'kdc/udp/464': { state: 'filtered', reason: 'icmp-admin-prohibited', rttMs: 1.2 },
            'lsa/tcp/3268': FILTERED,
            'lsa/tcp/3269': FILTERED,
            'netlogon/tcp/445': { state: 'closed', reason: 'rst', rttMs: 0.8 },
            'lsa/tcp/49152-65535': FILTERED,
            'netlogon/tcp/139': { state: 'closed', reason: 'rst', rttMs: 0.7 },
            // Filtered, not refused: a refused optional service would read absent (not installed).
            'smtp/tcp/25': FILTERED,
            'netlogon/udp/137': SILENT,
          },
        },
        { name: 'dc3.corp.example', addresses: ['2001:db8::12'] },
      ],
      // The mapper answered on 135/tcp but listed nothing, so the range was sampled.
      settings: { rpcMode: 'discover' },
      notes: [{ kind: 'epm-silent', target: 'dc2.corp.example', address: '192.0.2.11', state: 'open', sample: 3 }],
      waivers: [
        {
          target: 'dc2.corp.example',
          service: null,
          port: '139/tcp',
          reason: 'NetBIOS disabled by policy (CHG-1042)',
          owner: 'netops',
          expires: '2027-03-31',
          location: 'checks/plans/dcs.yaml:31:5',
        },
      ],
    }),
  inconclusive: () =>
    scenarioResult({
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
      settings: { appProbes: false },
      commandLine: ['portolan', 'check', 'ntp1.corp.example', '--services', 'w32time,dns', '--no-app-probes'],
      notes: [{ kind: 'no-app-probes' }],
    }),
  predeploy: () =>
    scenarioResult({
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
      settings: { expect: 'reachable' },
      commandLine: ['portolan', 'check', 'newdc.corp.example', '--role', 'domain-controller', '--expect', 'reachable'],
      notes: [{ kind: 'expect-reachable' }],
    }),
  hostile: () =>
    scenarioResult({
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
      // Notes carry names from DNS and plan files: untrusted text too.
      notes: [
        {
          kind: 'dcs-discovered',
          domain: HOSTILE[3] as string,
          query: HOSTILE[4] as string,
          via: 'dig',
          platform: 'linux',
        },
        {
          kind: 'waiver-stale',
          waiver: {
            location: HOSTILE[4] as string,
            target: HOSTILE[0] as string,
            service: null,
            port: null,
            owner: 'x',
            expires: '2027-01-01',
          },
        },
      ],
    }),
};
