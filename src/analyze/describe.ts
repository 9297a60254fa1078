/**
 * Where facts become words: reasons, port labels, run notes, the engine's typed facts on an
 * observation (how a range port was chosen, what answered a responder probe) and what would
 * settle an untestable IP protocol. Verdict explanations and every report take their words
 * from here, so no stage passes sentences to another to be parsed again.
 */
import { formatDuration } from '../duration.js';
import type { Expectation, Observation, Reason, ResponderOutcome, RunNote, WaiverRef } from '../model.js';
import { whereToGet } from '../platform/tools.js';
import type { TargetProblem } from '../targets/resolve.js';

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

/** "LDAP 389/tcp", "ICMP echo", "GRE (IP protocol 47)". */
export function portLabel(e: Pick<Expectation, 'application' | 'protocol' | 'port' | 'range' | 'ipProtocol'>): string {
  if (e.protocol === 'icmp') return `${e.application} (ICMP echo)`;
  if (e.protocol === 'ip') return `${e.application} (IP protocol ${e.ipProtocol})`;
  return `${e.application} ${e.port ?? e.range}/${e.protocol}`;
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

/** One sentence per note, as `run.notes` carries them. */
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
  }
}

/** "445/tcp smb on dc1.corp.example": what a waiver covers. */
function waiverWords(w: Pick<WaiverRef, 'port' | 'service' | 'target'>): string {
  return [w.port, w.service, w.target && `on ${w.target}`].filter(Boolean).join(' ');
}
