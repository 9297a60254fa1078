/**
 * NetBIOS session service, TCP 139 (probes.md B2; RFC 1002 §4.3.2-4.3.4). Sends a
 * SESSION REQUEST to "*SMBSERVER<20>" from "PROBE<00>"; a positive or negative session
 * response proves the session service. After a positive response the SMB2 NEGOTIATE of
 * `smb2` runs on the same connection.
 */

import { concat } from '../codec/bytes.js';
import { recognized, rejected } from '../recognition.js';
import type { Recognition, TcpProtocol } from '../types.js';
import { negotiate } from './smb2.js';

/** First-level encoding (RFC 1001 §14.1): 15 bytes padded with spaces + suffix, each nibble as 'A'+n. */
export function encodeNetbiosName(name: string, suffix: number): Uint8Array {
  const raw = [...name.toUpperCase().padEnd(15, ' ').slice(0, 15)].map((c) => c.charCodeAt(0) & 0xff);
  raw.push(suffix);
  return Uint8Array.from([32, ...raw.flatMap((b) => [0x41 + (b >> 4), 0x41 + (b & 0x0f)]), 0]);
}

export function encodeSessionRequest(): Uint8Array {
  const names = concat(encodeNetbiosName('*SMBSERVER', 0x20), encodeNetbiosName('PROBE', 0x00));
  return concat([0x81, 0, (names.length >> 8) & 0xff, names.length & 0xff], names);
}

const SESSION_TYPES = new Set([0x00, 0x82, 0x83, 0x84, 0x85]);

/** Framing of session packets: type, flags (bit 0 extends the length), 16-bit length. */
export function sessionFrameLength(b: Uint8Array): number {
  if (b.length >= 1 && !SESSION_TYPES.has(b[0])) return b.length;
  if (b.length < 4) return 0;
  const length = ((b[1] & 1) << 16) | (b[2] << 8) | b[3];
  return b.length >= 4 + length ? 4 + length : 0;
}

const NEGATIVE_CODES: Record<number, string> = {
  128: 'not listening on called name',
  129: 'not listening for calling name',
  130: 'called name not present',
  131: 'insufficient resources',
  143: 'unspecified error',
};

export const netbiosSession: TcpProtocol = {
  kind: 'stream',
  id: 'netbios-ssn',
  transport: 'tcp',
  ports: [139],
  describe: 'NetBIOS SESSION REQUEST to *SMBSERVER, then SMB2 NEGOTIATE; recognised: a session response',
  async converse(io, ctx) {
    io.write(encodeSessionRequest());
    const reply = await io.read(sessionFrameLength);
    if (reply.length < 4 || !SESSION_TYPES.has(reply[0]) || reply[0] === 0x00) {
      return rejected(reply.length < 4 ? 'truncated session response' : 'not a NetBIOS session response');
    }
    if (reply[0] === 0x83) {
      const code = reply[4];
      const text = code === undefined ? 'no error code' : (NEGATIVE_CODES[code] ?? `code 0x${code.toString(16)}`);
      return recognized([`NetBIOS session service (negative session response: ${text})`]);
    }
    if (reply[0] === 0x84) return recognized(['NetBIOS session service (retarget response)']);
    if (reply[0] === 0x85) return rejected('keep-alive instead of a session response');
    const base = 'NetBIOS session service (positive session response)';
    // The session is proven; a silent or broken SMB layer after it is a warning, not a failure.
    const smb = await negotiate(io, ctx.nonce).catch(
      (err: Error): Recognition => rejected(`no reply (${err.message})`),
    );
    if (!smb.valid) return recognized([base], [`SMB2 NEGOTIATE after the session: ${smb.reason}`]);
    return { ...smb, evidence: [base, ...smb.evidence] };
  },
};
