/**
 * Root causes: the verdicts regrouped by what an administrator fixes. One blocked
 * (target, protocol, port) is one finding with every row it breaks under it, not one per
 * service that uses the port; a port range judged from several sampled ports is one
 * finding; a target where nothing answered, whose name did not resolve, or whose responder
 * rejected our token is one finding, not forty. Pure: a function of the expectations,
 * verdicts, observations and target facts, so `assembleResult` and `reaggregate` recompute
 * it whenever verdicts change (waivers, segmentation, merged plan parts).
 *
 * Severity is what the run's verdict makes of it: `outage` only where a required row fails;
 * optional rows, conditional rows whose named condition is off, optional services that are
 * not installed and untestable rows are `notice`s, never outages.
 */
import { groupByTarget } from '../group-by.js';
import {
  type Expectation,
  type ExpectationStatus,
  type ExpectationVerdict,
  type FindingSeverity,
  type HostProblem,
  type Observation,
  type Requirement,
  type RootCause,
  type RootCauseEffect,
  type RunResult,
  SEVERITY_ORDER,
  type ServiceVerdict,
  type TargetInfo,
  type TargetVerdict,
} from '../model.js';
import { describeRootCause } from './describe.js';
import { busyResponder } from './verdicts.js';

export interface RootCauseInput {
  expectations: readonly Expectation[];
  verdicts: {
    expectations: readonly ExpectationVerdict[];
    services: readonly ServiceVerdict[];
    /** Read for `unreachable`: addresses where no host answered. */
    targets: readonly TargetVerdict[];
  };
  observations: readonly Observation[];
  targets: readonly TargetInfo[];
  /** The connect timeout the verdicts were judged with, for the explanations' words. */
  timeoutMs: number;
}

const REQUIREMENT_ORDER: readonly Requirement[] = ['required', 'conditional', 'optional'];
const STATUS_ORDER: readonly ExpectationStatus[] = ['fail', 'inconclusive', 'waived', 'untestable', 'pass'];

/** Every root cause of a run: outages first, then by target (as the run lists them) and port. */
export function computeRootCauses(input: RootCauseInput): RootCause[] {
  const byKey = new Map(input.expectations.map((e) => [e.key, e]));
  const absent = new Set(
    input.verdicts.services.filter((s) => s.status === 'absent').map((s) => serviceKey(s.target, s.role, s.service)),
  );
  const byTarget = groupByTarget(input.observations);
  const observationsOf = (target: string) => byTarget.get(target) ?? [];
  const hosts = hostProblems(input, byTarget);
  const groups = new Map<string, { target: string; host: HostProblem | null; rows: Affected[] }>();
  for (const v of input.verdicts.expectations) {
    const e = byKey.get(v.expectation);
    if (v.status === 'pass' || !e) continue;
    const host = hosts.get(v.target);
    const hostWide = host !== undefined && coveredByHost(host, v, input.observations, observationsOf(v.target));
    const id = `${v.target} ${hostWide ? 'host' : endpointId(e)}`;
    let group = groups.get(id);
    if (!group) {
      group = { target: v.target, host: hostWide ? (host as HostProblem) : null, rows: [] };
      groups.set(id, group);
    }
    group.rows.push({ v, e, absent: absent.has(serviceKey(v.target, v.role, v.service)) });
  }
  const targetOrder = new Map(input.targets.map((t, i) => [t.name, i]));
  const errors = new Map(input.targets.map((t) => [t.name, t.error]));
  return [...groups.entries()]
    .map(([id, g]) => rootCause(id, g.target, g.host, g.rows, input, errors.get(g.target) ?? null))
    .sort(
      (a, b) =>
        SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
        (targetOrder.get(a.target) ?? 1e9) - (targetOrder.get(b.target) ?? 1e9) ||
        portRank(a) - portRank(b),
    );
}

/** The result's root causes; computed for a result written before they were recorded. */
export function rootCausesOf(result: RunResult): RootCause[] {
  return result.verdicts.rootCauses ?? computeRootCauses(rootCauseInput(result));
}

