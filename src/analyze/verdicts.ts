/**
 * Verdicts: pure functions of (expectations, observations, links, options) with no I/O
 * and no clock (style.md point 7). Per expectation pass / fail / inconclusive /
 * untestable; per service ok / degraded / broken / inconclusive / absent; per target and role
 * compliant / non-compliant / inconclusive. The run's status and exit code: `summary.ts`.
 */
import { groupBy } from '../group-by.js';
import type {
  ComplianceStatus,
  Expectation,
  ExpectationStatus,
  ExpectationVerdict,
  ExpectMode,
  Observation,
  ServiceStatus,
  ServiceVerdict,
  TargetVerdict,
} from '../model.js';
import {
  busyResponderAdvice,
  busyResponderWords,
  describeUnreachable,
  portLabel,
  reasonWords,
  responderWords,
  settleSilence,
  where,
} from './describe.js';

export interface JudgeOptions {
  expect: ExpectMode;
  timeoutMs: number;
  /** Responder mode: the verdict is about the path, the service does not exist yet. */
  responder?: boolean;
}

export interface TargetExpectations {
  target: string;
  expectations: Expectation[];
  /** expectation key -> indexes into observations. */
  links: Map<string, number[]>;
}

const REACHABLE_CAVEAT =
  'closed counts as reachable before deployment: a host firewall that resets connections looks the same.';

const RANGE_RESETS_CAVEAT =
  'every probed port of the range answered with a reset: the path lets the range through unless a firewall itself resets, and no RPC service was seen listening on those ports.';

/** Judge every expectation of every target. */
export function judgeExpectations(
  targets: TargetExpectations[],
  observations: Observation[],
  opts: JudgeOptions,
): ExpectationVerdict[] {
  return targets.flatMap((t) =>
    t.expectations.map((e) => judgeOne(t.target, e, t.links.get(e.key) ?? [], observations, opts)),
  );
}

function judgeOne(
  target: string,
  e: Expectation,
  indexes: number[],
  observations: Observation[],
  opts: JudgeOptions,
): ExpectationVerdict {
  const seen = indexes.map((i) => observations[i]).filter((o): o is Observation => o !== undefined);
  const base = { target, expectation: e.key, role: e.role, service: e.service, observations: indexes };
  if (seen.length === 0) {
    return {
      ...base,
      status: 'inconclusive',
      explanation: `${portLabel(e)} on ${target} was not probed.`,
      caveat: null,
    };
  }
  const isRange = e.port === null && e.range !== null;
  const perObservation = seen.map((o) => ({ o, status: portStatus(o, opts, isRange) }));
  // The worst address/port decides: fail > inconclusive > untestable > pass.
  const order: ExpectationStatus[] = ['fail', 'inconclusive', 'untestable', 'waived', 'pass'];
  const worst = perObservation.reduce((a, b) => (order.indexOf(b.status) < order.indexOf(a.status) ? b : a));
  const twin = worst.status === 'inconclusive' && !isRange ? confirmedTcpTwin(worst.o, observations) : null;
  const busy = worst.status === 'fail' && opts.responder ? busyResponder(worst.o, observations) : null;
  const status = twin ? 'fail' : busy ? 'inconclusive' : worst.status;
  const explanation = twin
    ? `${e.impact}: ${portLabel(e)} on ${where(worst.o.target, worst.o.address)} is ${stateText(worst.o, opts)}, while the same service answers on ${twin.port}/tcp: the UDP path is most likely filtered${worst.o.platformLimit ? ' (or the service does not listen on UDP: this platform cannot tell)' : ''}.`
    : busy
      ? `${portLabel(e)} on ${where(worst.o.target, worst.o.address)} ${busyResponderWords(busy)}. ${busyResponderAdvice(busy)}`
      : isRange
        ? rangeExplanation(target, e, perObservation, status)
        : portExplanation(e, worst.o, status, opts);
  const caveat =
    opts.expect === 'reachable' && perObservation.some((p) => p.o.state === 'closed' && p.status === 'pass')
      ? REACHABLE_CAVEAT
      : isRange && e.protocol === 'tcp' && status === 'pass' && perObservation.every((p) => p.o.state === 'closed')
        ? RANGE_RESETS_CAVEAT
        : unconfirmedCaveat(worst.o);
  return { ...base, status, explanation, caveat };
}

