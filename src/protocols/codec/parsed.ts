/**
 * How every decoder of untrusted bytes answers: the value, or why the bytes were not
 * accepted. Decoders never throw on hostile input (style.md point 2); callers branch on `ok`.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A decoded value. */
export function parsed<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

/** Bytes that are not what the decoder reads; `reason` says why, in words. */
export function malformed(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
