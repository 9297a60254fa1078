/**
 * The lab's ground truth: which probe states are correct for (target, source, protocol, port),
 * derived only from what the lab configured (its nftables rules) and what the kernel reports
 * listening (ss), never from portolan's output.
 */
import type { ProbeState, Transport } from '../../src/model.js';
import { evaluate, type Firewall } from './firewall.js';
import { type Listener, listenerFor } from './listeners.js';

export interface Expected {
  /** Every state a correct prober may report; `open` appears only where something listens. */
  states: ProbeState[];
  why: string;
}

export interface TargetTruth {
  address: string;
  firewall: Firewall;
  listeners: Listener[];
}

export function expectedFor(target: TargetTruth, source: string, protocol: Transport, port: number | null): Expected {
  // Bare IP protocols (GRE, ESP, AH) cannot be tested by connecting: portolan must say so, whatever the filter.
  if (protocol === 'ip') return { states: ['untestable'], why: 'IP protocols are not probed' };
  const verdict = evaluate(target.firewall, source, protocol, port);
  if (verdict.kind === 'drop') {
    const states: ProbeState[] = protocol === 'udp' ? ['open|filtered', 'filtered'] : ['filtered'];
    return { states, why: `dropped: ${verdict.why}` };
  }
  if (verdict.kind === 'reject-icmp') return { states: ['filtered'], why: `ICMP admin-prohibited: ${verdict.why}` };
  if (verdict.kind === 'reset') return { states: ['closed'], why: `TCP reset by the filter: ${verdict.why}` };
  if (protocol === 'icmp') return { states: ['open'], why: 'echo is answered' };
  if (port === null) return { states: ['untestable'], why: 'a port range, not one port' };
  const listener = listenerFor(target.listeners, protocol, target.address, port);
  if (listener === undefined) return { states: ['closed'], why: `nothing listens on ${protocol}/${port}` };
  const who = `${listener.process ?? 'a process'} listens on ${listener.address}:${port}`;
  // A UDP listener may ignore a datagram it does not understand (discard never answers): silence is correct too.
  return protocol === 'tcp' ? { states: ['open'], why: who } : { states: ['open', 'open|filtered'], why: who };
}