/**
 * UDP silence is ambiguous on its own. But a service that answered our protocol request
 * over TCP on the same port (Kerberos 88, kpasswd 464, DNS 53, LDAP 389) runs: its
 * silence over UDP to a request every server of the protocol answers is a filter on the path.
 */
function confirmedTcpTwin(o: Observation, observations: Observation[]): Observation | null {
  if (o.protocol !== 'udp' || o.state !== 'open|filtered' || o.reason !== 'no-reply' || !o.everyServerAnswers) {
    return null;
  }
  return (
    observations.find(
      (t) => t.protocol === 'tcp' && t.port === o.port && t.address === o.address && t.state === 'open' && t.confirmed,
    ) ?? null
  );
}

/**
 * Responder mode reads UDP silence as a drop on the path, because the responder answers
 * every probe. Not when the same host's responder said (on another port, under our token)
 * that it was refusing UDP replies under load, nor when it rejected our token: replies to a
 * wrong token come from a budget any flood can use up. Then silence settles nothing.
 */
export function busyResponder(o: Observation, observations: readonly Observation[]): Observation | null {
  if (o.protocol !== 'udp' || o.state !== 'filtered' || o.reason !== 'no-reply') return null;
  return (
    observations.find((t) => t.address === o.address && t.responderShedding) ??
    observations.find((t) => t.address === o.address && t.responder === 'wrong-token') ??
    null
  );
}

function portStatus(o: Observation, opts: JudgeOptions, isRange: boolean): ExpectationStatus {
  switch (o.state) {
    case 'open':
      // In responder mode only a verified reply passes: a wrong token proves the path, not the role.
      return opts.responder && o.protocol !== 'icmp' && o.responder !== 'verified' ? 'inconclusive' : 'pass';
    case 'closed':
      // A sampled range port need not listen: a reset proves the firewall let us through.
      return isRange || opts.expect === 'reachable' ? 'pass' : 'fail';
    case 'filtered':
      return 'fail';
    case 'open|filtered':
    case 'error':
      return 'inconclusive';
    case 'untestable':
      return 'untestable';
  }
}

function stateText(o: Observation, opts: JudgeOptions): string {
  return `${o.state} (${reasonWords(o, opts.timeoutMs)})`;
}

function portExplanation(e: Expectation, o: Observation, status: ExpectationStatus, opts: JudgeOptions): string {
  const subject = `${portLabel(e)} on ${where(o.target, o.address)}`;
  if (status === 'fail') return `${e.impact}: ${subject} is ${stateText(o, opts)}.`;
  if (status === 'untestable') return `${subject} is untestable: ${o.error ?? reasonWords(o, opts.timeoutMs)}`;
  if (status === 'inconclusive' && o.responder && o.responder !== 'verified') {
    return `${subject} answered, but not as our responder: ${responderWords(o.responder)}. The path is open; the role is not proven.`;
  }
  if (status === 'inconclusive') {
    const settle = o.state === 'open|filtered' ? ` ${settleSilence(o)}` : '';
    return `${subject} is ${stateText(o, opts)}; cannot tell whether it passes.${settle}`;
  }
  const evidence = o.evidence.length ? ` ${o.evidence[0]}` : '';
  return `${subject} is ${stateText(o, opts)}.${evidence}`;
}

