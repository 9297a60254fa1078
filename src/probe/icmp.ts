/**
 * ICMP echo through the system `ping` (raw sockets need privileges Node does not have):
 * one process per host, not per port. Reply -> `open`; none -> `filtered`; no ping
 * binary or no permission -> `untestable` with the reason.
 */
import { execFile } from 'node:child_process';
import { isIPv6 } from 'node:net';
import type { ProbeState, Reason } from '../model.js';

export interface PingResult {
  state: ProbeState;
  reason: Reason;
  rttMs: number | null;
  attempts: number;
  error: string | null;
}

export interface PingOptions {
  address: string;
  count: number;
  timeoutMs: number;
  localAddress?: string;
  signal: AbortSignal;
  /** For tests: another ping binary. */
  binary?: string;
  platform?: NodeJS.Platform;
}

/** Flags for iputils (Linux), Windows and BSD/macOS ping. */
export function pingArgs(
  o: Pick<PingOptions, 'address' | 'count' | 'timeoutMs' | 'localAddress'>,
  platform: NodeJS.Platform,
): string[] {
  const v6 = isIPv6(o.address);
  if (platform === 'win32') {
    return [
      v6 ? '-6' : '-4',
      '-n',
      String(o.count),
      '-w',
      String(o.timeoutMs),
      ...(o.localAddress ? ['-S', o.localAddress] : []),
      o.address,
    ];
  }
  const seconds = Math.max(1, Math.ceil(o.timeoutMs / 1000));
  if (platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd') {
    return [
      '-n',
      '-c',
      String(o.count),
      '-W',
      String(o.timeoutMs),
      ...(o.localAddress ? ['-S', o.localAddress] : []),
      o.address,
    ];
  }
  return [
    ...(v6 ? ['-6'] : ['-4']),
    '-n',
    '-c',
    String(o.count),
    '-i',
    '0.2',
    '-W',
    String(seconds),
    ...(o.localAddress ? ['-I', o.localAddress] : []),
    o.address,
  ];
}

export function ping(opts: PingOptions): Promise<PingResult> {
  const platform = opts.platform ?? process.platform;
  const args = pingArgs(opts, platform);
  return new Promise((resolve) => {
    execFile(
      opts.binary ?? 'ping',
      args,
      { timeout: opts.timeoutMs * opts.count + 3000, signal: opts.signal, env: { ...process.env, LC_ALL: 'C' } },
      (err, stdout, stderr) => {
        const rtt = parseRtt(stdout);
        if (rtt !== null) {
          return resolve({ state: 'open', reason: 'reply', rttMs: rtt, attempts: opts.count, error: null });
        }
        const code = (err as (NodeJS.ErrnoException & { code?: unknown }) | null)?.code;
        if (code === 'ENOENT') {
          return resolve(untestable(`no \`ping\` binary on this machine (install iputils-ping)`));
        }
        if (code === 'ABORT_ERR') {
          return resolve({ state: 'error', reason: 'aborted', rttMs: null, attempts: 0, error: 'the run was stopped' });
        }
        const text = `${stderr}`.trim();
        if (/not permitted|permission denied|operation not permitted/i.test(text)) {
          return resolve(untestable(`ping is not permitted here: ${firstLine(text)}`));
        }
        // iputils exits 1 when no reply came, 2 on other errors (bad interface, name ...).
        if (typeof code === 'number' && code >= 2 && text) {
          return resolve({
            state: 'error',
            reason: 'local-error',
            rttMs: null,
            attempts: opts.count,
            error: firstLine(text),
          });
        }
        resolve({ state: 'filtered', reason: 'no-reply', rttMs: null, attempts: opts.count, error: null });
      },
    );
  });
}

/** "time=0.022 ms" (iputils, BSD) or "time<1ms" / "time=3ms" (Windows). */
export function parseRtt(stdout: string): number | null {
  const m = /time[=<]\s*([\d.]+)\s*ms/i.exec(stdout);
  return m ? Number(m[1]) : null;
}

function untestable(error: string): PingResult {
  return { state: 'untestable', reason: 'no-permission', rttMs: null, attempts: 0, error };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
