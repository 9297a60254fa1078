/**
 * portolan's shared vocabulary (see DESIGN.md): catalog entries, expectations,
 * observations, notes and verdicts. Every stage imports its types from here so that the
 * data flowing catalog -> targets -> probes -> observations -> verdicts -> reports has
 * one definition. Stages hand each other these typed facts; words are made from them in
 * `analyze/describe.ts` and the renderers.
 */

/** Transport of a catalog row or a probe. `ip` is a bare IP protocol (GRE 47, ESP 50, AH 51). */
export type Transport = 'tcp' | 'udp' | 'icmp' | 'ip';

/** How much a row matters to its service. */
export type Requirement = 'required' | 'optional' | 'conditional';

/**
 * Symbolic port sets, resolved per run (see `resolvePortSet`): `rpc-dynamic` is Windows'
 * dynamic RPC range, `ftp-passive` the range IIS FTP hands out for passive data connections
 * (the same default range, pinned separately).
 */
export type PortSetId = 'rpc-dynamic' | 'ftp-passive';

/** Where a row came from in KB 832017. */
export interface RowSource {
  /** `section` for a service's own table or bullets, `summary` for the port-sorted "Ports and protocols" table. */
  table: 'section' | 'summary';
  /** The KB heading the row is under, e.g. "Kerberos Key Distribution Center". */
  section: string;
}

/**
 * Selectors that make a conditional row apply, e.g. `{ os: ['2008', '2008r2'] }`. A run
 * without `--os` / `--client-os` assumes the newest Windows the catalog knows.
 */
export interface RowCondition {
  /** Operating system of the target server. */
  os?: string[];
  /** Operating system of the clients that reach the target. */
  clientOs?: string[];
}

/** One port row of a service, as the catalog stores it. */
export interface PortRow {
  protocol: Transport;
  /** A single port (tcp/udp); absent for icmp/ip and for ranges and port sets. */
  port?: number;
  /** A fixed range "first-last" (tcp/udp). */
  range?: string;
  /** A symbolic set resolved per run. */
  portSet?: PortSetId;
  /** IP protocol number for `protocol: ip` (47 GRE, 50 ESP, 51 AH). */
  ipProtocol?: number;
  application: string;
  requirement: Requirement;
  /** Plain words for a conditional or optional row: when it is needed. */
  condition?: string;
  /** OS selectors of `condition`: the row is checked only when the run's OS matches. */
  when?: RowCondition;
  /**
   * Named condition (e.g. `gc`): a switch a run turns on with `--with` (or a role with
   * `with:`), which makes this optional or conditional row required.
   */
  switch?: string;
  /** The KB footnote, in our own words. */
  footnote?: string;
  /** Where the KB contradicts itself, or the catalog infers a requirement level the KB does not state: which reading we use and why. */
  note?: string;
  source: RowSource;
}

export interface Service {
  id: string;
  name: string;
  /** Windows system service name(s) as the KB gives them (e.g. "kdc"). */
  systemService?: string;
  /** Other names KB 832017 uses for this service (its port-sorted summary table). */
  aliases?: string[];
  summary: string;
  /** What breaks for users when a required row is blocked: "Group Policy will not apply". */
  impact: string;
  ports: PortRow[];
  /** File the service was loaded from (for error messages and provenance). */
  file?: string;
}

/** A service as a role includes it, possibly with a role-specific requirement. */
export interface RoleService {
  service: string;
  /** `optional` makes the service's required rows optional in this role (e.g. SMTP on a DC). */
  requirement?: Exclude<Requirement, 'conditional'>;
  condition?: string;
  /** Named condition that, once on, lifts the `optional` override (e.g. `dfsr-sysvol`). */
  switch?: string;
}

export interface Role {
  id: string;
  name: string;
  description: string;
  /** Former ids that still name this role (e.g. `domain-client`). */
  aliases?: string[];
  /** Named conditions this role always turns on (the domain controller roles turn on `dc`). */
  with?: string[];
  services: RoleService[];
  file?: string;
}

