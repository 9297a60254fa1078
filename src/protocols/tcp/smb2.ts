/**
 * SMB2 NEGOTIATE over direct TCP, TCP 445 (probes.md B2; MS-SMB2 2.2.3, 2.2.4; direct
 * TCP framing MS-SMB2 2.1). Offers 2.0.2 to 3.1.1 with the PREAUTH_INTEGRITY and
 * ENCRYPTION negotiate contexts that 3.1.1 requires (Windows rejects 3.1.1 without them).
 * Recognised: an SMB2 NEGOTIATE response (dialect, signing, server GUID and clock), an SMB2
 * error response, or an SMB1 header (a server that only speaks SMB1).
 */

import { ByteReader, check, parseWith } from '../codec/byte-reader.js';
import { concat, guidToString, u16le, u32le } from '../codec/bytes.js';
import type { Parsed } from '../codec/parsed.js';
import { recognized, rejected } from '../recognition.js';
import type { Recognition, StreamIO, TcpProtocol } from '../types.js';

export const DIALECTS = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311] as const;
const DIALECT_NAMES: Record<number, string> = {
  514: '2.0.2',
  528: '2.1',
  768: '3.0',
  770: '3.0.2',
  785: '3.1.1',
  767: 'wildcard (2.??)',
};
export const dialectName = (d: number): string => DIALECT_NAMES[d] ?? `0x${d.toString(16).padStart(4, '0')}`;

const pad8 = (n: number): number[] => new Array((8 - (n % 8)) % 8).fill(0);

/** One negotiate context (MS-SMB2 2.2.3.1): type, data length, reserved, data. */
const context = (type: number, data: number[]): number[] => [
  ...u16le(type),
  ...u16le(data.length),
  0,
  0,
  0,
  0,
  ...data,
];

/** The NEGOTIATE request with its 4-byte direct-TCP header. `salt` fills the 32-byte preauth salt and the ClientGuid. */
export function encodeNegotiate(salt: Uint8Array): Uint8Array {
  const guid = Array.from({ length: 16 }, (_, i) => salt[i % salt.length] ?? i);
  const preauth = context(1, [
    ...u16le(1),
    ...u16le(32),
    ...u16le(0x0001),
    ...Array.from({ length: 32 }, (_, i) => salt[i % salt.length] ?? i),
  ]);
  const encryption = context(2, [...u16le(2), ...u16le(0x0002), ...u16le(0x0001)]); // AES-128-GCM, AES-128-CCM
  const header = [
    0xfe,
    0x53,
    0x4d,
    0x42,
    ...u16le(64),
    ...new Array(6).fill(0),
    ...u16le(0),
    ...u16le(1),
    ...new Array(48).fill(0),
  ];
  const dialects = DIALECTS.flatMap(u16le);
  const fixedEnd = 64 + 36 + dialects.length;
  const contextOffset = fixedEnd + pad8(fixedEnd).length;
  const body = [
    ...u16le(36),
    ...u16le(DIALECTS.length),
    ...u16le(0x0001), // SecurityMode: signing enabled
    ...u16le(0),
    ...u32le(0), // Capabilities
    ...guid,
    ...u32le(contextOffset),
    ...u16le(2),
    ...u16le(0),
    ...dialects,
    ...pad8(fixedEnd),
    ...preauth,
    ...pad8(preauth.length),
    ...encryption,
  ];
  const message = concat(header, body);
  return concat([0, (message.length >>> 16) & 0xff, (message.length >>> 8) & 0xff, message.length & 0xff], message);
}

/** Framing for direct TCP (and NetBIOS session messages): 4-byte header + 24-bit length. */
export function directTcpFrameLength(b: Uint8Array): number {
  if (b.length >= 1 && b[0] !== 0) return b.length;
  if (b.length < 4) return 0;
  const length = (b[1] << 16) | (b[2] << 8) | b[3];
  return b.length >= 4 + length ? 4 + length : 0;
}

export type NegotiateReply =
  | {
      kind: 'negotiate';
      dialect: number;
      signingRequired: boolean;
      signingEnabled: boolean;
      serverGuid: string;
      /** Server clock, ms since the epoch, or null when the server sends 0. */
      systemTime: number | null;
    }
  | { kind: 'error'; status: number }
  | { kind: 'smb1'; command: number };

const FILETIME_EPOCH_DIFF_MS = 11_644_473_600_000n;

function filetimeToMs(ft: bigint): number | null {
  if (ft === 0n) return null;
  const ms = Number(ft / 10_000n - FILETIME_EPOCH_DIFF_MS);
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? ms : null;
}

