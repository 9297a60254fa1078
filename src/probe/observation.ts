/**
 * The one place an Observation is built. The engine hands over everything a probe found
 * (the deciding exchange, the module's recognition, follow-up recognitions, how a range
 * port was chosen, responder mode) and gets back a complete, frozen Observation: nothing
 * later in the engine, the analyzer or a renderer can change it.
 *
 * Evidence is what modules said; the typed facts (`portChoice`, `responder`,
 * `everyServerAnswers`) carry what the engine knows, for `analyze/describe.ts` to put into words.
 * Everything a module or the network said is untrusted text: here, where it becomes the
 * observation, each line is made printable (`printableText`: no NUL, ESC or C1 byte) and cut
 * to MAX_LINE_TEXT, and each list to MAX_LINES with "and N more", whatever a module forgot.
 */

import type {
  Observation,
  PlatformLimit,
  PortChoice,
  ProbeState,
  Reason,
  ResponderOutcome,
  Transport,
} from '../model.js';
import { boundedList, printableText } from '../printable.js';
import type { Recognition, UdpProtocol } from '../protocols/types.js';

/** Evidence lines, warnings and interface names kept per observation; the rest are counted. */
export const MAX_LINES = 16;
/** Characters kept of one evidence line, warning or error. */
export const MAX_LINE_TEXT = 500;

const cleanLines = (items: readonly string[], what: string) =>
  boundedList(
    items.map((line) => printableText(line, MAX_LINE_TEXT)),
    MAX_LINES,
    what,
  );

/** Which probe: the target as named, the address and (protocol, port). */
export interface ProbeSite {
  target: string;
  /** Null for a target whose name did not resolve. */
  address: string | null;
  protocol: Transport;
  port: number | null;
}

/** The exchange that decided the state. */
export interface Exchange {
  state: ProbeState;
  reason: Reason;
  rttMs: number | null;
  attempts: number;
  error: string | null;
  /** What the transport itself established (ICMP: which reply facts decided it). */
  evidence?: string[];
}

/** A module's conversation on the port: its id and what it made of the reply (null: no reply to read). */
export interface Conversation {
  module: Pick<UdpProtocol, 'id'> &
    Partial<Pick<UdpProtocol, 'silentByDesign' | 'replyFromOtherPort' | 'everyServerAnswers'>>;
  recognition: Recognition | null;
  /** Further modules of the port that ran once the first confirmed the service (SNMP v2c after v3). */
  followUps?: { id: string; describe: string; recognition: Recognition | null }[];
}

export interface ObservationFacts {
  portChoice?: PortChoice;
  /** What the prober's platform could not see on this probe. */
  platformLimit?: PlatformLimit;
  /** `check --responder`: the responder modules spoke, and UDP silence means the path drops. */
  responderMode?: boolean;
}

/** Everything one probe found: what `buildObservation` makes the observation from. */
export interface Finding {
  site: ProbeSite;
  exchange: Exchange;
  conversation: Conversation | null;
  facts?: ObservationFacts | undefined;
}

export function buildObservation(
  site: ProbeSite,
  exchange: Exchange,
  conversation: Conversation | null,
  facts: ObservationFacts = {},
): Observation {
  const recognition = conversation?.recognition ?? null;
  let state = exchange.state;
  const evidence: string[] = [...(exchange.evidence ?? [])];
  const warnings: string[] = [];
  if (recognition) {
    if (!recognition.valid) {
      evidence.push(`${conversation?.module.id}: ${noReplyWords(site.protocol)} (${recognition.reason})`);
    }
    evidence.push(...recognition.evidence);
    warnings.push(...(recognition.warnings ?? []));
  } else if (state === 'open|filtered' && conversation) {
    if (facts.responderMode) {
      // The responder answers every well-formed probe: its silence means the path drops them.
      state = 'filtered';
    } else if (conversation.module.silentByDesign) {
      evidence.push(conversation.module.silentByDesign);
    } else if (conversation.module.replyFromOtherPort) {
      evidence.push(
        `${conversation.module.id} answers from another port: a stateful firewall or NAT in front of the prober drops that answer`,
      );
    }
  }
  for (const f of conversation?.followUps ?? []) {
    if (f.recognition?.valid) evidence.push(...f.recognition.evidence);
    else evidence.push(`${f.id}: no reply to the follow-up (${f.recognition?.reason ?? f.describe})`);
    warnings.push(...(f.recognition?.warnings ?? []));
  }
  const responder = facts.responderMode && state === 'open' ? responderOutcome(recognition) : undefined;
  const observation: Observation = {
    target: site.target,
    address: site.address,
    protocol: site.protocol,
    port: site.port,
    state,
    reason: responder === 'verified' ? 'responder' : exchange.reason,
    rttMs: round(exchange.rttMs),
    attempts: exchange.attempts,
    evidence: cleanLines(evidence, 'evidence lines'),
    warnings: cleanLines(warnings, 'warnings'),
    module: conversation?.module.id ?? null,
    ...(recognition ? { confirmed: recognition.valid } : {}),
    ...(facts.platformLimit ? { platformLimit: facts.platformLimit } : {}),
    error: exchange.error === null ? null : printableText(exchange.error, MAX_LINE_TEXT),
    ...(facts.portChoice ? { portChoice: cleanChoice(facts.portChoice) } : {}),
    ...(responder ? { responder } : {}),
    ...(responder === 'verified' && recognition?.responderShedding ? { responderShedding: true as const } : {}),
    ...(site.protocol === 'udp' && conversation?.module.everyServerAnswers
      ? { everyServerAnswers: true as const }
      : {}),
  };
  return freeze(observation);
}

/** An IP protocol (GRE, ESP, AH) that no connection can test; `describe.ts` says what would settle it. */
export function untestableObservation(target: string, address: string, ipProtocol: number | null): Observation {
  return freeze({
    target,
    address,
    protocol: 'ip',
    port: null,
    ipProtocol,
    state: 'untestable',
    reason: 'not-probed',
    rttMs: null,
    attempts: 0,
    evidence: [],
    warnings: [],
    module: null,
    error: null,
  });
}

/** A row of a target whose name did not resolve: `error`, with the resolver's words. */
export function unresolvedObservation(site: ProbeSite, words: string): Observation {
  return buildObservation(
    site,
    { state: 'error', reason: 'resolve-failed', rttMs: null, attempts: 0, error: words },
    null,
  );
}

/** The interface names a mapper reported are its text too. */
function cleanChoice(choice: PortChoice): PortChoice {
  return choice.kind === 'discovered' ? { ...choice, interfaces: cleanLines(choice.interfaces, 'interfaces') } : choice;
}

function responderOutcome(recognition: Recognition | null): ResponderOutcome {
  if (recognition?.valid) return 'verified';
  return recognition?.responder ?? 'other-service';
}

function noReplyWords(protocol: Transport): string {
  return protocol === 'udp' ? 'unrecognised reply' : 'no recognisable reply';
}

/** Round trips to the microsecond: enough for any report, and stable JSON. */
function round(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 1000) / 1000;
}

function freeze(o: Observation): Observation {
  Object.freeze(o.evidence);
  Object.freeze(o.warnings);
  if (o.portChoice) {
    if (o.portChoice.kind === 'discovered') Object.freeze(o.portChoice.interfaces);
    Object.freeze(o.portChoice);
  }
  return Object.freeze(o);
}
