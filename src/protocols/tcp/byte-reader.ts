/**
 * A bounded cursor over untrusted bytes for the binary TCP codecs (DCE/RPC NDR, SMB2,
 * RDP). Every read checks its bounds and throws MALFORMED_BYTES; `parseWith` turns that
 * into a `{ ok: false, reason }` value at the codec's public edge, so callers never see a throw.
 */
import { isPortolanError, PortolanError } from '../../errors.js';

/** A codec's answer: the decoded value, or why the bytes were not accepted. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Run `decode`, mapping MALFORMED_BYTES to `{ ok: false }`. Other errors are bugs and propagate. */
export function parseWith<T>(decode: () => T): Parsed<T> {
  try {
    return { ok: true, value: decode() };
  } catch (err) {
    if (isPortolanError(err, 'MALFORMED_BYTES')) return { ok: false, reason: err.message };
    throw err;
  }
}

/** Throw MALFORMED_BYTES (inside `parseWith` only) unless `condition` holds. */
export function check(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new PortolanError('MALFORMED_BYTES', reason);
}

export class ByteReader {
  offset: number;

  /** `base` is where alignment is counted from (NDR aligns relative to the stub start). */
  constructor(
    readonly bytes: Uint8Array,
    offset = 0,
    private readonly base = offset,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.offset + n > this.bytes.length)
      throw new PortolanError('MALFORMED_BYTES', `truncated ${what} at offset ${this.offset}`);
  }

  u8(what = 'byte'): number {
    this.need(1, what);
    return this.bytes[this.offset++];
  }

  u16le(what = 'u16'): number {
    this.need(2, what);
    const b = this.bytes;
    const v = b[this.offset] | (b[this.offset + 1] << 8);
    this.offset += 2;
    return v;
  }

  u16be(what = 'u16'): number {
    this.need(2, what);
    const b = this.bytes;
    const v = (b[this.offset] << 8) | b[this.offset + 1];
    this.offset += 2;
    return v;
  }

  u32le(what = 'u32'): number {
    this.need(4, what);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 4;
    return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
  }

  /** Little-endian u64 as a bigint (FILETIME). */
  u64le(what = 'u64'): bigint {
    const lo = this.u32le(what);
    const hi = this.u32le(what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** `n` bytes as a view (not a copy). */
  take(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  skip(n: number, what = 'padding'): void {
    this.need(n, what);
    this.offset += n;
  }

  /** Skip padding to the next multiple of `n` counted from `base`. */
  align(n: number): void {
    const pad = (n - ((this.offset - this.base) % n)) % n;
    this.skip(Math.min(pad, this.remaining));
  }
}

/** A GUID in its mixed-endian wire form (Data1..3 little-endian) as canonical lower-case text. */
export function guidToString(b: Uint8Array): string {
  const h = (i: number) => b[i].toString(16).padStart(2, '0');
  const run = (idx: number[]) => idx.map(h).join('');
  return `${run([3, 2, 1, 0])}-${run([5, 4])}-${run([7, 6])}-${run([8, 9])}-${run([10, 11, 12, 13, 14, 15])}`;
}

/** Canonical GUID text to its 16-byte wire form. */
export function guidToBytes(text: string): Uint8Array {
  const h = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(h)) throw new TypeError(`not a GUID: ${text}`);
  const raw = Uint8Array.from({ length: 16 }, (_, i) => Number.parseInt(h.slice(i * 2, i * 2 + 2), 16));
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Uint8Array.from(order, (i) => raw[i]);
}
