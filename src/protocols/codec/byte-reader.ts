/**
 * A bounded cursor over untrusted bytes for the binary codecs (DCE/RPC NDR, SMB2, RDP).
 * Every read names its field and checks its bounds, throwing MALFORMED_BYTES; `parseWith`
 * turns that into a `Parsed` failure at the codec's public edge, so callers never see a
 * throw. For one bounded read without a cursor, `bytes.ts` has `readU16be` and friends.
 */
import { isPortolanError, PortolanError } from '../../errors.js';
import { malformed, type Parsed, parsed } from './parsed.js';

/** Run `decode`, mapping MALFORMED_BYTES to `{ ok: false }`. Other errors are bugs and propagate. */
export function parseWith<T>(decode: () => T): Parsed<T> {
  try {
    return parsed(decode());
  } catch (err) {
    if (isPortolanError(err, 'MALFORMED_BYTES')) return malformed(err.message);
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
