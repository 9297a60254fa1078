/**
 * Where facts become words: reasons, port labels, run notes, the engine's typed facts on an
 * observation (how a range port was chosen, what answered a responder probe) and what would
 * settle an untestable IP protocol. Verdict explanations and every report take their words
 * from here, so no stage passes sentences to another to be parsed again.
 */
import { formatDuration } from '../duration.js';
import type {
  ComplianceStatus,
  Expectation,
  ExpectationVerdict,
  HostProblem,
  Observation,
  Reason,
  ResponderOutcome,
  RootCause,
  RunNote,
  WaiverRef,
} from '../model.js';
import { whereToGet } from '../platform/tools.js';
import type { TargetProblem } from '../targets/resolve.js';
import type { HeadlineFacts, Sample, SeverityFacts } from './headline-tally.js';

export function reasonWords(o: Observation, timeoutMs: number): string {
  const words: Record<Reason, string> = {
    'syn-ack': 'handshake completed',
    rst: 'connection reset: nothing listening, or a host firewall rejecting',
    timeout: `no answer in ${timeoutMs} ms`,
    'icmp-unreachable': 'ICMP unreachable came back',
    'host-unreachable':
      'no host answered at this address (host unreachable: nothing answered neighbour discovery, or no route)',
    'icmp-admin-prohibited': 'ICMP administratively prohibited came back',
    'icmp-port-unreachable': 'ICMP port unreachable: nothing listening',
    reply: o.protocol === 'icmp' ? 'echo reply' : 'the protocol answered',
    'unrecognised-reply': 'something answered, but not with the protocol asked for',
    'no-reply': noReplyWords(o),
    responder: 'the portolan responder verified the nonce',
    'resolve-failed': o.error ? `the name did not resolve: ${o.error}` : 'the name did not resolve',
    'local-error': `local error: ${o.error ?? 'unknown'}`,
    aborted: 'the run was stopped first',
    'not-probed': o.protocol === 'ip' ? untestableIpWords(o.ipProtocol ?? null) : 'cannot be tested by connecting',
    'no-permission': o.error ?? 'no permission to send ICMP',
  };
  return words[o.reason];
}

function noReplyWords(o: Observation): string {
  if (o.protocol === 'icmp') return 'no echo reply';
  const datagrams = `${o.attempts} datagram${o.attempts === 1 ? '' : 's'}`;
  // Only responder mode turns UDP silence into `filtered`: the responder answers every well-formed probe.
  if (o.state === 'filtered') return `no answer from the portolan responder to ${datagrams}: the path drops them`;
  if (o.platformLimit === 'icmp-port-unreachable-unseen') {
    return `no reply to ${datagrams}: a listener that ignored us, a drop, or a closed port (this platform cannot see ICMP port unreachable)`;
  }
  return `no reply to ${datagrams}: a listener that ignored us, or a drop`;
}

const IP_ADVICE: Record<number, string> = {
  47: 'GRE (IP protocol 47) cannot be tested by connecting: check that PPTP 1723/tcp passes, then look for GRE in a packet capture while a VPN client connects.',
  50: 'IPsec ESP (IP protocol 50) cannot be tested without an IPsec peer: check IKE 500/udp and NAT-T 4500/udp, then whether security associations form (Get-NetIPsecMainModeSA on the server).',
  51: 'IPsec AH (IP protocol 51) cannot be tested without an IPsec peer: check IKE 500/udp, then whether security associations form (Get-NetIPsecQuickModeSA on the server).',
};

/** Why an IP protocol cannot be probed, and what settles it instead. */
function untestableIpWords(ipProtocol: number | null): string {
  return (
    IP_ADVICE[ipProtocol ?? -1] ??
    `IP protocol ${ipProtocol} cannot be tested by connecting; a packet capture on the target settles it.`
  );
}

