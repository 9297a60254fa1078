/**
 * The responder handshake: pure encoders and checkers, no sockets and no clock (callers
 * pass `nowMs`). Used by the server (`server.ts`) and the client modules (`modules.ts`).
 *
 * Wire format (network byte order), the same over TCP and UDP:
 *
 *   probe        67 B  "PRTLN1" | version 1 | type 1 | nonce 16 | timestamp ms u64 | transport 1 | port u16 | mac 32
 *                      mac = HMAC-SHA256(token, every byte before it)
 *   accepted     56 B  "PRTLN1" | version | type 2 | nonce | mac 32
 *                      mac = HMAC-SHA256(token, "reply" | magic | version | type | nonce | transport | port)
 *   accepted,    56 B  the same with type 5: accepted, and the responder had to refuse UDP replies
 *   shedding           with our token lately (rate limits), so UDP silence may be its own
 *   clock-skew   64 B  "PRTLN1" | version | type 4 | nonce | server time ms u64 | mac 32
 *                      mac = HMAC-SHA256(token, "skew" | magic | version | type | nonce | server time | transport | port)
 *   auth-failed  24 B  "PRTLN1" | version | type 3 | nonce      (no mac: the responder cannot prove anything)
 *
 * `transport` is the IP protocol number (6 TCP, 17 UDP). Binding the port and transport
 * into the mac means a probe meant for one port proves nothing about another. Every reply
 * is smaller than the probe, so the responder never amplifies.
 *
 * Trade-off of the auth-failed reply. The issue requires that a wrong token is reported as
 * "the path is open, the responder is not ours", never as silence (which reads as "blocked")
 * and never as a pass. So a responder answers a well-formed probe (exact length, magic,
 * version, probe type) whose mac does not verify with a fixed 24-byte reply echoing the
 * probe's nonce. What that gives away: anyone who sends such a probe learns that a portolan
 * responder listens on that port — no more than the open port itself shows, and nothing
 * about the token (the reply is the same for every wrong mac and carries no data of ours).
 * What it costs: a 24-byte answer to a 67-byte datagram, under the per-source and global
 * rate limits, so it cannot amplify. Anything that is not a well-formed probe gets nothing.
 * A client can tell it apart from silence, and an on-path forger can at worst turn a pass
 * into "inconclusive", never a failure into a pass (only the token makes an accepted reply).
 *
 * The shedding variant exists because a busy responder's silence would otherwise read as a
 * blocked UDP path. Its type byte is under the mac, so only the token holder can set it;
 * the client turns UDP silence on that host into "inconclusive", never into a pass.
 *
 * A probe whose mac verifies but whose timestamp is outside the window gets an
 * authenticated clock-skew reply with the responder's time, so that a badly set clock is
 * reported as such instead of looking like a blocked port. Such a probe is still rejected:
 * the responder does not count it as a verified hit.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { PortolanError } from '../errors.js';
import { ascii, bytesEqual, concat, readU16be, readU32be, u16be, u32be } from '../protocols/codec/bytes.js';

export const MAGIC = ascii('PRTLN1');
export const VERSION = 1;
export const NONCE_LENGTH = 16;
const MAC_LENGTH = 32;
const HEADER_LENGTH = MAGIC.length + 2;

export const MessageType = { probe: 1, accepted: 2, authFailed: 3, clockSkew: 4, acceptedShedding: 5 } as const;

export const PROBE_LENGTH = HEADER_LENGTH + NONCE_LENGTH + 8 + 1 + 2 + MAC_LENGTH;
export const ACCEPTED_LENGTH = HEADER_LENGTH + NONCE_LENGTH + MAC_LENGTH;
export const AUTH_FAILED_LENGTH = HEADER_LENGTH + NONCE_LENGTH;
export const CLOCK_SKEW_LENGTH = HEADER_LENGTH + NONCE_LENGTH + 8 + MAC_LENGTH;

/** How far a probe's timestamp may be from the responder's clock. @default 5 minutes */
export const DEFAULT_WINDOW_MS = 5 * 60_000;

