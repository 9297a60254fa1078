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
import type { PlatformLimit, RunNote } from '../model.js';

/** A refused connect on Windows takes about 2 s (three SYNs, each answered by a reset), plus round trips. */
export const WINDOWS_TCP_FLOOR_MS = 3000;

/** On a platform that cannot see ICMP port unreachable, UDP silence carries this fact (analyze/describe.ts says it). */
export function udpSilenceLimit(platform: NodeJS.Platform): PlatformLimit | null {
  return platform === 'win32' ? 'icmp-port-unreachable-unseen' : null;
}

/** The TCP connect timeout to use: the run's, raised on Windows to outlast its retries after a reset. */
export function tcpConnectTimeoutMs(timeoutMs: number, platform: NodeJS.Platform): number {
  return platform === 'win32' ? Math.max(timeoutMs, WINDOWS_TCP_FLOOR_MS) : timeoutMs;
}

/** The run note when the TCP timeout was raised; null when it was not. */
export function tcpTimeoutNote(timeoutMs: number, platform: NodeJS.Platform): RunNote | null {
  const usedMs = tcpConnectTimeoutMs(timeoutMs, platform);
  return usedMs === timeoutMs ? null : { kind: 'tcp-timeout-raised', askedMs: timeoutMs, usedMs };
}