const RESPONDER_WORDS: Record<ResponderOutcome, string> = {
  verified: 'portolan responder verified our nonce',
  'wrong-token': 'a portolan responder answered but rejected our token: the path is open, the responder is not ours',
  'clock-skew': 'a portolan responder with our token answered, but the clocks differ too much: set both clocks right',
  'other-service': 'the port answered, but not as the portolan responder: another service listens there',
};

export function responderWords(outcome: ResponderOutcome): string {
  return RESPONDER_WORDS[outcome];
}

/**
 * The engine's typed facts about an observation, as lines a report shows before the
 * modules' evidence: how a range port was chosen, what answered a responder probe, what the
 * prober's platform could not see.
 */
export function observationFacts(o: Observation): string[] {
  const lines: string[] = [];
  if (o.platformLimit === 'icmp-port-unreachable-unseen') {
    lines.push(
      'this platform (Windows) cannot see ICMP port unreachable: Node never receives it (libuv issue 5242), so a closed UDP port is as silent as a filtered one',
    );
  }
  if (o.portChoice?.kind === 'discovered') {
    const names = o.portChoice.interfaces.length ? o.portChoice.interfaces.join(', ') : 'an endpoint';
    lines.push(`endpoint mapper: ${names} registered on ${o.port}/${o.protocol}`);
  }
  if (o.responder && o.responder !== 'verified') lines.push(responderWords(o.responder));
  return lines;
}

/**
 * What would settle an `open|filtered` port, in one sentence. Where the prober's platform
 * cannot see ICMP port unreachable, a run from another platform would settle it too.
 */
export function settleSilence(o: Observation): string {
  if (o.platformLimit === 'icmp-port-unreachable-unseen') {
    return 'This platform (Windows) cannot see ICMP port unreachable, so a closed port reads the same: `portolan listen` on the target, or the same check from a Linux or macOS agent, would settle it.';
  }
  return 'A protocol probe that draws a reply, or `portolan listen` on the target before deployment, would settle it.';
}

/** "LDAP 389/tcp", "ICMP echo", "GRE (IP protocol 47)": the protocol said once, even when the application names it. */
export function portLabel(e: Pick<Expectation, 'application' | 'protocol' | 'port' | 'range' | 'ipProtocol'>): string {
  if (e.protocol === 'icmp')
    return /\bICMP echo\b/i.test(e.application) ? e.application : `${e.application} (ICMP echo)`;
  if (e.protocol === 'ip') {
    return new RegExp(`\\bIP protocol ${e.ipProtocol}\\b`, 'i').test(e.application)
      ? e.application
      : `${e.application} (IP protocol ${e.ipProtocol})`;
  }
  return `${e.application} ${e.port ?? e.range}/${e.protocol}`;
}

/** "A, B, C and 2 more": at most `max` names, each once, in order. */
export function namesList(names: readonly string[], max = 4): string {
  const unique = [...new Set(names)];
  if (unique.length <= max)
    return unique.length > 1 ? `${unique.slice(0, -1).join(', ')} and ${unique.at(-1)}` : (unique[0] ?? '');
  const shown = unique.slice(0, max - 1);
  return `${shown.join(', ')} and ${unique.length - shown.length} more`;
}

export function where(target: string, address: string | null): string {
  return address && address !== target ? `${target} (${address})` : target;
}

/** The one sentence for a target where no host answered (`TargetVerdict.unreachable`). */
export function describeUnreachable(target: string, addresses: string[]): string {
  const at = addresses.map((a) => where(target, a)).join(', ');
  return `No host answered at ${at}: every probe got host unreachable (nothing answered neighbour discovery, or no route leads there).`;
}

/** Why a target could not be probed, as `targets[].error` carries it. */
export function describeTargetProblem(problem: TargetProblem): string {
  return `"${problem.name}" did not resolve (${problem.code})`;
}

/**
 * The run's notes as `run.notes` carries them: each sentence once, and a per-target note that
 * many targets share (the endpoint mapper listed nothing) said once for all of them.
 */