export interface Catalog {
  services: Map<string, Service>;
  roles: Map<string, Role>;
  /** sha256 over the normalised catalog content, so a report says which catalog it used. */
  digest: string;
  /** Directories the catalog was loaded from, built-in first. */
  sources: string[];
}

/** `modern` 49152-65535, `legacy` 1025-5000, `both`. */
export type RpcProfile = 'modern' | 'legacy' | 'both';

/**
 * One (service, port row) that must hold for a run; target-independent.
 * `key` is stable across runs: `role/service/protocol/port-or-range`.
 */
export interface Expectation {
  key: string;
  role: string | null;
  service: string;
  serviceName: string;
  impact: string;
  protocol: Transport;
  port: number | null;
  /** Resolved range "first-last" for ranges and port sets, or null. */
  range: string | null;
  portSet: PortSetId | null;
  ipProtocol: number | null;
  application: string;
  requirement: Requirement;
  condition: string | null;
  footnote: string | null;
  note: string | null;
  source: RowSource;
  /**
   * The named conditions that govern this row (its own and its role entry's), each with
   * whether it is on in this run; absent when none do. An off switch is what `--with NAME`
   * would turn on to make the row required.
   */
  switches?: SwitchState[];
}

/** One named condition of an expectation, and whether the run (or the role) turned it on. */
export interface SwitchState {
  name: string;
  on: boolean;
}

/** Closed set of probe outcomes (DESIGN.md "Probe states"). */
export type ProbeState = 'open' | 'closed' | 'filtered' | 'open|filtered' | 'error' | 'untestable';

/** What exactly the network did; always set with the state. */
export type Reason =
  | 'syn-ack' // TCP handshake completed
  | 'rst' // TCP reset: nothing listening (or a host firewall's reject)
  | 'timeout' // nothing came back before the timeout
  | 'icmp-unreachable' // ICMP host/net unreachable or admin-prohibited came back: a reject on the path
  | 'host-unreachable' // no host answered at the address: neighbour discovery failed, or no route
  | 'icmp-admin-prohibited' // ICMP administratively prohibited (a firewall's reject)
  | 'icmp-port-unreachable' // UDP: nothing listening
  | 'reply' // a valid protocol reply (UDP) or echo reply (ICMP)
  | 'unrecognised-reply' // UDP: a datagram came back but it is not the protocol we asked
  | 'no-reply' // UDP/ICMP: silence after all retries
  | 'responder' // portolan responder verified the nonce
  | 'resolve-failed' // the target name did not resolve
  | 'local-error' // EMFILE, EADDRNOTAVAIL, EPERM ...
  | 'aborted' // the run was stopped before this probe finished
  | 'not-probed' // IP protocols and others that cannot be tested by connecting
  | 'no-permission'; // ICMP: no ping binary or no permission to send

/** How the engine chose one port of a range (absent on single-port observations). */
export type PortChoice =
  /** The RPC endpoint mapper on 135/tcp listed it, with these interfaces registered there. */
  | { kind: 'discovered'; interfaces: string[] }
  /** One of the evenly spread sample of the range (every port with `--rpc sweep`). */
  | { kind: 'sampled' };

/**
 * Responder mode (`check --responder`): what answered on a port that answered at all.
 * `verified` proves the path to the role; the others prove only the path.
 */
export type ResponderOutcome =
  | 'verified' // a portolan responder echoed our nonce under our token
  | 'wrong-token' // a portolan responder answered but rejected our token
  | 'clock-skew' // a portolan responder with our token answered, but the clocks differ too much
  | 'other-service'; // something that is not a portolan responder answered

/**
 * What a prober's platform cannot see. `icmp-port-unreachable-unseen`: on Windows, libuv
 * discards the WSAECONNRESET that reports ICMP port unreachable (libuv issue 5242), so a
 * closed UDP port is as silent as a filtered one.
 */
export type PlatformLimit = 'icmp-port-unreachable-unseen';

/**
 * What the network did for one probe: built once by the engine (`probe/observation.ts`)
 * and never changed afterwards.
 */
