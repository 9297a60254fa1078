/**
 * Byte helpers shared by every protocol codec: building messages from parts (big- and
 * little-endian writers), single bounded reads (`null` past the end; a whole message is read
 * with `ByteReader`), GUIDs, and turning untrusted bytes into printable evidence text.
 */
import { printableText } from '../../printable.js';

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
/** Two little-endian bytes. */
export const u16le = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff];
/** Four little-endian bytes. */
export const u32le = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

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
 * `\xNN` (`printableText`), cut to `max` characters. Renderers still escape it; this keeps it one line.
 */
export function printable(b: Uint8Array, max = 200): string {
  return printableText(new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, max * 4)), max);
}

/** `nonce` stretched or cut to `n` bytes (the engine's nonce length is not fixed). */
export function nonceBytes(nonce: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = nonce.length ? nonce[i % nonce.length] ^ Math.floor(i / nonce.length) : i;
  return out;
}

/** A 16-byte GUID in its mixed-endian wire form ([MS-DTYP] 2.3.4.2: Data1..3 little-endian) as lower-case text. */
export function guidToString(b: Uint8Array): string {
  const le = (from: number, to: number) => hex(b.subarray(from, to).slice().reverse());
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(b.subarray(8, 10))}-${hex(b.subarray(10, 16))}`;
}

/** Canonical GUID text to its 16-byte wire form; throws TypeError on a malformed constant (our own, never the network's). */
export function guidToBytes(text: string): Uint8Array {
  const h = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(h)) throw new TypeError(`not a GUID: ${text}`);
  const raw = Uint8Array.from({ length: 16 }, (_, i) => Number.parseInt(h.slice(i * 2, i * 2 + 2), 16));
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Uint8Array.from(order, (i) => raw[i]);
}
