/**
 * A small BER/DER codec for the ASN.1 messages the probes speak: Kerberos (RFC 4120),
 * SNMP (RFC 3416) and (C)LDAP (RFC 4511). ITU-T X.690 §8.1.
 *
 * The reader is bounded and never throws: anything malformed yields `null`. It accepts
 * long-form lengths up to 4 bytes (0x81..0x84), which Windows LDAP uses even for small
 * values, and rejects the indefinite form and high tag numbers, which none of these
 * protocols send. The writer emits DER (shortest lengths).
 */

/** One decoded tag-length-value. Offsets are into the buffer passed to `readTlv`. */
export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number, e.g. 0x30, 0xa1, 0x6a). */
  tag: number;
  /** Length of the value in bytes. */
  length: number;
  /** Bytes taken by the tag and length octets. */
  header: number;
  /** The value bytes (a view, not a copy). */
  value: Uint8Array;
  /** Offset of the first TLV. */
  start: number;
  /** Offset just past this TLV. */
  end: number;
}

/** Universal tags used by the probes. */
export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  enumerated: 0x0a,
  sequence: 0x30,
  set: 0x31,
  generalizedTime: 0x18,
  generalString: 0x1b,
} as const;

/** Context-specific tag `[n]`, constructed (0xa0 + n). */
export const ctxTag = (n: number): number => 0xa0 + n;
/** Application tag `[APPLICATION n]`, constructed (0x60 + n). */
export const appTag = (n: number): number => 0x60 + n;

/** Read one TLV at `offset`; `null` when it is truncated or not a form we accept. */
export function readTlv(bytes: Uint8Array, offset = 0): Tlv | null {
  if (offset < 0 || offset + 2 > bytes.length) return null;
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) return null;
  const first = bytes[offset + 1];
  let length: number;
  let header = 2;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0 || count > 4 || offset + 2 + count > bytes.length) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 2 + i];
    header += count;
  }
  const end = offset + header + length;
  if (end > bytes.length) return null;
  return { tag, length, header, value: bytes.subarray(offset + header, end), start: offset, end };
}

/** All TLVs that exactly fill `bytes` (the contents of a constructed value); `null` if they do not. */
export function readAll(bytes: Uint8Array): Tlv[] | null {
  const out: Tlv[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const t = readTlv(bytes, offset);
    if (!t) return null;
    out.push(t);
    offset = t.end;
  }
  return out;
}

/** The children of a constructed TLV, or `null` when its contents do not parse. */
export function childrenOf(t: Tlv): Tlv[] | null {
  return readAll(t.value);
}

/** The first child with `tag`, if any. */
export function findTag(list: readonly Tlv[], tag: number): Tlv | undefined {
  return list.find((t) => t.tag === tag);
}

/** Read a TLV that must carry `tag` and nest one TLV inside (an explicit `[n]` wrapper). */
export function unwrap(t: Tlv | undefined, inner?: number): Tlv | null {
  if (!t) return null;
  const c = readTlv(t.value, 0);
  if (!c || c.end !== t.value.length) return null;
  if (inner !== undefined && c.tag !== inner) return null;
  return c;
}

/** A two's-complement INTEGER value as a number; `null` past 48 bits or when empty. */
export function intValue(value: Uint8Array): number | null {
  if (value.length === 0 || value.length > 6) return null;
  let n = value[0] & 0x80 ? -1 : 0;
  for (const b of value) n = n * 256 + b;
  return n;
}

/** An INTEGER TLV's value, checking the tag. */
export function readInt(t: Tlv | null | undefined): number | null {
  return t && (t.tag === Tag.integer || t.tag === Tag.enumerated) ? intValue(t.value) : null;
}

/** Dotted form of an OBJECT IDENTIFIER value; `null` when malformed. */
export function oidValue(value: Uint8Array): string | null {
  if (value.length === 0 || value.length > 128) return null;
  const parts: number[] = [];
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    n = n * 128 + (value[i] & 0x7f);
    if (n > Number.MAX_SAFE_INTEGER / 128) return null;
    if ((value[i] & 0x80) === 0) {
      if (parts.length === 0) parts.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
      else parts.push(n);
      n = 0;
    } else if (i === value.length - 1) {
      return null;
    }
  }
  return parts.join('.');
}

// ---------------------------------------------------------------- writer

function encodeLength(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

/** A TLV with `tag` whose value is the concatenation of `parts`. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, p) => sum + p.length, 0);
  const head = [tag, ...encodeLength(length)];
  const out = new Uint8Array(head.length + length);
  out.set(head, 0);
  let offset = head.length;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** SEQUENCE of `parts`. */
export const seq = (...parts: Uint8Array[]): Uint8Array => tlv(Tag.sequence, ...parts);
/** Explicit context tag `[n]` around `parts`. */
export const ctx = (n: number, ...parts: Uint8Array[]): Uint8Array => tlv(ctxTag(n), ...parts);
/** `[APPLICATION n]` around `parts`. */
export const app = (n: number, ...parts: Uint8Array[]): Uint8Array => tlv(appTag(n), ...parts);

/** Minimal two's-complement INTEGER (safe integers only), with `tag` for ENUMERATED or implicit tags. */
export function int(n: number, tag: number = Tag.integer): Uint8Array {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(((v % 256) + 256) % 256);
    v = Math.floor(v / 256);
  } while (v !== 0 && v !== -1);
  if (n >= 0 && bytes[0] & 0x80) bytes.unshift(0);
  if (n < 0 && !(bytes[0] & 0x80)) bytes.unshift(0xff);
  return tlv(tag, Uint8Array.from(bytes));
}

/** ENUMERATED. */
export const enumerated = (n: number): Uint8Array => int(n, Tag.enumerated);

/** BOOLEAN. */
export const bool = (b: boolean): Uint8Array => tlv(Tag.boolean, Uint8Array.of(b ? 0xff : 0));

/** NULL. */
export const nul = (): Uint8Array => tlv(Tag.null);

/** OCTET STRING (or `tag`) from bytes or UTF-8 text. */
export function octets(v: string | Uint8Array, tag: number = Tag.octetString): Uint8Array {
  return tlv(tag, typeof v === 'string' ? new TextEncoder().encode(v) : v);
}

/** OBJECT IDENTIFIER from dotted text ("1.3.6.1.2.1.1.1.0"). */
export function oid(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out: number[] = [];
  for (const arc of [a * 40 + b, ...rest]) {
    const groups: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      groups.unshift((v & 0x7f) | (groups.length ? 0x80 : 0));
      if (v < 128) break;
    }
    out.push(...groups);
  }
  return tlv(Tag.oid, Uint8Array.from(out));
}