export type ResponderTransport = 'tcp' | 'udp';

const TRANSPORT_NUMBER: Record<ResponderTransport, number> = { tcp: 6, udp: 17 };

/** What a probe asserts: which port it is for, when, and its nonce. */
export interface ProbeFields {
  nonce: Uint8Array;
  timestampMs: number;
  transport: ResponderTransport;
  port: number;
}

/** The responder's reading of a datagram or the first bytes of a connection. */
export type ProbeCheck =
  | { kind: 'accept'; nonce: Uint8Array }
  | { kind: 'auth-failed'; nonce: Uint8Array }
  | { kind: 'clock-skew'; nonce: Uint8Array }
  | { kind: 'drop'; reason: string };

/** The client's reading of a reply to its probe. */
export type ReplyReading =
  | { kind: 'accepted'; shedding: boolean }
  | { kind: 'auth-failed' }
  | { kind: 'clock-skew'; serverTimeMs: number }
  | { kind: 'invalid'; reason: string };

function mac(token: string, ...parts: (Uint8Array | readonly number[])[]): Uint8Array {
  return createHmac('sha256', token)
    .update(concat(...parts))
    .digest();
}

function macEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const u64be = (n: number): number[] => [...u32be(Math.floor(n / 2 ** 32)), ...u32be(n >>> 0)];

function readU64be(b: Uint8Array, offset: number): number | null {
  const hi = readU32be(b, offset);
  const lo = readU32be(b, offset + 4);
  return hi === null || lo === null ? null : hi * 2 ** 32 + lo;
}

const header = (type: number): number[] => [...MAGIC, VERSION, type];
const binding = (transport: ResponderTransport, port: number): number[] => [
  TRANSPORT_NUMBER[transport],
  ...u16be(port),
];

/** True when `bytes` starts like one of our messages (as far as it goes). */
export function hasMagicPrefix(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, MAGIC.length);
  return bytesEqual(bytes.subarray(0, n), MAGIC.subarray(0, n));
}

export function encodeProbe(token: string, f: ProbeFields): Uint8Array {
  if (f.nonce.length !== NONCE_LENGTH) {
    throw new PortolanError('INVALID_VALUE', `nonce: must be ${NONCE_LENGTH} bytes`, { fields: ['nonce'] });
  }
  const body = concat(header(MessageType.probe), f.nonce, u64be(f.timestampMs), binding(f.transport, f.port));
  return concat(body, mac(token, body));
}

/**
 * Check a probe received on (`transport`, `port`). Pure; replay is the caller's job
 * (`ReplayGuard`), because it needs memory.
 */
export function checkProbe(
  bytes: Uint8Array,
  token: string,
  at: { transport: ResponderTransport; port: number; nowMs: number; windowMs?: number },
): ProbeCheck {
  if (bytes.length !== PROBE_LENGTH) return { kind: 'drop', reason: `length ${bytes.length}, not ${PROBE_LENGTH}` };
  if (!hasMagicPrefix(bytes)) return { kind: 'drop', reason: 'no magic' };
  if (bytes[MAGIC.length] !== VERSION || bytes[MAGIC.length + 1] !== MessageType.probe) {
    return { kind: 'drop', reason: 'unknown version or type' };
  }
  const nonce = bytes.slice(HEADER_LENGTH, HEADER_LENGTH + NONCE_LENGTH);
  const bodyLength = PROBE_LENGTH - MAC_LENGTH;
  if (!macEqual(mac(token, bytes.subarray(0, bodyLength)), bytes.subarray(bodyLength))) {
    return { kind: 'auth-failed', nonce };
  }
  const fieldsAt = HEADER_LENGTH + NONCE_LENGTH;
  const timestampMs = readU64be(bytes, fieldsAt) ?? 0;
  const transport = bytes[fieldsAt + 8];
  const port = readU16be(bytes, fieldsAt + 9);
  if (transport !== TRANSPORT_NUMBER[at.transport] || port !== at.port) {
    return { kind: 'drop', reason: `probe for ${port}/${transport === 6 ? 'tcp' : 'udp'}` };
  }
  if (Math.abs(at.nowMs - timestampMs) > (at.windowMs ?? DEFAULT_WINDOW_MS)) return { kind: 'clock-skew', nonce };
  return { kind: 'accept', nonce };
}

