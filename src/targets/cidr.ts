/**
 * CIDR targets: `10.0.4.0/22` or `2001:db8::/120` stands for the host addresses of the
 * prefix, produced one at a time (a /16 is 65,534 strings only if someone holds them all).
 * IPv4 prefixes of /30 and wider leave out the network and broadcast addresses, which no
 * host uses; /31 (RFC 3021) and /32 keep every address. IPv6 has no broadcast: every
 * address of the prefix is a target. `size` counts what `addresses` yields, so the run's
 * guard (`cidrLimit`) can refuse a /8 or a /64 before anything is probed.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { PortolanError } from '../errors.js';

export interface Cidr {
  /** As written. */
  text: string;
  family: 4 | 6;
  /** The first address of the prefix, as a number. */
  base: bigint;
  prefix: number;
  /** How many targets the prefix stands for. */
  size: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

/** Whether `text` is written as a prefix (`something/NN`): it must then be a valid one. */
export function looksLikeCidr(text: string): boolean {
  return /^[0-9A-Fa-f:.]+\/\d+$/.test(text);
}

/**
 * The prefix `text` names; INVALID_VALUE naming `field` when it is written as one but is
 * not valid (a bad address, a length past 32 or 128, bits set past the length).
 */
export function parseCidr(text: string, field: string): Cidr {
  const [address = '', length = ''] = text.split('/');
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : null;
  const bad = (why: string) => new PortolanError('INVALID_VALUE', `${field} "${text}": ${why}`, { fields: [field] });
  if (family === null) throw bad('expected an IPv4 or IPv6 prefix such as 10.0.4.0/22 or 2001:db8::/120');
  const prefix = Number(length);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > BITS[family]) {
    throw bad(`the prefix length must be 0 to ${BITS[family]}`);
  }
  const value = family === 4 ? ipv4Value(address) : ipv6Value(address);
  const hostBits = BigInt(BITS[family] - prefix);
  const base = (value >> hostBits) << hostBits;
  if (base !== value) {
    throw bad(`host bits are set; the prefix starts at ${formatAddress(base, family)}/${prefix}`);
  }
  const all = 1n << hostBits;
  const size = family === 4 && prefix <= 30 ? all - 2n : all;
  return { text, family, base, prefix, size };
}

/** The prefix's targets, in address order. */
export function* cidrAddresses(c: Cidr): Generator<string, void, undefined> {
  const first = c.family === 4 && c.prefix <= 30 ? c.base + 1n : c.base;
  for (let i = 0n; i < c.size; i++) yield formatAddress(first + i, c.family);
}

/**
 * INVALID_VALUE when the prefix stands for more targets than `limit`: a /8 or a /64 is
 * most likely a typo, and would probe for days. The message names the limit and how to raise it.
 */
export function checkCidrSize(c: Cidr, limit: number, field: string): void {
  if (c.size <= BigInt(limit)) return;
  throw new PortolanError(
    'INVALID_VALUE',
    `${field} "${c.text}" is ${c.size.toLocaleString('en-US')} addresses, more than the CIDR limit of ` +
      `${limit.toLocaleString('en-US')}; raise it with --cidr-limit N (plans: options.cidrLimit) or give a narrower prefix`,
    { fields: [field] },
  );
}

function ipv4Value(address: string): bigint {
  return address.split('.').reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Value(address: string): bigint {
  let text = address;
  // A trailing dotted quad (::ffff:192.0.2.1) is the last two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const v = ipv4Value(quad[1] as string);
    text = `${text.slice(0, -(quad[1] as string).length)}${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const middle = Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

/** An address from its number: dotted quad, or RFC 5952 IPv6 text (lower case, longest zero run as `::`). */
export function formatAddress(value: bigint, family: 4 | 6): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { at: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { at: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at === -1) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}