export function describeNotes(notes: readonly RunNote[]): string[] {
  const shared = new Map<string, Extract<RunNote, { kind: 'epm-silent' | 'epm-none-in-range' }>[]>();
  const out: (string | { group: string })[] = [];
  for (const note of notes) {
    if (note.kind !== 'epm-silent' && note.kind !== 'epm-none-in-range') {
      out.push(describeNote(note));
      continue;
    }
    const group = note.kind === 'epm-silent' ? `s ${note.state} ${note.sample}` : `r ${note.range} ${note.sample}`;
    if (!shared.has(group)) {
      shared.set(group, []);
      out.push({ group });
    }
    shared.get(group)?.push(note);
  }
  const words = out.map((item) => {
    if (typeof item === 'string') return item;
    const list = shared.get(item.group) ?? [];
    const first = list[0] as (typeof list)[number];
    const targets = [...new Set(list.map((n) => `${n.target} (${n.address})`))];
    if (targets.length === 1) return describeNote(first);
    const who = `${targets.length} targets (${namesList(targets, 3)})`;
    return first.kind === 'epm-silent'
      ? `On ${who} the endpoint mapper on 135/tcp listed no endpoints (${first.state}); their dynamic RPC ranges were judged from ${first.sample} sampled ports instead.`
      : `On ${who} the endpoint mapper answered but listed no TCP endpoint in ${first.range}; ${first.sample} ports of the range were sampled instead.`;
  });
  return [...new Set(words)];
}

/** One sentence per note. */
export function describeNote(note: RunNote): string {
  switch (note.kind) {
    case 'expect-reachable':
      return 'Pre-deployment check (--expect reachable): a closed port passes, since the service may not be installed yet.';
    case 'responder':
      return 'Pre-deployment check with the portolan responder: each port passes when the responder answered through the network path.';
    case 'no-app-probes':
      return 'Protocol conversations were off (--no-app-probes): TCP states come from the handshake alone; UDP still sends each protocol\u2019s request, since an empty datagram proves nothing.';
    case 'dcs-discovered':
      return note.via === 'dig'
        ? `Domain controllers of ${note.domain} found with dig: ${note.query} SRV.`
        : `dig is not installed (${whereToGet('dig', note.platform)}); found the domain controllers with Node's resolver instead.`;
    case 'epm-silent':
      return `${note.target} (${note.address}): the endpoint mapper on 135/tcp listed no endpoints (${note.state}); dynamic RPC ranges were judged from ${note.sample} sampled ports instead.`;
    case 'epm-none-in-range':
      return `${note.target} (${note.address}): the endpoint mapper answered but listed no TCP endpoint in ${note.range}; sampled ${note.sample} ports of the range instead.`;
    case 'waiver-expired':
      return `Waiver at ${note.waiver.location} (${waiverWords(note.waiver)}, owner ${note.waiver.owner}) expired on ${note.waiver.expires}: the run fails until it is renewed or removed.`;
    case 'waiver-stale':
      return `Waiver at ${note.waiver.location} (${waiverWords(note.waiver)}) is stale: it matches no failure in this run; remove it.`;
    case 'waiver-expiring':
      return `Waiver at ${note.waiver.location} (${waiverWords(note.waiver)}, owner ${note.waiver.owner}) expires on ${note.waiver.expires}.`;
    case 'tcp-timeout-raised':
      return `TCP connects waited ${note.usedMs} ms instead of ${note.askedMs} ms: Windows retries a connection for about 2 s after a reset before it reports it refused, and a shorter wait would read closed ports as filtered.`;
    case 'wait-until-pass':
      return `--wait-until-pass: ${note.passed ? 'no failures' : 'still failing'} after ${note.attempts} attempt(s) (${formatDuration(note.waitedMs)}).`;
    case 'shard':
      return `Shard ${note.index}/${note.count} (--shard): ${note.targets} of the ${note.of} target(s) asked for; the other ${note.count - 1} shard(s) probe the rest, and \`portolan merge\` or \`portolan matrix\` joins them.`;
  }
}

