/**
 * The one place where socket errors become probe states (style.md point 5). A refused
 * connection is never folded into filtered: for a firewall validator that difference
 * is the finding.
 */
import type { ProbeState, Reason } from '../model.js';

export interface Outcome {
  state: ProbeState;
  reason: Reason;
  error: string | null;
}

export function outcomeOfError(err: unknown, transport: 'tcp' | 'udp'): Outcome {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return transport === 'tcp'
        ? { state: 'closed', reason: 'rst', error: null }
        : { state: 'closed', reason: 'icmp-port-unreachable', error: null };
    case 'ETIMEDOUT':
      return { state: 'filtered', reason: 'timeout', error: null };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return { state: 'filtered', reason: 'icmp-unreachable', error: null };
    case 'EACCES':
      return { state: 'filtered', reason: 'icmp-admin-prohibited', error: null };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { state: 'error', reason: 'resolve-failed', error: message };
    case 'ABORT_ERR':
      return { state: 'error', reason: 'aborted', error: 'the run was stopped before this probe finished' };
    default:
      // EMFILE, EADDRNOTAVAIL, EPERM (a local firewall), ENOBUFS ...: our side failed, not the network.
      return { state: 'error', reason: 'local-error', error: code ? `${code}: ${message}` : message };
  }
}
