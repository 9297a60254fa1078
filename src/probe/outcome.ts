/**
 * The one place where socket errors become probe states (style.md point 5). A refused
 * connection is never folded into filtered: for a firewall validator that difference
 * is the finding.
 *
 * Host unreachable (EHOSTUNREACH) means two things: a firewall's reject (ICMP
 * admin-prohibited or host-unreachable, within a round trip) or no host at the address at all
 * (neighbour discovery gave up, a second or more after the first packet: Linux asks three
 * times a second apart). Only the second is `host-unreachable`; with no route at all
 * (ENETUNREACH) nothing answers there either.
 */
import type { ProbeState, Reason } from '../model.js';

export interface Outcome {
  state: ProbeState;
  reason: Reason;
  error: string | null;
}

/** A probe the run was stopped before it finished. */
export const ABORTED: Outcome = {
  state: 'error',
  reason: 'aborted',
  error: 'the run was stopped before this probe finished',
};

/** An EHOSTUNREACH this long after the packet left is neighbour discovery giving up, not a reject. */
export const NEIGHBOUR_FAILURE_MS = 1000;

/** `elapsedMs`: from the connect or datagram to the error. */
export function outcomeOfError(err: unknown, transport: 'tcp' | 'udp', elapsedMs = 0): Outcome {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return transport === 'tcp'
        ? { state: 'closed', reason: 'rst', error: null }
        : { state: 'closed', reason: 'icmp-port-unreachable', error: null };
    case 'ETIMEDOUT':
      return { state: 'filtered', reason: 'timeout', error: null };
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return { state: 'filtered', reason: 'host-unreachable', error: null };
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
      return elapsedMs >= NEIGHBOUR_FAILURE_MS
        ? { state: 'filtered', reason: 'host-unreachable', error: null }
        : { state: 'filtered', reason: 'icmp-unreachable', error: null };
    case 'EACCES':
      return { state: 'filtered', reason: 'icmp-admin-prohibited', error: null };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { state: 'error', reason: 'resolve-failed', error: message };
    case 'ABORT_ERR':
      return ABORTED;
    default:
      // EMFILE, EADDRNOTAVAIL, EPERM (a local firewall), ENOBUFS ...: our side failed, not the network.
      return { state: 'error', reason: 'local-error', error: code ? `${code}: ${message}` : message };
  }
}