/** "445/tcp smb on dc1.corp.example": what a waiver covers. */
function waiverWords(w: Pick<WaiverRef, 'port' | 'service' | 'target'>): string {
  return [w.port, w.service, w.target && `on ${w.target}`].filter(Boolean).join(' ');
}

/** What `describeRootCause` reads besides the root cause itself. */
/**
 * UDP silence in responder mode that proves nothing, because the responder (`busy`, another
 * port of the same address) said it was refusing UDP replies under load, or rejected our
 * token: "got no answer from the portolan responder, which ...: the silence may be the
 * responder's, not the path's".
 */
export function busyResponderWords(busy: Observation): string {
  const on = `${busy.port}/${busy.protocol}`;
  const which = busy.responderShedding
    ? `which said on ${on} that it was refusing UDP replies under load`
    : `which rejected our token on ${on} (it answers a wrong token only within a budget a flood can use up)`;
  return `got no answer from the portolan responder, ${which}: the silence may be the responder's, not the path's`;
}

/** What settles silence `busyResponderWords` explains. */
export function busyResponderAdvice(busy: Observation): string {
  return `Check again when it is quiet${busy.responder === 'wrong-token' ? ', with the token `portolan listen` printed' : ''}.`;
}

export interface RootCauseContext {
  /** The application name of the first affected row ("SMB"). */
  application: string;
  /** The deciding observations first (see `RootCause.observations`). */
  observations: Observation[];
  /** The verdicts of the affected rows, in the order of `affects`. */
  verdicts: ExpectationVerdict[];
  /** The target's `error` (name did not resolve). */
  targetError: string | null;
  timeoutMs: number;
  /** The responder whose load or rejected token makes the deciding UDP silence prove nothing (`busyResponder`). */
  busyResponder?: Observation | null;
}

/** One sentence for a root cause: what the network did, and what it breaks. */
export function describeRootCause(c: Omit<RootCause, 'explanation'>, ctx: RootCauseContext): string {
  const primary = ctx.observations[0];
  const counted = c.affects.filter((a) => !a.absent && a.status !== 'pass');
  const breaks = namesList(counted.filter((a) => a.requirement === 'required').map((a) => a.serviceName));
  const others = namesList(
    c.affects
      .filter(
        (a) =>
          a.requirement !== 'required' &&
          !counted.some((r) => r.requirement === 'required' && r.serviceName === a.serviceName),
      )
      .map((a) => a.serviceName),
  );
  const place = where(c.target, c.addresses.length === 1 ? (c.addresses[0] as string) : null);
  if (c.scope === 'host') return hostWords(c, ctx, place, breaks);
  const subject = `${portLabel({ ...c, application: ctx.application, protocol: c.protocol ?? 'tcp' })} on ${place}`;
  if (c.exposed)
    return ctx.verdicts.find((v) => v.negative && v.status === 'fail')?.explanation ?? `${subject} answered.`;
  const what =
    c.scope === 'range'
      ? rangeWords(ctx.observations)
      : primary
        ? `is ${primary.state} (${causeReasonWords(c, primary, ctx.timeoutMs)})`
        : 'was not probed';
  switch (c.severity) {
    case 'outage':
      return `${subject} ${what}: it breaks ${breaks}${others ? `; optional here: ${others}` : ''}.`;
    case 'inconclusive': {
      const works = `cannot tell whether ${breaks} work${counted.length === 1 ? 's' : ''}`;
      const busy = ctx.busyResponder;
      if (busy) return `${subject} ${busyResponderWords(busy)}; ${works}. ${busyResponderAdvice(busy)}`;
      return `${subject} ${what}: ${works}. ${settleWords(primary)}`;
    }
    case 'waived': {
      const w = ctx.verdicts.find((v) => v.waiver)?.waiver;
      return `${subject} ${what}; waived${w ? ` until ${w.expires} (owner ${w.owner}): ${w.reason}` : ''}.`;
    }
    case 'notice':
      return noticeWords(c, subject, what, primary, ctx.timeoutMs);
  }
}

