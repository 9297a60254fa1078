/**
 * Reading the system `ping`'s output: did the target send an echo reply? Pure (text and exit
 * status in, a decision out); the spawning is in icmp.ts.
 *
 * Windows' ping.exe prints in the system's UI language and ignores LC_ALL ("Antwort von
 * 10.0.0.5: Bytes=32 Zeit=1ms TTL=128", "10.0.0.5 からの応答: バイト数 =32 時間 <1ms TTL=128"),
 * in the console's OEM code page. So the decision rests only on what no translation changes:
 * - a reply line names the target's address and carries `TTL=`/`ttl=` (Windows, iputils,
 *   BSD) or `hlim=` (BSD ping6); Windows prints no TTL for IPv6, so there a line that names
 *   the target and carries a time (`=2ms`, `<1ms`) is the reply;
 * - a router's "destination host unreachable" or "TTL expired" names the router, not the
 *   target, and carries neither: it is never a reply, although Windows exits 0 for it;
 * - the exit status is the second signal: iputils and BSD exit 0 only after a real echo reply
 *   (so 0 with an unreadable line is still a reply); Windows' 0 proves nothing.
 * Only ASCII is relied on (`=`, `<`, digits, `TTL`, addresses), which survives any code page:
 * the bytes are read as latin1 so no multi-byte sequence can swallow them.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { ProbeState, Reason } from '../model.js';

/** What ping did, as the spawner saw it. */
export interface PingRun {
  stdout: string;
  stderr: string;
  /** Exit status; null when ping was killed (our deadline) or did not start. */
  exitCode: number | null;
  platform: NodeJS.Platform;
  /** The address pinged. */
  address: string;
}

export interface EchoDecision {
  state: ProbeState;
  reason: Reason;
  /** Round trip of the fastest reply; null when none came or its line could not be read. */
  rttMs: number | null;
  /** Facts in words: who answered instead of the target. */
  evidence: string[];
  /** Local failure text for `error` and `untestable`. */
  error: string | null;
}

/** More lines than any `ping -c N` we run prints; the rest of a runaway output is not read. */
const MAX_LINES = 200;

/** Decodes ping's stdout: latin1 on Windows (an OEM code page, never UTF-8 by default), UTF-8 elsewhere. */
export function decodePingOutput(bytes: Uint8Array, platform: NodeJS.Platform): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
    platform === 'win32' ? 'latin1' : 'utf8',
  );
}

export function decideEcho(run: PingRun): EchoDecision {
  const lines = run.stdout.split(/\r?\n/).slice(0, MAX_LINES);
  const target = canonical(run.address);
  const replies = lines.filter((line) => isReplyLine(line, target, run.platform));
  if (replies.length > 0) {
    const times = replies.map(parseRtt).filter((t): t is number => t !== null);
    return decision('open', 'reply', times.length ? Math.min(...times) : null);
  }
  const err = firstLine(run.stderr);
  if (/not permitted|permission denied/i.test(run.stderr)) {
    return { ...decision('untestable', 'no-permission'), error: `ping is not permitted here: ${err}` };
  }
  const exit = exitMeaning(run.exitCode, run.platform);
  // iputils and BSD count only echo replies from the target: a reply we could not read is still one.
  if (exit === 'reply') return decision('open', 'reply', null);
  if (exit === 'error' && err) return { ...decision('error', 'local-error'), error: err };
  const others = otherSenders(lines, target);
  if (others.length > 0) {
    const who = others.join(', ');
    return {
      ...decision('filtered', 'icmp-unreachable'),
      evidence: [
        `${who} answered with an ICMP error instead of an echo reply from the target (destination unreachable or TTL expired: a router, or this host when the target is not on the link)`,
      ],
    };
  }
  return decision('filtered', 'no-reply');
}

