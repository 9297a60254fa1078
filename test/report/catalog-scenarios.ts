/**
 * Report fixtures on the real catalog: the domain-controller role expanded as `check` does
 * (named conditions included), one observation per (target, address, protocol, port) shared by
 * every row that uses it, as the engine records them, judged by the real analyzer. Only what
 * the network did is made up. These are the runs the root-cause view is about: one blocked
 * 445/tcp that breaks seven services is one finding.
 */
import { assembleResult } from '../../src/analyze/result.js';
import { expandRole } from '../../src/catalog/expand.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { parsePortList } from '../../src/catalog/port-sets.js';
import type { Expectation, Observation, ProbeState, Reason, RunNote, RunResult } from '../../src/model.js';
import { type RunSettings, resolveRunSettings } from '../../src/run-options.js';
import { STARTED } from './scenarios.js';

const catalog = await loadCatalog();

/** What the network did on one endpoint ("tcp/445", "udp/88", "icmp", "tcp/49152-65535"). */
export interface Answer {
  state: ProbeState;
  reason: Reason;
  rttMs?: number | null;
  evidence?: string[];
}

export interface CatalogTarget {
  name: string;
  address: string;
  /** Endpoint -> answer; the rest answer as a healthy Windows DC does. */
  answers?: Record<string, Answer>;
  /** Nothing answers at all: the host is down or everything is dropped. */
  silent?: boolean;
}

/** UDP ports a protocol module speaks on, with what it proves on a healthy DC. */
const UDP_EVIDENCE: Record<number, { module: string; evidence: (t: string) => string; everyServerAnswers?: true }> = {
  53: {
    module: 'dns',
    evidence: () => 'DNS over UDP answered SOA corp.example: NOERROR, authoritative (AA)',
    everyServerAnswers: true,
  },
  88: {
    module: 'kerberos-udp',
    evidence: () => 'Kerberos KDC answered: KDC_ERR_C_PRINCIPAL_UNKNOWN (6), realm CORP.EXAMPLE',
    everyServerAnswers: true,
  },
  123: { module: 'ntp', evidence: () => 'NTP v3 server, stratum 3, reference 192.0.2.1' },
  137: { module: 'nbns', evidence: (t) => `NBNS node status: ${t.split('.')[0]?.toUpperCase()}<00>, CORP<1C>` },
  389: {
    module: 'cldap',
    evidence: (t) => `CLDAP LDAP ping answered: LOGON_SAM_LOGON_RESPONSE_EX, DC host name ${t}`,
    everyServerAnswers: true,
  },
  464: {
    module: 'kpasswd-udp',
    evidence: () => 'kpasswd service answered (framed): KRB_ERROR (60)',
    everyServerAnswers: true,
  },
};

const TCP_EVIDENCE: Record<number, (t: string) => string> = {
  389: (t) => `LDAP rootDSE: dnsHostName=${t}, domainFunctionality=7`,
  445: () => 'SMB2 negotiate: dialect 3.1.1, signing required',
  135: () => 'RPC endpoint mapper answered (8 endpoints)',
};

function healthy(protocol: string, port: number | null, target: string, i: number): Answer {
  const rttMs = 1 + ((i * 7 + (port ?? 0)) % 19) / 2;
  if (protocol === 'tcp') {
    const evidence = port !== null ? TCP_EVIDENCE[port]?.(target) : undefined;
    return { state: 'open', reason: 'syn-ack', rttMs, ...(evidence ? { evidence: [evidence] } : {}) };
  }
  if (protocol === 'icmp') return { state: 'open', reason: 'reply', rttMs };
  if (protocol === 'ip') return { state: 'untestable', reason: 'not-probed', rttMs: null };
  const module = UDP_EVIDENCE[port ?? 0];
  // A UDP port without a module that draws a reply stays silent on a healthy DC.
  return module
    ? { state: 'open', reason: 'reply', rttMs, evidence: [module.evidence(target)] }
    : { state: 'open|filtered', reason: 'no-reply', rttMs: null };
}

/** The ports `--rpc sample --rpc-sample 4` probes of a range. */
function sample(range: string): number[] {
  const [r] = parsePortList(range, 'range');
  if (!r) return [];
  const step = (r.last - r.first) / 3;
  return [0, 1, 2, 3].map((k) => Math.round(r.first + k * step));
}

export interface CatalogScenario {
  targets: CatalogTarget[];
  with?: string[];
  settings?: Partial<RunSettings>;
  sourceAddresses?: string[];
  commandLine?: string[];
  notes?: RunNote[];
}

