/**
 * Words for states and reasons, shared by verdict explanations and every report.
 * PortQry's words are the aliases Windows administrators already know.
 */
import type { Expectation, Observation, ProbeState, Reason } from '../model.js';

export const PORTQRY_ALIAS: Record<ProbeState, string> = {
  open: 'LISTENING',
  closed: 'NOT LISTENING',
  filtered: 'FILTERED',
  'open|filtered': 'LISTENING or FILTERED',
  error: 'ERROR',
  untestable: 'UNTESTABLE',
};

export const STATE_SYMBOL: Record<ProbeState, string> = {
  open: '✔',
  closed: '✖',
  filtered: '⛔',
  'open|filtered': '?',
  error: '!',
  untestable: '–',
};

export function reasonWords(o: Observation, timeoutMs: number): string {
  const words: Record<Reason, string> = {
    'syn-ack': 'handshake completed',
    rst: 'connection reset: nothing listening, or a host firewall rejecting',
    timeout: `no answer in ${timeoutMs} ms`,
    'icmp-unreachable': 'ICMP unreachable came back',
    'icmp-admin-prohibited': 'ICMP administratively prohibited came back',
    'icmp-port-unreachable': 'ICMP port unreachable: nothing listening',
    reply: o.protocol === 'icmp' ? 'echo reply' : 'the protocol answered',
    'unrecognised-reply': 'something answered, but not with the protocol asked for',
    'no-reply':
      o.protocol === 'icmp'
        ? 'no echo reply'
        : `no reply to ${o.attempts} datagram${o.attempts === 1 ? '' : 's'}: a listener that ignored us, or a drop`,
    responder: 'the portolan responder verified the nonce',
    'resolve-failed': 'the name did not resolve',
    'local-error': `local error: ${o.error ?? 'unknown'}`,
    aborted: 'the run was stopped first',
    'not-probed': o.error ?? 'cannot be tested by connecting',
    'no-permission': o.error ?? 'no permission to send ICMP',
  };
  return words[o.reason];
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