/** "time=0.022 ms" (iputils, BSD), "Zeit<1ms", "時間 =3ms", "время=3мс": the number before a time unit. */
export function parseRtt(line: string): number | null {
  // The TTL/hlim value is not a time, and on Windows IPv4 the byte count comes first.
  const rest = line.replace(/\b(?:ttl|hlim)=\d+/gi, '');
  // Windows IPv4 `bytes=32 time=3ms`, iputils `icmp_seq=1 time=0.4 ms`: the time is the last value.
  const last = [...rest.matchAll(/[=<]\s*(\d+(?:\.\d+)?)/g)].at(-1);
  return last ? Number(last[1]) : null;
}

type ExitMeaning = 'reply' | 'no-reply' | 'error' | 'unknown';

/** iputils: 0 reply, 1 none, 2 error. BSD/macOS: 0 reply, 2 none, other errors. Windows: 0 any "reply" line, 1 none. */
function exitMeaning(code: number | null, platform: NodeJS.Platform): ExitMeaning {
  if (code === null) return 'unknown';
  if (platform === 'win32') return code === 0 ? 'unknown' : 'no-reply';
  if (code === 0) return 'reply';
  const none = isBsd(platform) ? 2 : 1;
  return code === none ? 'no-reply' : 'error';
}

function isBsd(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd' || platform === 'netbsd';
}

function isReplyLine(line: string, target: string, platform: NodeJS.Platform): boolean {
  if (!namesAddress(line, target)) return false;
  if (/\b(?:ttl|hlim)=\d+/i.test(line)) return true;
  // Windows prints no TTL for IPv6 replies: the line that names the target and carries a time is one.
  // Its first line ("Pinging 2001:db8::5 with 32 bytes of data:") and statistics carry no `=N`/`<N`.
  return platform === 'win32' && isIPv6(target) && /[=<]\s*\d/.test(line);
}

/** The address in the form ping prints it: IPv6 compressed and lower-case (RFC 5952), zone dropped. */
function canonical(address: string): string {
  const bare = address.replace(/%.*$/, '');
  if (!isIPv6(bare)) return bare;
  try {
    return new URL(`http://[${bare}]`).hostname.slice(1, -1);
  } catch {
    return bare.toLowerCase();
  }
}

/** True when `line` names `address` as a whole address (10.0.0.5 is not in 10.0.0.50 or 110.0.0.5). */
function namesAddress(line: string, address: string): boolean {
  const text = line.toLowerCase();
  for (let at = text.indexOf(address); at !== -1; at = text.indexOf(address, at + 1)) {
    const before = text[at - 1] ?? ' ';
    const after = text.slice(at + address.length, at + address.length + 2);
    const partOfLonger = isIPv4(address)
      ? /[\d.]/.test(before) || /^\d|^\.\d/.test(after)
      : /[\da-f:]/.test(before) || /^[\da-f]|^:[\da-f]/.test(after);
    if (!partOfLonger) return true;
  }
  return false;
}

/** Addresses of lines that do not name the target: the router or host that sent an ICMP error. */
function otherSenders(lines: string[], target: string): string[] {
  const found = new Set<string>();
  for (const line of lines) {
    if (namesAddress(line, target)) continue;
    const address = firstAddress(line);
    if (address && address !== target) found.add(address);
  }
  return [...found].slice(0, 4);
}

function firstAddress(line: string): string | null {
  const v4 = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])/.exec(line)?.[1];
  if (v4 && isIPv4(v4)) return v4;
  for (const m of line.matchAll(/[\da-fA-F:]*:[\da-fA-F:]*:[\da-fA-F:]*/g)) {
    // "2001:db8::1:" before a colon that ends the address: drop trailing colons until it parses.
    let candidate = m[0];
    while (candidate.endsWith(':') && !isIPv6(candidate)) candidate = candidate.slice(0, -1);
    if (isIPv6(candidate)) return canonical(candidate);
  }
  return null;
}

function decision(state: ProbeState, reason: Reason, rttMs: number | null = null): EchoDecision {
  return { state, reason, rttMs, evidence: [], error: null };
}

function firstLine(s: string): string {
  return s.trim().split(/\r?\n/)[0] ?? '';
}