/** What `computeRootCauses` reads from a result. */
export function rootCauseInput(result: RunResult, verdicts = result.verdicts): RootCauseInput {
  return {
    expectations: result.expectations,
    verdicts,
    observations: result.observations,
    targets: result.targets,
    timeoutMs: result.run.options.timeoutMs,
  };
}

interface Affected {
  v: ExpectationVerdict;
  e: Expectation;
  absent: boolean;
}

function serviceKey(target: string, role: string | null, service: string): string {
  return `${target}\u0000${role ?? ''}\u0000${service}`;
}

/** "tcp/445", "udp/53", "tcp/49152-65535", "icmp", "ip/50": what a root cause id names after the target. */
export function endpointId(e: Pick<Expectation, 'protocol' | 'port' | 'range' | 'ipProtocol'>): string {
  if (e.protocol === 'icmp') return 'icmp';
  if (e.protocol === 'ip') return `ip/${e.ipProtocol ?? '?'}`;
  return `${e.protocol}/${e.port ?? e.range ?? '?'}`;
}

function portRank(c: RootCause): number {
  if (c.scope === 'host') return -1;
  const port = c.port ?? Number.parseInt(c.range ?? '', 10);
  return (Number.isNaN(port) ? 70_000 : port) * 4 + ['tcp', 'udp', 'icmp', 'ip'].indexOf(c.protocol ?? 'tcp');
}

/**
 * Targets whose every probe says the same thing about the whole host: the name did not
 * resolve; no host answered at any of its addresses (the verdicts' `unreachable`: neighbour
 * discovery failed, or no route); nothing answered at all (at least two endpoints, one of
 * them TCP or ICMP, since UDP silence alone proves nothing); or every responder that answered
 * rejected our token, or our clock.
 */
function hostProblems(
  input: RootCauseInput,
  byTarget: ReadonlyMap<string, readonly Observation[]>,
): Map<string, HostProblem> {
  const found = new Map<string, HostProblem>();
  for (const t of input.targets) if (t.error) found.set(t.name, 'unresolved');
  const unreachable = new Map<string, Set<string>>();
  for (const t of input.verdicts.targets) {
    for (const address of t.unreachable ?? [])
      unreachable.set(t.target, (unreachable.get(t.target) ?? new Set()).add(address));
  }
  for (const [target, all] of byTarget) {
    const list = all.filter((o) => o.state !== 'untestable');
    if (found.has(target) || list.length === 0) continue;
    const nobody = unreachable.get(target);
    if (nobody && list.every((o) => o.address !== null && nobody.has(o.address))) {
      found.set(target, 'unreachable');
      continue;
    }
    const silent = list.every((o) => o.state === 'filtered' || o.state === 'open|filtered');
    const endpoints = new Set(list.map((o) => `${o.protocol}/${o.port ?? o.ipProtocol ?? ''}`));
    if (silent && endpoints.size >= 2 && list.some((o) => o.protocol === 'tcp' || o.protocol === 'icmp')) {
      found.set(target, 'no-answer');
      continue;
    }
    const answers = list.filter((o) => o.responder !== undefined);
    const first = answers[0]?.responder;
    if ((first === 'wrong-token' || first === 'clock-skew') && answers.every((o) => o.responder === first)) {
      found.set(target, first);
    }
  }
  return found;
}

/**
 * A host-wide problem takes every row of the target, except that a rejected token (or our
 * clock) takes only the rows it decided: those the responder rejected, and UDP silence that
 * proves nothing because the responder that rejected us may have dropped the reply
 * (`busyResponder`). `own` is the target's observations.
 */
function coveredByHost(
  host: HostProblem,
  v: ExpectationVerdict,
  observations: readonly Observation[],
  own: readonly Observation[],
): boolean {
  if (host === 'unresolved' || host === 'unreachable' || host === 'no-answer') return true;
  if (v.status !== 'inconclusive') return false;
  return v.observations.some((i) => {
    const o = observations[i];
    return o !== undefined && (o.responder === host || busyResponder(o, own)?.responder === host);
  });
}

