/**
 * What the prober's own platform hides or slows down, so that observations and verdicts can
 * say so instead of blaming the network. The platform is a parameter everywhere, so tests on
 * Linux cover the Windows behaviour.
 *
 * - UDP on Windows: Windows reports an ICMP port unreachable as WSAECONNRESET on the socket,
 *   and libuv discards it (libuv issue 5242, open), so Node never sees it: a closed UDP port
 *   is silent and reads `open|filtered`. No well-kept npm package sees it either: raw-socket
 *   and net-ping are old native addons that need a compiler and administrator rights, which a
 *   default install must not need. What settles such a port is the responder on the target or
 *   a run from Linux or macOS.
 * - TCP on Windows: after a reset, Windows sends the SYN again (twice) before it reports the
 *   connection refused, about 2 s later (nmap issue 2113). A connect timeout shorter than that
 *   turns every closed port into `filtered`, so connects wait at least `WINDOWS_TCP_FLOOR_MS`.
 */
import type { PlatformLimit } from '../model.js';

/** A refused connect on Windows takes about 2 s (three SYNs, each answered by a reset), plus round trips. */
export const WINDOWS_TCP_FLOOR_MS = 3000;

/** Why the limit matters, for the observation's evidence. */
const UDP_UNSEEN =
  'this platform (Windows) cannot see ICMP port unreachable: Node never receives it (libuv issue 5242), so a closed UDP port is as silent as a filtered one';

/** On a platform that cannot see ICMP port unreachable, UDP silence carries this fact and evidence line. */
export function udpSilenceLimit(platform: NodeJS.Platform): { platformLimit: PlatformLimit; evidence: string } | null {
  return platform === 'win32' ? { platformLimit: 'icmp-port-unreachable-unseen', evidence: UDP_UNSEEN } : null;
}

/** The TCP connect timeout to use: the run's, raised on Windows to outlast its retries after a reset. */
export function tcpConnectTimeoutMs(timeoutMs: number, platform: NodeJS.Platform): number {
  return platform === 'win32' ? Math.max(timeoutMs, WINDOWS_TCP_FLOOR_MS) : timeoutMs;
}

/** The run note when the TCP timeout was raised; null when it was not. */
export function tcpTimeoutNote(timeoutMs: number, platform: NodeJS.Platform): string | null {
  const used = tcpConnectTimeoutMs(timeoutMs, platform);
  if (used === timeoutMs) return null;
  return `TCP connects waited ${used} ms instead of ${timeoutMs} ms: Windows retries a connection for about 2 s after a reset before it reports it refused, and a shorter wait would read closed ports as filtered.`;
}