function rangeExplanation(
  target: string,
  e: Expectation,
  per: { o: Observation; status: ExpectationStatus }[],
  status: ExpectationStatus,
): string {
  const count = (s: string) => per.filter((p) => p.o.state === s).length;
  const tally = ['open', 'closed', 'filtered', 'open|filtered', 'error']
    .filter((s) => count(s) > 0)
    .map((s) => `${count(s)} ${s}`)
    .join(', ');
  const discovered = per.some((p) => p.o.portChoice?.kind === 'discovered');
  const basis = discovered ? 'ports the endpoint mapper listed' : `${per.length} sampled ports`;
  const subject = `${portLabel(e)} on ${target}`;
  if (status === 'fail') {
    const blocked = per
      .filter((p) => p.status === 'fail')
      .slice(0, 5)
      .map((p) => `${p.o.port}/${p.o.protocol} ${p.o.state}`)
      .join(', ');
    return `${e.impact}: ${subject}: the firewall blocks the range (${basis}: ${tally}; e.g. ${blocked}).`;
  }
  if (status === 'inconclusive') {
    const limited = per.find((p) => p.o.platformLimit);
    return `${subject}: cannot tell whether the range passes (${basis}: ${tally}).${limited ? ` ${settleSilence(limited.o)}` : ''}`;
  }
  return `${subject}: the firewall passes the range (${basis}: ${tally}).`;
}

function unconfirmedCaveat(o: Observation): string | null {
  // A responder's answer is put into words by the explanation ("rejected our token"), not as a stranger's.
  if (o.state === 'open' && o.reason === 'unrecognised-reply' && o.responder === undefined) {
    return 'something answered, but it did not speak the protocol the catalog names.';
  }
  return null;
}

const SERVICE_ORDER: ServiceStatus[] = ['broken', 'inconclusive', 'degraded', 'absent', 'ok'];

/** Roll expectation verdicts up into service and target verdicts (`observations` tell refused from filtered). */
export function aggregate(
  expectations: Expectation[],
  verdicts: ExpectationVerdict[],
  observations: readonly Observation[],
): { services: ServiceVerdict[]; targets: TargetVerdict[] } {
  const byKey = new Map(expectations.map((e) => [e.key, e]));
  const services: ServiceVerdict[] = [];
  for (const list of groupBy(verdicts, (v) => `${v.target}\u0000${v.role ?? ''}\u0000${v.service}`).values()) {
    const first = list[0] as ExpectationVerdict;
    const requirement = (v: ExpectationVerdict) => byKey.get(v.expectation)?.requirement ?? 'required';
    const requiredFail = list.filter((v) => v.status === 'fail' && requirement(v) === 'required');
    const requiredUnsure = list.filter((v) => v.status === 'inconclusive' && requirement(v) === 'required');
    const softTrouble = list.filter(
      (v) => (v.status === 'fail' || v.status === 'inconclusive') && requirement(v) !== 'required',
    );
    const soft: ServiceStatus = isAbsent(list, byKey, observations) ? 'absent' : 'degraded';
    const status: ServiceStatus = requiredFail.length
      ? 'broken'
      : requiredUnsure.length
        ? 'inconclusive'
        : softTrouble.length
          ? soft
          : 'ok';
    const untestable = list.filter((v) => v.status === 'untestable');
    const waived = list.filter((v) => v.status === 'waived');
    const explanations =
      status === 'absent'
        ? [absentExplanation(list, byKey)]
        : [...requiredFail, ...requiredUnsure, ...softTrouble, ...untestable, ...waived].map((v) => {
            const r = requirement(v);
            return r === 'required' ? v.explanation : `(${r}) ${v.explanation}`;
          });
    services.push({
      target: first.target,
      role: first.role,
      service: first.service,
      serviceName: byKey.get(first.expectation)?.serviceName ?? first.service,
      status,
      explanations,
    });
  }
  return { services, targets: targetVerdicts(services, unreachableAddresses(verdicts, observations)) };
}

/**
 * An optional service (no required row here) whose every TCP/UDP probe was refused is not
 * installed on the target: nothing listens, and the network let the probes through. ICMP and
 * IP-protocol rows do not speak for the service, but one that fails still degrades it.
 */
