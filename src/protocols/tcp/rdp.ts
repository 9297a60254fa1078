/**
 * RDP, TCP 3389 (probes.md B5; MS-RDPBCGR 2.2.1.1, 2.2.1.2). Sends a TPKT + X.224
 * Connection Request carrying RDP_NEG_REQ (requested protocols TLS | CredSSP | RDSTLS).
 * Recognised: an X.224 Connection Confirm (code 0xD0); its RDP_NEG_RSP names the selected
 * security protocol, RDP_NEG_FAILURE the reason, and a bare CC means a legacy server.
 */

import { ByteReader, check, parseWith } from '../codec/byte-reader.js';
import type { Parsed } from '../codec/parsed.js';
import { recognized, rejected } from '../recognition.js';
import type { TcpProtocol } from '../types.js';

const PROTOCOL_SSL = 0x1;
const PROTOCOL_HYBRID = 0x2;
const PROTOCOL_RDSTLS = 0x4;
export const REQUESTED_PROTOCOLS = PROTOCOL_SSL | PROTOCOL_HYBRID | PROTOCOL_RDSTLS;

/** TPKT (RFC 1006) + X.224 CR (LI 14, dst-ref 0, src-ref 0, class 0) + RDP_NEG_REQ. */
export const CONNECTION_REQUEST = Uint8Array.of(
  0x03,
  0x00,
  0x00,
  0x13,
  0x0e,
  0xe0,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x01,
  0x00,
  0x08,
  0x00,
  REQUESTED_PROTOCOLS,
  0x00,
  0x00,
  0x00,
);

const SELECTED: Record<number, string> = {
  0: 'standard RDP security',
  1: 'TLS',
  2: 'CredSSP (NLA)',
  4: 'RDSTLS',
  8: 'CredSSP with Early User Authorization (HYBRID_EX)',
  16: 'RDS AAD auth',
};
const FAILURES: Record<number, string> = {
  1: 'SSL required by server',
  2: 'SSL not allowed by server',
  3: 'SSL certificate not on server',
  4: 'inconsistent flags',
  5: 'HYBRID (CredSSP) required by server',
  6: 'SSL with user authentication required by server',
};

export type ConnectionConfirm =
  | { kind: 'selected'; protocol: number; flags: number }
  | { kind: 'failure'; code: number }
  | { kind: 'legacy' };

/** TPKT framing: version 3, 16-bit length including the header. */
export function tpktFrameLength(b: Uint8Array): number {
  if (b.length >= 1 && b[0] !== 3) return b.length;
  if (b.length < 4) return 0;
  const length = (b[2] << 8) | b[3];
  if (length < 4) return b.length;
  return b.length >= length ? length : 0;
}

export function parseConnectionConfirm(bytes: Uint8Array): Parsed<ConnectionConfirm> {
  return parseWith((): ConnectionConfirm => {
    const r = new ByteReader(bytes);
    check(r.u8('TPKT version') === 3, 'not a TPKT packet');
    r.u8('TPKT reserved');
    const length = r.u16be('TPKT length');
    check(length === bytes.length, `TPKT length ${length} does not match ${bytes.length} bytes`);
    const li = r.u8('X.224 length indicator');
    check(li >= 6 && li === length - 5, `X.224 length indicator ${li} does not fit`);
    const code = r.u8('X.224 code');
    check((code & 0xf0) === 0xd0, `X.224 code 0x${code.toString(16)} is not a Connection Confirm`);
    r.skip(5, 'X.224 references and class');
    if (r.remaining === 0) return { kind: 'legacy' };
    const type = r.u8('negotiation type');
    const flags = r.u8('negotiation flags');
    check(r.u16le('negotiation length') === 8, 'negotiation structure length is not 8');
    const value = r.u32le('negotiation value');
    if (type === 2) return { kind: 'selected', protocol: value, flags };
    check(type === 3, `negotiation type ${type} is neither response nor failure`);
    return { kind: 'failure', code: value };
  });
}

export const rdp: TcpProtocol = {
  kind: 'stream',
  id: 'rdp',
  transport: 'tcp',
  ports: [3389],
  describe:
    'X.224 Connection Request with RDP_NEG_REQ; recognised: a Connection Confirm (selected protocol or failure code)',
  async converse(io) {
    io.write(CONNECTION_REQUEST);
    const parsed = parseConnectionConfirm(await io.read(tpktFrameLength));
    if (!parsed.ok) return rejected(parsed.reason);
    const cc = parsed.value;
    if (cc.kind === 'legacy') return recognized(['RDP (legacy server: Connection Confirm without negotiation)']);
    if (cc.kind === 'failure') {
      const why = FAILURES[cc.code] ?? `code ${cc.code}`;
      return recognized([`RDP listener (negotiation failure: ${why})`]);
    }
    const name = SELECTED[cc.protocol] ?? `protocol 0x${cc.protocol.toString(16)}`;
    const warnings = cc.protocol === 0 ? ['RDP selected standard RDP security (no TLS, no NLA)'] : [];
    return recognized([`RDP listener selected ${name}`], warnings);
  },
};
