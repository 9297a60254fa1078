/**
 * DNS name encoding (RFC 1035 §3.1, §4.1.4). Also used for NetBIOS names (RFC 1002 §4.1)
 * and the compressed names inside a CLDAP NETLOGON_SAM_LOGON_RESPONSE_EX ([MS-ADTS] 6.3.1.9).
 */

/** Wire form of a dotted name: length-prefixed labels and the root byte. "" and "." are the root. */
export function encodeName(name: string): Uint8Array {
  const labels = name.split('.').filter((l) => l.length > 0);
  const out: number[] = [];
  for (const label of labels) {
    const bytes = new TextEncoder().encode(label).subarray(0, 63);
    out.push(bytes.length, ...bytes);
  }
  out.push(0);
  return Uint8Array.from(out);
}

/** A decoded name and the offset just past it in the original (unfollowed) position. */
export interface ReadName {
  name: string;
  end: number;
}

/** Compression pointers followed at most this many times: loops and chains end here. */
const MAX_JUMPS = 32;

/**
 * Decode a possibly compressed name at `offset` of `msg` (pointers are offsets into `msg`).
 * Bounded: pointer loops, over-long names and truncation give `null`. Labels are returned
 * as text with non-printable bytes escaped, joined by dots, without the trailing dot ("" = root).
 */
export function readName(msg: Uint8Array, offset: number): ReadName | null {
  const labels: string[] = [];
  let pos = offset;
  let end = -1;
  let jumps = 0;
  let total = 0;
  for (;;) {
    if (pos < 0 || pos >= msg.length) return null;
    const len = msg[pos];
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= msg.length || ++jumps > MAX_JUMPS) return null;
      if (end < 0) end = pos + 2;
      pos = ((len & 0x3f) << 8) | msg[pos + 1];
      continue;
    }
    if (len & 0xc0) return null;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      return { name: labels.join('.'), end };
    }
    total += len + 1;
    if (total > 255 || pos + 1 + len > msg.length) return null;
    labels.push(labelText(msg.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
}

function labelText(label: Uint8Array): string {
  let s = '';
  for (const b of label) s += b > 0x20 && b < 0x7f && b !== 0x2e && b !== 0x5c ? String.fromCharCode(b) : `\\${b}`;
  return s;
}

/** Case-insensitive comparison of two wire-form names (ASCII case only, RFC 4343). */
export function sameName(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const lower = (v: number) => (v >= 0x41 && v <= 0x5a ? v + 32 : v);
  return a.every((v, i) => lower(v) === lower(b[i]));
}