/** `shedding`: the responder refused UDP replies with our token lately (type 5 instead of 2). */
export function encodeAccepted(
  token: string,
  nonce: Uint8Array,
  transport: ResponderTransport,
  port: number,
  shedding = false,
): Uint8Array {
  const body = concat(header(shedding ? MessageType.acceptedShedding : MessageType.accepted), nonce);
  return concat(body, mac(token, ascii('reply'), body, binding(transport, port)));
}

export function encodeAuthFailed(nonce: Uint8Array): Uint8Array {
  return concat(header(MessageType.authFailed), nonce);
}

export function encodeClockSkew(
  token: string,
  nonce: Uint8Array,
  serverTimeMs: number,
  transport: ResponderTransport,
  port: number,
): Uint8Array {
  const body = concat(header(MessageType.clockSkew), nonce, u64be(serverTimeMs));
  return concat(body, mac(token, ascii('skew'), body, binding(transport, port)));
}

const REPLY_LENGTH: Record<number, number> = {
  [MessageType.accepted]: ACCEPTED_LENGTH,
  [MessageType.acceptedShedding]: ACCEPTED_LENGTH,
  [MessageType.authFailed]: AUTH_FAILED_LENGTH,
  [MessageType.clockSkew]: CLOCK_SKEW_LENGTH,
};

/**
 * TCP framing for the client: how many buffered bytes make a whole reply (0 = wait for
 * more). Bytes that cannot be a reply are taken whole so the reader stops at once.
 */
export function replyFrameLength(buffered: Uint8Array): number {
  if (!hasMagicPrefix(buffered)) return buffered.length;
  if (buffered.length < HEADER_LENGTH) return 0;
  const length = REPLY_LENGTH[buffered[MAGIC.length + 1]];
  if (buffered[MAGIC.length] !== VERSION || length === undefined) return buffered.length;
  return buffered.length >= length ? length : 0;
}

/** Read a reply to the probe `sent` (its nonce, transport and port). Never throws. */
export function readReply(bytes: Uint8Array, token: string, sent: ProbeFields): ReplyReading {
  if (bytes.length === 0) return { kind: 'invalid', reason: 'no reply bytes' };
  if (!hasMagicPrefix(bytes) || bytes.length < HEADER_LENGTH)
    return { kind: 'invalid', reason: 'not a portolan reply' };
  const type = bytes[MAGIC.length + 1];
  if (bytes[MAGIC.length] !== VERSION) return { kind: 'invalid', reason: `unsupported version ${bytes[MAGIC.length]}` };
  if (bytes.length !== REPLY_LENGTH[type])
    return { kind: 'invalid', reason: `reply type ${type}, length ${bytes.length}` };
  if (!bytesEqual(bytes.subarray(HEADER_LENGTH, HEADER_LENGTH + NONCE_LENGTH), sent.nonce)) {
    return { kind: 'invalid', reason: 'nonce does not match our probe' };
  }
  const bodyLength = bytes.length - MAC_LENGTH;
  const body = bytes.subarray(0, bodyLength);
  const bind = binding(sent.transport, sent.port);
  if (type === MessageType.authFailed) return { kind: 'auth-failed' };
  if (type === MessageType.accepted || type === MessageType.acceptedShedding) {
    return macEqual(mac(token, ascii('reply'), body, bind), bytes.subarray(bodyLength))
      ? { kind: 'accepted', shedding: type === MessageType.acceptedShedding }
      : { kind: 'invalid', reason: 'reply mac does not verify' };
  }
  if (!macEqual(mac(token, ascii('skew'), body, bind), bytes.subarray(bodyLength))) {
    return { kind: 'invalid', reason: 'clock-skew reply mac does not verify' };
  }
  return { kind: 'clock-skew', serverTimeMs: readU64be(bytes, HEADER_LENGTH + NONCE_LENGTH) ?? 0 };
}
