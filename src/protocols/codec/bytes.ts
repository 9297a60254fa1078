/**
 * Byte helpers shared by the protocol codecs: building messages from parts, bounded
 * big/little-endian reads, and turning untrusted bytes into printable evidence text.
 */

/** Concatenate byte arrays and plain byte values. */
export function concat(...parts: (Uint8Array | readonly number[])[]): Uint8Array {
  const length = parts.reduce((sum, p) => sum + p.length, 0);
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Two big-endian bytes. */
export const u16be = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff];
/** Four big-endian bytes. */
export const u32be = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** Big-endian u16 at `offset`, or `null` past the end. */
export function readU16be(b: Uint8Array, offset: number): number | null {
  return offset >= 0 && offset + 2 <= b.length ? (b[offset] << 8) | b[offset + 1] : null;
}

/** Big-endian u32 at `offset`, or `null` past the end. */
export function readU32be(b: Uint8Array, offset: number): number | null {
  return offset >= 0 && offset + 4 <= b.length
    ? ((b[offset] << 24) | (b[offset + 1] << 16) | (b[offset + 2] << 8) | b[offset + 3]) >>> 0
    : null;
}

/** Little-endian u16 at `offset`, or `null` past the end. */
export function readU16le(b: Uint8Array, offset: number): number | null {
  return offset >= 0 && offset + 2 <= b.length ? b[offset] | (b[offset + 1] << 8) : null;
}

/** Little-endian u32 at `offset`, or `null` past the end. */
export function readU32le(b: Uint8Array, offset: number): number | null {
  return offset >= 0 && offset + 4 <= b.length
    ? (b[offset] | (b[offset + 1] << 8) | (b[offset + 2] << 16) | (b[offset + 3] << 24)) >>> 0
    : null;
}

/** Byte-wise equality of two ranges. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Lower-case hex, optionally with a separator. */
export function hex(b: Uint8Array, separator = ''): string {
  return Array.from(b, (v) => v.toString(16).padStart(2, '0')).join(separator);
}

/** ASCII bytes of a string (callers pass ASCII only). */
export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

/**
 * Untrusted bytes as printable evidence text: UTF-8 decoded, control characters shown as
 * `\xNN`, cut to `max` characters. Renderers still escape it; this keeps it one line.
 */
export function printable(b: Uint8Array, max = 200): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, max * 4));
  let clean = '';
  for (const c of text) {
    const code = c.codePointAt(0) ?? 0;
    clean += code < 0x20 || (code >= 0x7f && code < 0xa0) ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** `nonce` stretched or cut to `n` bytes (the engine's nonce length is not fixed). */
export function nonceBytes(nonce: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = nonce.length ? nonce[i % nonce.length] ^ Math.floor(i / nonce.length) : i;
  return out;
}

/** A 16-byte GUID in its mixed-endian wire form ([MS-DTYP] 2.3.4.2) as text. */
export function guidText(b: Uint8Array): string {
  const le = (from: number, to: number) => hex(b.subarray(from, to).slice().reverse());
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(b.subarray(8, 10))}-${hex(b.subarray(10, 16))}`;
}