function severityOf(rows: Affected[]): FindingSeverity {
  const counted = rows.filter((r) => !r.absent);
  const required = (s: ExpectationStatus) => counted.some((r) => r.v.status === s && r.e.requirement === 'required');
  if (required('fail')) return 'outage';
  if (required('inconclusive')) return 'inconclusive';
  if (rows.some((r) => r.v.status === 'fail' || r.v.status === 'inconclusive')) return 'notice';
  if (rows.some((r) => r.v.status === 'waived')) return 'waived';
  return 'notice';
}

function effect(r: Affected): RootCauseEffect {
  const off = r.e.requirement === 'required' ? [] : (r.e.switches ?? []).filter((s) => !s.on).map((s) => s.name);
  return {
    expectation: r.e.key,
    role: r.v.role,
    service: r.v.service,
    serviceName: r.e.serviceName,
    requirement: r.e.requirement,
    condition: r.e.condition,
    status: r.v.status,
    ...(off.length ? { switchesOff: off } : {}),
    ...(r.absent ? { absent: true as const } : {}),
  };
}

/**
 * The deciding probes: those that answered as the verdict says (a drop, a refusal, silence;
 * an answer for an exposed port) before the rest, each once.
 */
function decidingObservations(rows: Affected[], observations: readonly Observation[], exposed: boolean): number[] {
  const all = [...new Set(rows.flatMap((r) => r.v.observations))];
  const telling = (i: number) => {
    const o = observations[i];
    if (!o) return false;
    return exposed
      ? o.state === 'open'
      : o.state !== 'open' || (o.responder !== undefined && o.responder !== 'verified');
  };
  return [...all.filter(telling), ...all.filter((i) => !telling(i))];
}

function rootCause(
  id: string,
  target: string,
  host: HostProblem | null,
  rows: Affected[],
  input: RootCauseInput,
  targetError: string | null,
): RootCause {
  rows.sort(
    (a, b) =>
      Number(a.absent) - Number(b.absent) ||
      REQUIREMENT_ORDER.indexOf(a.e.requirement) - REQUIREMENT_ORDER.indexOf(b.e.requirement) ||
      STATUS_ORDER.indexOf(a.v.status) - STATUS_ORDER.indexOf(b.v.status),
  );
  const first = rows[0] as Affected;
  const exposed = rows.some((r) => r.v.negative && r.v.status === 'fail');
  const observations = decidingObservations(rows, input.observations, exposed);
  const primary = observations.map((i) => input.observations[i]).find((o) => o !== undefined) ?? null;
  const addresses = [
    ...new Set(
      observations.map((i) => input.observations[i]?.address).filter((a): a is string => typeof a === 'string'),
    ),
  ];
  const isRange = host === null && first.e.port === null && first.e.range !== null;
  const cause: Omit<RootCause, 'explanation'> = {
    id,
    target,
    scope: host ? 'host' : isRange ? 'range' : 'port',
    protocol: host ? null : first.e.protocol,
    port: host ? null : first.e.port,
    range: host ? null : first.e.range,
    ipProtocol: host ? null : first.e.ipProtocol,
    host,
    severity: severityOf(rows),
    requirement: REQUIREMENT_ORDER.find((q) => rows.some((r) => r.e.requirement === q)) ?? 'required',
    state: primary?.state ?? null,
    reason: primary?.reason ?? null,
    ...(exposed ? { exposed: true as const } : {}),
    addresses,
    observations,
    affects: rows.map(effect),
  };
  // A row judged inconclusive because the responder was busy, not because of what the path did.
  const busy =
    cause.severity === 'inconclusive' && primary && rows.some((r) => r.v.status === 'inconclusive')
      ? busyResponder(primary, input.observations)
      : null;
  const explanation = describeRootCause(cause, {
    busyResponder: busy,
    application: first.e.application,
    observations: observations.map((i) => input.observations[i]).filter((o): o is Observation => o !== undefined),
    verdicts: rows.map((r) => r.v),
    targetError,
    timeoutMs: input.timeoutMs,
  });
  return { ...cause, explanation };
}