/**
 * What the deciding probe got back, for a root cause: UDP silence that fails a required row
 * does so because the same service answered over TCP (see `judgeOne`), which is said.
 */
export function causeReasonWords(c: Pick<RootCause, 'severity' | 'state'>, o: Observation, timeoutMs: number): string {
  const words = reasonWords(o, timeoutMs);
  return c.severity === 'outage' && c.state === 'open|filtered'
    ? `${words}; the same service answers over TCP, so the UDP path is most likely filtered`
    : words;
}

function hostWords(c: Omit<RootCause, 'explanation'>, ctx: RootCauseContext, place: string, breaks: string): string {
  const ports = portCount(ctx.observations);
  switch (c.host) {
    case 'unresolved':
      return `${ctx.targetError ?? `${c.target} did not resolve`}: none of its ${c.affects.length} rows was probed.`;
    case 'wrong-token': {
      const rejected = portCount(ctx.observations.filter((o) => o.responder === 'wrong-token'));
      const silent = portCount(ctx.observations.filter((o) => o.responder === undefined));
      const silence = silent
        ? `; the silence of ${silent} UDP port${silent === 1 ? '' : 's'} proves nothing either, since it answers a wrong token only within a budget`
        : '';
      return `The portolan responder on ${place} rejected our token on ${rejected} port${rejected === 1 ? '' : 's'}: those paths are open, but nothing is proven until the check uses the token \`portolan listen\` printed (--token or $PORTOLAN_RESPONDER_TOKEN)${silence}.`;
    }
    case 'clock-skew':
      return `The portolan responder on ${place} answered with our token on ${ports} port${ports === 1 ? '' : 's'}, but the clocks differ too much: set both clocks right and check again.`;
    case 'unreachable':
      return `${describeUnreachable(c.target, c.addresses)}${breaks ? ` It breaks ${breaks}.` : ''}`;
    default: {
      const echo = ctx.observations.some((o) => o.protocol === 'icmp') ? ' and no echo reply' : '';
      return (
        `Nothing on ${place} answered: no handshake, reset or reply on ${ports} port${ports === 1 ? '' : 's'}${echo}. ` +
        `The host is down, its name points at the wrong address, or a firewall drops everything from this source${breaks ? `; it breaks ${breaks}` : ''}.`
      );
    }
  }
}

/** How many (protocol, port) endpoints `observations` probed. */
function portCount(observations: readonly Observation[]): number {
  return new Set(observations.map((o) => `${o.protocol}/${o.port ?? ''}`)).size;
}

function noticeWords(
  c: Omit<RootCause, 'explanation'>,
  subject: string,
  what: string,
  primary: Observation | undefined,
  timeoutMs: number,
): string {
  if (c.state === 'untestable' && primary) return `${c.target}: ${reasonWords(primary, timeoutMs)}`;
  const absent = c.affects.filter((a) => a.absent).map((a) => a.serviceName);
  if (absent.length > 0 && absent.length === c.affects.length) {
    return `${subject} ${what}: ${namesList(absent)} ${absent.length === 1 ? 'is' : 'are'} not installed there (every port refused). Optional here, so a notice, not a fault; a host firewall that rejects connections looks the same.`;
  }
  const switches = [...new Set(c.affects.flatMap((a) => a.switchesOff ?? []))];
  const hint = switches.length
    ? ` Turn it on with ${switches.map((s) => `--with ${s}`).join(' or ')} where it applies.`
    : '';
  return `${subject} ${what}; only optional rows use it here (${namesList(c.affects.map((a) => a.serviceName))}), so this is a notice, not an outage.${hint}`;
}

