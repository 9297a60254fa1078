/**
 * Kerberos messages the probes need (RFC 4120 §5.4.1, §5.9.1, §7.5.9): an AS-REQ for a
 * principal that does not exist, and a reader for the KDC's reply (KRB-ERROR or AS-REP).
 * Shared by the UDP 88 and 464 modules and usable over TCP (add the 4-byte length, RFC 4120 §7.2.2).
 */

import {
  app,
  childrenOf,
  ctx,
  ctxTag,
  findTag,
  int,
  octets,
  readInt,
  readTlv,
  seq,
  Tag,
  type Tlv,
  tlv,
  unwrap,
} from './ber.js';
import { printable } from './bytes.js';
import { malformed, type Parsed, parsed } from './parsed.js';

/** Error codes a probe can meet, by number (RFC 4120 §7.5.9, RFC 6113). */
export const KRB_ERRORS: Record<number, string> = {
  0: 'KDC_ERR_NONE',
  1: 'KDC_ERR_NAME_EXP',
  3: 'KDC_ERR_BAD_PVNO',
  6: 'KDC_ERR_C_PRINCIPAL_UNKNOWN',
  7: 'KDC_ERR_S_PRINCIPAL_UNKNOWN',
  12: 'KDC_ERR_POLICY',
  13: 'KDC_ERR_BADOPTION',
  14: 'KDC_ERR_ETYPE_NOSUPP',
  18: 'KDC_ERR_CLIENT_REVOKED',
  23: 'KDC_ERR_KEY_EXPIRED',
  24: 'KDC_ERR_PREAUTH_FAILED',
  25: 'KDC_ERR_PREAUTH_REQUIRED',
  29: 'KDC_ERR_SVC_UNAVAILABLE',
  31: 'KRB_AP_ERR_BAD_INTEGRITY',
  37: 'KRB_AP_ERR_SKEW',
  41: 'KRB_AP_ERR_MODIFIED',
  52: 'KRB_ERR_RESPONSE_TOO_BIG',
  60: 'KRB_ERR_GENERIC',
  61: 'KRB_ERR_FIELD_TOOLONG',
  68: 'KDC_ERR_WRONG_REALM',
};

/** What each code means for a probe that used a made-up principal. */
const MEANING: Record<number, string> = {
  6: 'the KDC serves this realm and does not know the made-up user (expected)',
  68: 'the KDC does not serve the realm we asked for',
  25: 'the principal exists (unexpected for a random name)',
  37: 'clock skew between this host and the KDC',
  52: 'the reply is too big for UDP: Kerberos needs TCP 88',
};

/** Fields an AS-REQ probe carries. */
export interface AsReqFields {
  realm: string;
  user: string;
  /** 31-bit nonce. */
  nonce: number;
}

const principal = (type: number, names: string[]) =>
  seq(ctx(0, int(type)), ctx(1, seq(...names.map((n) => octets(n, Tag.generalString)))));

/** AS-REQ without pre-authentication for `user@realm` (RFC 4120 §5.4.1). */
export function buildAsReq(f: AsReqFields): Uint8Array {
  const body = seq(
    // kdc-options: forwardable, renewable, canonicalize, renewable-ok (as MIT kinit and Windows send).
    ctx(0, tlv(Tag.bitString, Uint8Array.of(0, 0x40, 0x81, 0x00, 0x10))),
    ctx(1, principal(1, [f.user])),
    ctx(2, octets(f.realm, Tag.generalString)),
    ctx(3, principal(2, ['krbtgt', f.realm])),
    ctx(5, octets('20370913024805Z', Tag.generalizedTime)),
    ctx(7, int(f.nonce)),
    ctx(8, seq(int(18), int(17), int(23))),
  );
  return app(10, seq(ctx(1, int(5)), ctx(2, int(10)), ctx(4, body)));
}

/** A decoded KDC reply. */
export type KrbReply =
  | {
      kind: 'error';
      code: number;
      codeName: string;
      meaning?: string;
      realm: string | null;
      serverTime: Date | null;
      text: string | null;
      /** e-data bytes (kpasswd puts its result code here). */
      edata: Uint8Array | null;
    }
  | { kind: 'as-rep'; realm: string | null }
  | { kind: 'priv' };

function text(t: Tlv | null): string | null {
  return t ? printable(t.value, 120) : null;
}

/** "20261126123102Z" → Date. */
function generalizedTime(t: Tlv | null): Date | null {
  if (!t || t.tag !== Tag.generalizedTime) return null;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(new TextDecoder().decode(t.value));
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Decode a KRB-ERROR, AS-REP or KRB-PRIV at the start of `bytes`. */
export function readKrbReply(bytes: Uint8Array): Parsed<KrbReply> {
  const outer = readTlv(bytes, 0);
  if (!outer) return malformed('not a complete BER message');
  if (outer.tag === 0x75) return parsed({ kind: 'priv' });
  if (outer.tag !== 0x7e && outer.tag !== 0x6b)
    return malformed(`not a Kerberos reply (tag 0x${outer.tag.toString(16)})`);
  const body = unwrap(outer, Tag.sequence);
  const fields = body && childrenOf(body);
  if (!fields) return malformed('malformed Kerberos message body');
  const asError = outer.tag === 0x7e;
  const pvno = readInt(unwrap(findTag(fields, ctxTag(0))));
  const msgType = readInt(unwrap(findTag(fields, ctxTag(1))));
  if (pvno !== 5) return malformed(`protocol version ${pvno ?? 'missing'}, not 5`);
  if (!asError) {
    if (msgType !== 11) return malformed(`AS-REP with message type ${msgType}`);
    return parsed({ kind: 'as-rep', realm: text(unwrap(findTag(fields, ctxTag(3)), Tag.generalString)) });
  }
  if (msgType !== 30) return malformed(`KRB-ERROR with message type ${msgType}`);
  const code = readInt(unwrap(findTag(fields, ctxTag(6))));
  if (code === null) return malformed('KRB-ERROR without an error code');
  const edata = unwrap(findTag(fields, ctxTag(12)), Tag.octetString);
  return parsed({
    kind: 'error',
    code,
    codeName: KRB_ERRORS[code] ?? `error ${code}`,
    meaning: MEANING[code],
    realm: text(unwrap(findTag(fields, ctxTag(9)), Tag.generalString)),
    serverTime: generalizedTime(unwrap(findTag(fields, ctxTag(4)))),
    text: text(unwrap(findTag(fields, ctxTag(11)), Tag.generalString)),
    edata: edata ? edata.value : null,
  });
}
