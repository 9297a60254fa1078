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
        : o.platformLimit === 'icmp-port-unreachable-unseen'
          ? `no reply to ${datagrams(o.attempts)}: a listener that ignored us, a drop, or a closed port (this platform cannot see ICMP port unreachable)`
          : `no reply to ${datagrams(o.attempts)}: a listener that ignored us, or a drop`,
    responder: 'the portolan responder verified the nonce',
    'resolve-failed': 'the name did not resolve',
    'local-error': `local error: ${o.error ?? 'unknown'}`,
    aborted: 'the run was stopped first',
    'not-probed': o.error ?? 'cannot be tested by connecting',
    'no-permission': o.error ?? 'no permission to send ICMP',
  };
  return words[o.reason];
}

const datagrams = (n: number): string => `${n} datagram${n === 1 ? '' : 's'}`;

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