export function catalogResult(s: CatalogScenario): RunResult {
  const settings = resolveRunSettings({
    timeoutMs: 2000,
    rpcMode: 'sample',
    rpcSample: 4,
    ...(s.with ? { with: s.with } : {}),
    ...s.settings,
  });
  const expectations: Expectation[] = expandRole(catalog, 'domain-controller', settings);
  const observations: Observation[] = [];
  const links = new Map<string, number[]>();
  for (const t of s.targets) {
    const probed = new Map<string, number>();
    const probe = (
      protocol: Expectation['protocol'],
      port: number | null,
      ipProtocol: number | null,
      key: string,
      ranged: boolean,
    ) => {
      const site = `${protocol}/${port ?? ipProtocol ?? ''}`;
      const known = probed.get(site);
      if (known !== undefined) return known;
      const answer: Answer = t.silent
        ? protocol === 'ip'
          ? { state: 'untestable', reason: 'not-probed', rttMs: null }
          : protocol === 'udp'
            ? { state: 'open|filtered', reason: 'no-reply', rttMs: null }
            : { state: 'filtered', reason: 'timeout', rttMs: null }
        : (t.answers?.[key] ?? healthy(protocol, port, t.name, observations.length));
      const module = protocol === 'udp' ? UDP_EVIDENCE[port ?? 0] : undefined;
      const answered = answer.state === 'open' || answer.state === 'closed';
      observations.push({
        target: t.name,
        address: t.address,
        protocol,
        port,
        ...(protocol === 'ip' ? { ipProtocol } : {}),
        state: answer.state,
        reason: answer.reason,
        rttMs: answer.rttMs === undefined ? (answered ? 2 : null) : answer.rttMs,
        attempts: protocol === 'ip' ? 0 : answered || protocol === 'tcp' ? 1 : 3,
        evidence: answer.evidence ?? [],
        warnings: [],
        module: module?.module ?? null,
        ...(module && answer.state === 'open' ? { confirmed: answer.reason === 'reply' } : {}),
        error: null,
        ...(ranged ? { portChoice: { kind: 'sampled' as const } } : {}),
        ...(module?.everyServerAnswers ? { everyServerAnswers: true as const } : {}),
      });
      probed.set(site, observations.length - 1);
      return observations.length - 1;
    };
    for (const e of expectations) {
      const indexes =
        e.protocol === 'icmp'
          ? [probe('icmp', null, null, 'icmp', false)]
          : e.protocol === 'ip'
            ? [probe('ip', null, e.ipProtocol, `ip/${e.ipProtocol}`, false)]
            : e.port !== null
              ? [probe(e.protocol, e.port, null, `${e.protocol}/${e.port}`, false)]
              : sample(e.range ?? '').map((p) => probe(e.protocol, p, null, `${e.protocol}/${e.range}`, true));
      links.set(`${t.name} ${e.key}`, indexes);
    }
  }
  return assembleResult({
    tool: { name: 'portolan', version: '0.1.0' },
    catalog: { digest: catalog.digest, sources: ['checks'] },
    startedAt: STARTED,
    endedAt: new Date(STARTED.getTime() + 3100 + s.targets.length * 40),
    source: {
      hostname: 'ws01.corp.example',
      addresses: s.sourceAddresses ?? ['192.0.2.50', 'fe80::1c2b:3dff:fe4a:5b6c'],
      bind: null,
      name: 'ws01.corp.example',
      labels: {},
    },
    commandLine: s.commandLine ?? [
      'portolan',
      'check',
      '--role',
      'domain-controller',
      ...(s.with?.length ? ['--with', s.with.join(',')] : []),
      ...s.targets.map((t) => t.name),
    ],
    settings,
    asked: { roles: ['domain-controller'], services: [], ports: [] },
    incomplete: false,
    notes: s.notes ?? [],
    targets: s.targets.map((t) => ({ name: t.name, origin: 'command line', addresses: [t.address], problem: null })),
    expectations,
    observations,
    links: (target, key) => links.get(`${target} ${key}`) ?? [],
  });
}

const FILTERED: Answer = { state: 'filtered', reason: 'timeout', rttMs: null };
const REFUSED: Answer = { state: 'closed', reason: 'rst', rttMs: 0.6 };

/** The DC: 445/tcp and three other ports blocked, optional parts not installed. */
const FIREWALLED_DC: Record<string, Answer> = {
  'tcp/445': FILTERED,
  'udp/88': { state: 'filtered', reason: 'icmp-admin-prohibited', rttMs: 1.1 },
  'tcp/3268': FILTERED,
  'tcp/49152-65535': FILTERED,
  // Not installed on this DC: IIS, SMTP, WINS and RPC over HTTP refuse.
  'tcp/80': REFUSED,
  'tcp/443': REFUSED,
  'tcp/8098': REFUSED,
  'tcp/25': REFUSED,
  'tcp/42': REFUSED,
  'udp/42': { state: 'closed', reason: 'icmp-port-unreachable', rttMs: 0.7 },
  'tcp/593': REFUSED,
  'udp/636': { state: 'closed', reason: 'icmp-port-unreachable', rttMs: 0.7 },
};

/** `portolan check --role domain-controller --with gc dc1.corp.example` against a firewalled DC. */
export function oneDcResult(): RunResult {
  return catalogResult({
    targets: [{ name: 'dc1.corp.example', address: '192.0.2.10', answers: FIREWALLED_DC }],
    with: ['gc'],
  });
}

/** Three DCs: the firewalled one, a healthy one, and one where nothing answers. */
export function threeTargetResult(): RunResult {
  return catalogResult({
    targets: [
      { name: 'dc1.corp.example', address: '192.0.2.10', answers: FIREWALLED_DC },
      { name: 'dc2.corp.example', address: '192.0.2.11' },
      { name: 'dc3.corp.example', address: '192.0.2.12', silent: true },
    ],
    with: ['gc', 'dns'],
  });
}

/** `n` domain controllers on the real catalog, every seventh firewalled: the size and speed test. */
export function largeCatalogResult(n: number): RunResult {
  const targets: CatalogTarget[] = [];
  for (let i = 1; i <= n; i++) {
    targets.push({
      name: `dc${String(i).padStart(3, '0')}.corp.example`,
      address: `10.${Math.floor(i / 250)}.${i % 250}.10`,
      answers: i % 7 === 0 ? { 'udp/88': FILTERED, 'tcp/3268': FILTERED, 'tcp/445': REFUSED } : {},
    });
  }
  // The endpoint mapper listed nothing on any of them: the same note for every target, said once.
  const notes: RunNote[] = targets.map((t) => ({
    kind: 'epm-silent',
    target: t.name,
    address: t.address,
    state: 'open',
    sample: 4,
  }));
  return catalogResult({ targets, with: ['gc'], notes });
}
