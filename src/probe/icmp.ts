/**
 * ICMP echo through the system `ping` (raw sockets need privileges Node does not have):
 * one process per host, not per port. Reply -> `open`; none, or a router's unreachable ->
 * `filtered`; no ping binary or no permission -> `untestable` with the reason. What counts
 * as a reply is decided in ping-output.ts, from facts no UI language changes.
 */
import { execFile } from 'node:child_process';
import { isIPv6 } from 'node:net';
import type { ProbeState, Reason } from '../model.js';
import { whereToGet } from '../platform/tools.js';
import { decideEcho, decodePingOutput } from './ping-output.js';

export interface PingResult {
  state: ProbeState;
  reason: Reason;
  rttMs: number | null;
  attempts: number;
  /** Who answered instead of the target (a router's unreachable), in words. */
  evidence: string[];
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

/** Flags for iputils (Linux), Windows and BSD/macOS ping (macOS IPv6: ping6, see `pingBinary`). */
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
    // macOS ping6 has no reply timeout (its -W asks a node-information query): our deadline ends it.
    const wait = platform === 'darwin' && v6 ? [] : ['-W', String(o.timeoutMs)];
    return ['-n', '-c', String(o.count), ...wait, ...(o.localAddress ? ['-S', o.localAddress] : []), o.address];
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

/** `ping` everywhere except macOS IPv6, whose `ping` cannot and whose `ping6` can. */
export function pingBinary(address: string, platform: NodeJS.Platform): string {
  return platform === 'darwin' && isIPv6(address) ? 'ping6' : 'ping';
}

export function ping(opts: PingOptions): Promise<PingResult> {
  const platform = opts.platform ?? process.platform;
  const args = pingArgs(opts, platform);
  return new Promise((resolve) => {
    execFile(
      opts.binary ?? pingBinary(opts.address, platform),
      args,
      {
        timeout: opts.timeoutMs * opts.count + 3000,
        // iputils and BSD ping print what they saw on SIGINT; macOS ping6 has no per-reply timeout of its own.
        killSignal: platform === 'win32' ? 'SIGTERM' : 'SIGINT',
        signal: opts.signal,
        encoding: 'buffer',
        // iputils translates its messages; Windows' ping.exe ignores this (ping-output.ts copes with its languages).
        env: { ...process.env, LC_ALL: 'C' },
      },
      (err, stdout, stderr) => {
        const code = (err as (NodeJS.ErrnoException & { code?: unknown }) | null)?.code;
        if (code === 'ENOENT') {
          return resolve(untestable(`no \`ping\` binary on this machine (${whereToGet('ping', platform)})`));
        }
        if (code === 'ABORT_ERR') {
          return resolve({ ...NOTHING, state: 'error', reason: 'aborted', error: 'the run was stopped' });
        }
        const decided = decideEcho({
          stdout: decodePingOutput(stdout, platform),
          stderr: decodePingOutput(stderr, platform),
          exitCode: typeof code === 'number' ? code : err ? null : 0,
          platform,
          address: opts.address,
        });
        resolve({ ...decided, attempts: decided.state === 'untestable' ? 0 : opts.count });
      },
    );
  });
}

const NOTHING = { rttMs: null, attempts: 0, evidence: [], error: null };

function untestable(error: string): PingResult {
  return { ...NOTHING, state: 'untestable', reason: 'no-permission', error };
}