export interface Observation {
  target: string;
  address: string | null;
  protocol: Transport;
  port: number | null;
  /** IP protocol number for `protocol: ip`. */
  ipProtocol?: number | null;
  state: ProbeState;
  reason: Reason;
  /** Round trip of the deciding exchange; null when nothing came back. */
  rttMs: number | null;
  attempts: number;
  /** Facts a protocol module proved, in words ("LDAP rootDSE: dnsHostName=dc1.corp.example"). Untrusted text. */
  evidence: string[];
  /** Things a module noticed that an admin should act on (expired certificate, name mismatch). */
  warnings: string[];
  /** Protocol module that spoke on this probe, if any. */
  module?: string | null;
  /** True when the module recognised a genuine reply of its protocol (not just a handshake or any datagram). */
  confirmed?: boolean;
  /** Set when the prober's platform could not see part of the answer (see `PlatformLimit`). */
  platformLimit?: PlatformLimit;
  /** Local error text for `error`. */
  error?: string | null;
  /** For a port of a range: how the engine chose it. */
  portChoice?: PortChoice;
  /** Responder mode, on a port that answered: what answered. */
  responder?: ResponderOutcome;
  /**
   * Responder mode: the responder's verified reply said it refused UDP replies lately (rate
   * limits under load), so UDP silence from that host may be its own, not the path's.
   */
  responderShedding?: true;
  /**
   * UDP: every server of the protocol answers the module's request (DNS, CLDAP, Kerberos),
   * so silence is not a listener that ignored us.
   */
  everyServerAnswers?: true;
}

/** A waiver as notes name it. */
export interface WaiverRef {
  /** "plans/x.yaml:30:5". */
  location: string;
  target: string | null;
  service: string | null;
  port: string | null;
  owner: string;
  /** YYYY-MM-DD. */
  expires: string;
}

/**
 * Something about the run as a whole that an administrator should know: the mode it ran
 * in, a fallback taken, a waiver's state. Put into words by `describeNote`
 * (analyze/describe.ts); `run.notes` in the JSON carries those words.
 */
export type RunNote =
  | { kind: 'expect-reachable' }
  | { kind: 'responder' }
  | { kind: 'no-app-probes' }
  /** SRV discovery found the domain's controllers; `via` says who asked (`platform`: where dig would come from). */
  | { kind: 'dcs-discovered'; domain: string; query: string; via: 'dig' | 'node-resolver'; platform: NodeJS.Platform }
  /** The endpoint mapper listed no endpoints; the range was sampled instead. */
  | { kind: 'epm-silent'; target: string; address: string; state: ProbeState; sample: number }
  /** The endpoint mapper listed endpoints, but no TCP endpoint in the range. */
  | { kind: 'epm-none-in-range'; target: string; address: string; range: string; sample: number }
  | { kind: 'waiver-expired'; waiver: WaiverRef }
  | { kind: 'waiver-stale'; waiver: WaiverRef }
  | { kind: 'waiver-expiring'; waiver: WaiverRef }
  | { kind: 'wait-until-pass'; passed: boolean; attempts: number; waitedMs: number }
  /** Windows: TCP connects waited longer than asked, to outlast its retries after a reset. */
  | { kind: 'tcp-timeout-raised'; askedMs: number; usedMs: number }
  /** `--shard I/N`: of `of` targets asked for, this run probed the `targets` of shard `index` of `count`. */
  | { kind: 'shard'; index: number; count: number; targets: number; of: number };

export type ExpectMode = 'listening' | 'reachable';

export type ExpectationStatus = 'pass' | 'fail' | 'inconclusive' | 'waived' | 'untestable';
/**
 * `absent`: an optional service whose every probed port refused (reset or ICMP port
 * unreachable): not installed there. A notice, not a fault; a host firewall that rejects
 * connections looks the same. A filtered port still makes the service `degraded`.
 */
export type ServiceStatus = 'ok' | 'degraded' | 'broken' | 'inconclusive' | 'absent';
export type ComplianceStatus = 'compliant' | 'non-compliant' | 'inconclusive';