/** One direct-TCP framed reply to our NEGOTIATE. */
export function parseNegotiateResponse(frame: Uint8Array): Parsed<NegotiateReply> {
  return parseWith((): NegotiateReply => {
    const r = new ByteReader(frame);
    check(r.u8('message type') === 0, 'not a session message');
    const length = (r.u8('length') << 16) | r.u16be('length');
    check(length === r.remaining, `length ${length} does not match ${r.remaining} bytes`);
    const magic = r.take(4, 'protocol id');
    if (magic[0] === 0xff && magic[1] === 0x53 && magic[2] === 0x4d && magic[3] === 0x42) {
      return { kind: 'smb1', command: r.u8('SMB1 command') };
    }
    check(magic[0] === 0xfe && magic[1] === 0x53 && magic[2] === 0x4d && magic[3] === 0x42, 'not an SMB header');
    check(r.u16le('StructureSize') === 64, 'SMB2 header size is not 64');
    r.u16le('CreditCharge');
    const status = r.u32le('Status');
    const command = r.u16le('Command');
    check(command === 0, `SMB2 command ${command} is not NEGOTIATE`);
    r.u16le('CreditResponse');
    const flags = r.u32le('Flags');
    check((flags & 1) === 1, 'SMB2 reply lacks SERVER_TO_REDIR');
    r.skip(64 - 20, 'SMB2 header');
    if (status !== 0) return { kind: 'error', status };
    check(r.u16le('StructureSize') === 65, 'NEGOTIATE response size is not 65');
    const securityMode = r.u16le('SecurityMode');
    const dialect = r.u16le('DialectRevision');
    r.u16le('NegotiateContextCount');
    const serverGuid = guidToString(r.take(16, 'ServerGuid'));
    r.skip(16, 'capabilities and sizes');
    const systemTime = filetimeToMs(r.u64le('SystemTime'));
    return {
      kind: 'negotiate',
      dialect,
      signingEnabled: (securityMode & 1) !== 0,
      signingRequired: (securityMode & 2) !== 0,
      serverGuid,
      systemTime,
    };
  });
}

/** Kerberos tolerates 5 minutes of clock skew by default. */
const SKEW_LIMIT_MS = 5 * 60_000;

/** Evidence for a parsed reply; `now` is injectable for tests. */
export function negotiateEvidence(reply: NegotiateReply, now = Date.now()): Recognition {
  if (reply.kind === 'smb1') {
    return recognized(
      ['SMB1 only: the server answered an SMB2 NEGOTIATE with an SMB1 header'],
      ['server speaks SMB1 only'],
    );
  }
  if (reply.kind === 'error') {
    const status = `0x${reply.status.toString(16).padStart(8, '0')}`;
    return recognized([`SMB2 server (NEGOTIATE refused with status ${status})`], [`SMB2 NEGOTIATE failed: ${status}`]);
  }
  const evidence = [
    `SMB ${dialectName(reply.dialect)} negotiated`,
    reply.signingRequired
      ? 'signing required'
      : `signing ${reply.signingEnabled ? 'enabled' : 'disabled'}, not required`,
    `server GUID ${reply.serverGuid}`,
  ];
  const warnings: string[] = [];
  if (!reply.signingRequired) warnings.push('SMB signing is not required');
  if (reply.systemTime !== null) {
    const skew = Math.round((reply.systemTime - now) / 1000);
    evidence.push(
      `server time ${new Date(reply.systemTime).toISOString()} (${skew >= 0 ? '+' : ''}${skew} s vs this host)`,
    );
    if (Math.abs(reply.systemTime - now) > SKEW_LIMIT_MS)
      warnings.push(`server clock differs by ${skew} s (Kerberos allows 300 s)`);
  }
  return recognized(evidence, warnings);
}

/** NEGOTIATE on an open stream (direct TCP, or a NetBIOS session after a positive response). */
export async function negotiate(io: StreamIO, salt: Uint8Array): Promise<Recognition> {
  io.write(encodeNegotiate(salt));
  const reply = parseNegotiateResponse(await io.read(directTcpFrameLength));
  if (!reply.ok) return rejected(reply.reason);
  return negotiateEvidence(reply.value);
}

export const smb2: TcpProtocol = {
  kind: 'stream',
  id: 'smb2',
  transport: 'tcp',
  ports: [445],
  describe: 'SMB2 NEGOTIATE (2.0.2-3.1.1); recognised: an SMB2 negotiate/error response or an SMB1 header',
  converse: (io, ctx) => negotiate(io, ctx.nonce),
};