function isAbsent(
  list: ExpectationVerdict[],
  byKey: Map<string, Expectation>,
  observations: readonly Observation[],
): boolean {
  const ports = list.filter((v) => isPortRow(byKey.get(v.expectation)));
  const others = list.filter((v) => !isPortRow(byKey.get(v.expectation)));
  const probes = ports.flatMap((v) => v.observations.map((i) => observations[i]));
  return (
    list.every((v) => (byKey.get(v.expectation)?.requirement ?? 'required') !== 'required') &&
    probes.length > 0 &&
    probes.every((o) => o?.state === 'closed') &&
    others.every((v) => v.status !== 'fail' && v.status !== 'inconclusive')
  );
}

function isPortRow(e: Expectation | undefined): boolean {
  return e?.protocol === 'tcp' || e?.protocol === 'udp';
}

function absentExplanation(list: ExpectationVerdict[], byKey: Map<string, Expectation>): string {
  const first = list[0] as ExpectationVerdict;
  const labels = list.map((v) => byKey.get(v.expectation)).filter(isPortRow) as Expectation[];
  const shown = labels.slice(0, 5).map(portLabel);
  const more = labels.length > 5 ? ` and ${labels.length - 5} more` : '';
  const name = labels[0]?.serviceName ?? first.service;
  return (
    `${name} is not installed on ${first.target}: every port refused the connection (${shown.join(', ')}${more}). ` +
    'It is optional here, so this is a notice, not a fault; a host firewall that rejects connections looks the same.'
  );
}

/**
 * Per target, the addresses where no host answered: each of its TCP, UDP and ICMP probes there
 * ended `host-unreachable` (the engine gives that reason to every silent probe of an address
 * whose neighbour discovery failed).
 */
function unreachableAddresses(
  verdicts: ExpectationVerdict[],
  observations: readonly Observation[],
): Map<string, string[]> {
  const seen = new Map<string, Map<string, boolean>>();
  for (const v of verdicts) {
    for (const i of v.observations) {
      const o = observations[i];
      if (!o || o.address === null || o.protocol === 'ip') continue;
      const byAddress = seen.get(v.target) ?? new Map<string, boolean>();
      seen.set(v.target, byAddress);
      byAddress.set(o.address, (byAddress.get(o.address) ?? true) && o.reason === 'host-unreachable');
    }
  }
  return new Map(
    [...seen].map(([target, byAddress]) => [target, [...byAddress].filter(([, none]) => none).map(([a]) => a)]),
  );
}

function targetVerdicts(services: ServiceVerdict[], unreachable: Map<string, string[]>): TargetVerdict[] {
  return [...groupBy(services, (s) => `${s.target}\u0000${s.role ?? ''}`).values()].map((list) => {
    const first = list[0] as ServiceVerdict;
    const worst = list.reduce((a, b) => (SERVICE_ORDER.indexOf(b.status) < SERVICE_ORDER.indexOf(a.status) ? b : a));
    const status: ComplianceStatus =
      worst.status === 'broken' ? 'non-compliant' : worst.status === 'inconclusive' ? 'inconclusive' : 'compliant';
    const named = (s: ServiceStatus) =>
      list
        .filter((x) => x.status === s)
        .map((x) => x.serviceName)
        .join(', ');
    const parts = [
      named('broken') && `broken: ${named('broken')}`,
      named('inconclusive') && `inconclusive: ${named('inconclusive')}`,
      named('degraded') && `degraded: ${named('degraded')}`,
    ].filter(Boolean);
    const roleText = first.role ? ` as ${first.role}` : '';
    const nobody = unreachable.get(first.target) ?? [];
    // Where no host answered, that is the finding: not each dependency it broke.
    const summary = nobody.length
      ? `${describeUnreachable(first.target, nobody)} ${first.target}${roleText} is ${status}.`
      : `${first.target}${roleText} is ${status}${parts.length ? ` (${parts.join('; ')})` : ''}.`;
    return {
      target: first.target,
      role: first.role,
      status,
      summary,
      ...(nobody.length ? { unreachable: nobody } : {}),
    };
  });
}