export interface ExpectationVerdict {
  target: string;
  expectation: string;
  role: string | null;
  service: string;
  status: ExpectationStatus;
  /** Index into `observations[]` of the run for every probe that fed this verdict. */
  observations: number[];
  /** One sentence an administrator acts on. */
  explanation: string;
  caveat: string | null;
  /** Set for a negative expectation (plan `blocked:`): the port must NOT answer; open is the failure. */
  negative?: true;
  /** Set when a plan waiver turned this failure into `waived`. */
  waiver?: { reason: string; owner: string; expires: string };
}

export interface ServiceVerdict {
  target: string;
  role: string | null;
  service: string;
  serviceName: string;
  status: ServiceStatus;
  /** The explanation chain: why this status, failing dependencies first. */
  explanations: string[];
}

export interface TargetVerdict {
  target: string;
  role: string | null;
  status: ComplianceStatus;
  summary: string;
  /**
   * Addresses of the target where no host answered: every probe there got host unreachable
   * (neighbour discovery failed, or no route). One finding, not one per dependency.
   */
  unreachable?: string[];
}

export interface TargetInfo {
  /** As the user gave it (name or address). */
  name: string;
  /** Addresses probed, in order. */
  addresses: string[];
  /** How the target came to be in the run: the command line, SRV discovery, a plan. */
  origin: string;
  /** Why it could not be probed (e.g. the name did not resolve). */
  error: string | null;
}

/**
 * How much a root cause matters to the run's verdict. Only `outage` makes a target
 * non-compliant; `notice` is never an outage (optional rows, conditional rows whose named
 * condition is off, optional services that are not installed, rows that cannot be tested).
 */
export type FindingSeverity =
  | 'outage' // a required row fails here
  | 'inconclusive' // a required row got no definite answer here
  | 'notice' // only optional, switched-off conditional or untestable rows are affected, or an optional service is absent
  | 'waived'; // every failure here is waived by a plan

/** The order root causes are listed and counted in: outages first. */
export const SEVERITY_ORDER: readonly FindingSeverity[] = ['outage', 'inconclusive', 'waived', 'notice'];

/**
 * A problem of a whole target, reported as one finding instead of one per port.
 * `no-answer`: no probe drew any answer (no handshake, reset, reply or echo): the host is
 * down, the name points elsewhere, or a firewall drops everything from this source.
 * `unreachable`: no host is at any of its addresses (`TargetVerdict.unreachable`: neighbour
 * discovery failed, or no route): no firewall rule is the fix.
 */
export type HostProblem = 'unresolved' | 'unreachable' | 'no-answer' | 'wrong-token' | 'clock-skew';

/** One row a root cause breaks (or makes unsure): an expectation verdict on the target. */
export interface RootCauseEffect {
  /** Expectation key. */
  expectation: string;
  role: string | null;
  service: string;
  serviceName: string;
  /** The row's requirement in this run (named conditions applied). */
  requirement: Requirement;
  /** When a conditional or optional row is needed, in words. */
  condition: string | null;
  status: ExpectationStatus;
  /** Named conditions off in this run that would make this row required (`--with NAME`). */
  switchesOff?: string[];
  /** The row's service is an optional one that is not installed (every port refused). */
  absent?: true;
}

/**
 * A root cause: one (target, protocol, port), one port range, or a whole target, with
 * everything it breaks. Reports lead with these; per-row verdicts are the detail behind
 * them. Computed once, purely, by `analyze/root-causes.ts` from the verdicts and
 * observations, and recomputed wherever verdicts change (waivers, segmentation, merges).
 * Fleet views and exporters key on `id`, which is stable across runs.
 */