function rangeWords(observations: Observation[]): string {
  const count = (s: string) => observations.filter((o) => o.state === s).length;
  const tally = ['filtered', 'closed', 'open|filtered', 'error', 'open']
    .filter((s) => count(s) > 0)
    .map((s) => `${count(s)} ${s}`)
    .join(', ');
  const discovered = observations.some((o) => o.portChoice?.kind === 'discovered');
  const basis = discovered ? 'ports the endpoint mapper listed' : `${observations.length} sampled ports`;
  return count('filtered') > 0 ? `is blocked (${basis}: ${tally})` : `gave no definite answer (${basis}: ${tally})`;
}

/** What would settle an inconclusive port. */
function settleWords(o: Observation | undefined): string {
  if (!o) return 'It was not probed.';
  if (o.responder && o.responder !== 'verified') return `${capitalise(responderWords(o.responder))}.`;
  if (o.state === 'error') return `Local error: ${o.error ?? o.reason}.`;
  return settleSilence(o);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The run's headline from the tally of its root causes: what is broken, where, and what it breaks. */
export function headlineWords(status: ComplianceStatus, facts: HeadlineFacts): string {
  if (status === 'non-compliant' && facts.outage.count > 0) return outageHeadline(facts.outage);
  if (status === 'inconclusive' && facts.inconclusive.count > 0) return unsureHeadline(facts.inconclusive);
  const troubled = facts.notices;
  return `Every required port answered as expected.${troubled.count ? ` Notices about optional parts: ${sampleList(troubled)}.` : ''}`;
}

function outageHeadline(outage: SeverityFacts): string {
  const services = namesList(outage.services, 3);
  const { ports } = outage;
  const silent = outage.hosts['no-answer'];
  const nobody = outage.hosts.unreachable;
  if (ports.count > 0 && ports.allExposed) {
    return `${ports.count} port${plural(ports.count)} on ${targetsText(ports.targets)} answer${ports.count === 1 ? 's' : ''} where a plan requires ${ports.count === 1 ? 'it' : 'them'} blocked.`;
  }
  const adjective = ports.allFiltered ? 'blocked' : ports.allClosed ? 'refused' : 'failing';
  const portPart = ports.count
    ? `${ports.count} ${adjective} port${plural(ports.count)} on ${targetsText(ports.targets)}`
    : '';
  if (!silent && !nobody) return `${portPart} break${ports.count === 1 ? 's' : ''} ${services}.`;
  const silentPart = silent ? `nothing answered on ${targetsText(silent)}` : '';
  const nobodyPart = nobody ? `no host answered at ${targetsText(nobody)}` : '';
  return `${capitalise([portPart, nobodyPart, silentPart].filter(Boolean).join('; '))}: this breaks ${services}.`;
}

function unsureHeadline(unsure: SeverityFacts): string {
  const { ports } = unsure;
  const parts = [
    ports.count
      ? `${ports.count} required port${plural(ports.count)} on ${targetsText(ports.targets)} gave no definite answer`
      : '',
    hostPart(unsure, 'wrong-token', (t) => `the responder on ${t} rejected our token`),
    hostPart(unsure, 'clock-skew', (t) => `the responder on ${t} has a clock too far off`),
    hostPart(unsure, 'unresolved', (t) => `${t} did not resolve`),
  ].filter(Boolean);
  const services = unsure.services;
  return `Inconclusive: ${parts.join('; ')}${services.length ? ` (${namesList(services, 3)} cannot be judged)` : ''}.`;
}

function hostPart(facts: SeverityFacts, host: HostProblem, words: (targets: string) => string): string {
  const targets = facts.hosts[host];
  return targets ? words(targetsText(targets)) : '';
}

/** "dc1", "dc1 and dc2", "dc1, dc2 and dc3", or "12 targets". */
function targetsText(targets: Sample): string {
  return targets.count > 3 ? `${targets.count} targets` : namesList(targets.first, 3);
}

/** As `namesList(all, 3)` would word the whole list, from its count and first three. */
function sampleList(sample: Sample): string {
  if (sample.count <= 3) return namesList(sample.first, 3);
  return `${sample.first.slice(0, 2).join(', ')} and ${sample.count - 2} more`;
}

function plural(count: number): string {
  return count === 1 ? '' : 's';
}