export interface RootCause {
  /** "dc1.corp.example tcp/445", "dc1.corp.example tcp/49152-65535", "dc1.corp.example icmp", "dc1.corp.example ip/50", "dc1.corp.example host". */
  id: string;
  target: string;
  /** `range`: a port range judged from several ports (one finding for the range); `host`: see `host`. */
  scope: 'port' | 'range' | 'host';
  /** Null for `host`. */
  protocol: Transport | null;
  port: number | null;
  range: string | null;
  ipProtocol: number | null;
  /** Set for `scope: host`. */
  host: HostProblem | null;
  severity: FindingSeverity;
  /** The strongest requirement among `affects`. */
  requirement: Requirement;
  /** What the network did on the deciding probe; null when nothing was probed. */
  state: ProbeState | null;
  reason: Reason | null;
  /** A plan's `blocked:` rule: the port answered where it must be blocked (close it, do not open it). */
  exposed?: true;
  /** Target addresses probed. */
  addresses: string[];
  /** Indexes into `observations[]`: the deciding probes (for a range, those that failed first). */
  observations: number[];
  /** Every row affected, required first. */
  affects: RootCauseEffect[];
  /** One sentence an administrator acts on. */
  explanation: string;
}

export interface RunOptions {
  roles: string[];
  services: string[];
  ports: string[];
  expect: ExpectMode;
  profile: RpcProfile;
  rpcRange: string | null;
  rpcSample: number;
  rpcMode: 'sample' | 'sweep' | 'discover';
  os: string | null;
  clientOs: string | null;
  timeoutMs: number;
  retries: number;
  concurrency: number;
  perHost: number;
  source: string | null;
  allAddresses: boolean;
  appProbes: boolean;
  failOn: 'fail' | 'inconclusive';
  responder: boolean;
  /** Named conditions turned on (`--with`, a plan); absent in results written before they existed. */
  with?: string[];
  /** The IIS FTP passive range the run was pinned to; absent in results written before it was recorded. */
  ftpPassiveRange?: string | null;
  /** `--shard I/N`: the run probed only shard I of N of its targets; null or absent for all of them. */
  shard?: string | null;
}

export interface RunCounts {
  pass: number;
  fail: number;
  inconclusive: number;
  waived: number;
  untestable: number;
}

/** One expectation whose verdict differs from the plan's previous recorded run. */
export interface ResultChange {
  kind: 'newly-failing' | 'recovered' | 'changed' | 'added' | 'removed';
  target: string;
  service: string;
  expectation: string;
  before: ExpectationStatus | null;
  after: ExpectationStatus | null;
  explanation: string;
}

/**
 * The vantage point a run was made from. Connectivity is a property of (source, target):
 * results from many sources merge into a matrix keyed by `name`.
 */
export interface RunSource {
  hostname: string;
  /** Source addresses the probes left from. */
  addresses: string[];
  /** The address given with --source, or null. */
  bind: string | null;
  /** The vantage point's name, e.g. `branch-12-client`. @default the host name */
  name: string;
  /** Labels of the vantage point, such as `site` or `vlan` (key=value). @default {} */
  labels: Record<string, string>;
}

/**
 * The JSON result: portolan's public API (checks/schema/result.schema.json).
 * Every report is rendered from this object alone.
 */
export interface RunResult {
  schemaVersion: 1;
  tool: { name: 'portolan'; version: string };
  catalog: { digest: string; sources: string[] };
  run: {
    startedAt: string;
    endedAt: string;
    durationMs: number;
    source: RunSource;
    commandLine: string[];
    options: RunOptions;
    incomplete: boolean;
    incompleteReason: string | null;
    /** Sentences about the run as a whole (pre-deployment mode, fallbacks taken). */
    notes: string[];
  };
  targets: TargetInfo[];
  expectations: Expectation[];
  observations: Observation[];
  verdicts: {
    expectations: ExpectationVerdict[];
    services: ServiceVerdict[];
    targets: TargetVerdict[];
    /**
     * Root causes, outages first (see `RootCause`). Absent only in results written before
     * they existed; `rootCausesOf` (analyze/root-causes.ts) computes them for those.
     */
    rootCauses?: RootCause[];
  };
  summary: {
    status: ComplianceStatus;
    counts: RunCounts;
    exitCode: number;
    headline: string;
  };
  /** With run history on: what changed since the same plan's previous run. */
  changes?: {
    since: string;
    sinceStatus: ComplianceStatus;
    items: ResultChange[];
  };
}
