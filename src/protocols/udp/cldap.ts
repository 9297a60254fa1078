/**
 * CLDAP "LDAP ping" on UDP 389 ([MS-ADTS] 6.3.3, 6.3.1.9; RFC 4511 §4.5.1).
 *
 * Sends: a rootDSE searchRequest (base "", scope base) with the filter
 * `(&(DnsDomain=<domain>)(NtVer=\06\00\00\00))` — or only NtVer when the domain is unknown —
 * asking for the `Netlogon` attribute. The message id comes from the nonce.
 * Recognised: one or more LDAPMessages with our message id carrying a searchResEntry or
 * searchResDone (Windows uses 0x84 four-byte lengths, which the BER reader accepts).
 * Proves: an AD domain controller's CLDAP responder. A populated Netlogon value
 * (NETLOGON_SAM_LOGON_RESPONSE_EX) also proves the DC serves the domain, and its flags
 * say which roles it claims (GC, KDC, time server, ADWS ...): cross-evidence for 88, 123, 3268, 9389.
 * Caveats: an empty entry means "a DC, but not for that domain" (or Samba without NtVer);
 * member servers do not listen on UDP 389.
 */

import { app, bool, ctx as ctxTag, enumerated, int, octets, readAll, readInt, seq, Tag, tlv } from '../codec/ber.js';
import { guidToString, readU16le, readU32le } from '../codec/bytes.js';
import { readName } from '../codec/dns-name.js';
import { malformed, type Parsed, parsed } from '../codec/parsed.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

/** DS_* flags of the NETLOGON response ([MS-ADTS] 6.3.1.2). */
const DS_FLAGS: [number, string][] = [
  [0x1, 'PDC'],
  [0x4, 'global catalog'],
  [0x8, 'LDAP'],
  [0x10, 'directory service'],
  [0x20, 'KDC'],
  [0x40, 'time server'],
  [0x80, 'closest site'],
  [0x100, 'writable'],
  [0x200, 'good time server'],
  [0x400, 'non-domain NC'],
  [0x800, 'Windows 2008 DS'],
  [0x1000, 'Windows 2012 DS'],
  [0x2000, 'AD Web Services'],
  [0x4000, 'Windows 2012 R2 DS'],
  [0x8000, 'Windows 2016 DS'],
  [0x10000, 'key list'],
  [0x20000000, 'DNS controller'],
  [0x40000000, 'DNS domain'],
  [0x80000000, 'DNS forest'],
];

const NAME_FIELDS = [
  'forest',
  'domain',
  'DC host name',
  'NetBIOS domain',
  'NetBIOS computer name',
  'user',
  'DC site',
  'client site',
] as const;

/** Flags as words, e.g. "PDC, global catalog, KDC". */
export function dsFlagWords(flags: number): string {
  return (
    DS_FLAGS.filter(([bit]) => (flags & bit) >>> 0 !== 0)
      .map(([, w]) => w)
      .join(', ') || 'none'
  );
}

function messageId(ctx: ProbeContext): number {
  return (((ctx.nonce[0] ?? 0) << 16) | ((ctx.nonce[1] ?? 0) << 8) | (ctx.nonce[2] ?? 1)) + 1;
}

const equality = (attr: string, value: string | Uint8Array) => tlv(0xa3, octets(attr), octets(value));

function build(ctx: ProbeContext): Uint8Array {
  const items = ctx.domain ? [equality('DnsDomain', ctx.domain)] : [];
  items.push(equality('NtVer', Uint8Array.of(6, 0, 0, 0)));
  // searchRequest: base "", scope base, never deref, no size/time limit, typesOnly false, filter, attributes.
  const search = app(
    3,
    octets(''),
    enumerated(0),
    enumerated(0),
    int(0),
    int(0),
    bool(false),
    ctxTag(0, ...items),
    seq(octets('Netlogon')),
  );
  return seq(int(messageId(ctx)), search);
}

/** A decoded NETLOGON_SAM_LOGON_RESPONSE_EX: its opcode, DS flags and named fields in words. */
export interface Netlogon {
  opcode: number;
  flags: number;
  fields: string[];
}

/** Decode NETLOGON_SAM_LOGON_RESPONSE_EX ([MS-ADTS] 6.3.1.9). */
export function parseNetlogon(blob: Uint8Array): Parsed<Netlogon> {
  const opcode = readU16le(blob, 0);
  const flags = readU32le(blob, 4);
  if (opcode === null || flags === null || blob.length < 24) return malformed('shorter than the fixed header');
  if (opcode !== 23 && opcode !== 25) return malformed(`opcode ${opcode} is not a SAM logon response`);
  const fields: string[] = [`domain GUID ${guidToString(blob.subarray(8, 24))}`];
  let offset = 24;
  for (const label of NAME_FIELDS) {
    const n = readName(blob, offset);
    if (!n) return malformed(`${label} is not a DNS name`);
    if (n.name) fields.push(`${label} ${n.name}`);
    offset = n.end;
  }
  return parsed({ opcode, flags, fields });
}

/** The Netlogon attribute value of a searchResEntry, or `undefined`. */
function netlogonValue(entry: Uint8Array): Uint8Array | undefined {
  const parts = readAll(entry);
  const attrs = parts?.[1];
  if (!attrs || attrs.tag !== Tag.sequence) return undefined;
  for (const attr of readAll(attrs.value) ?? []) {
    const [type, values] = readAll(attr.value) ?? [];
    if (type?.tag !== Tag.octetString || values?.tag !== Tag.set) continue;
    if (new TextDecoder().decode(type.value).toLowerCase() !== 'netlogon') continue;
    const first = readAll(values.value)?.[0];
    if (first?.tag === Tag.octetString) return first.value;
  }
  return undefined;
}

function recognize(reply: Uint8Array, ctx: ProbeContext): Recognition {
  if (reply.length === 0) return rejected('empty datagram');
  const messages = readAll(reply);
  if (!messages) return rejected('not a sequence of BER-encoded LDAP messages');
  const id = messageId(ctx);
  let entry: Uint8Array | undefined;
  let done: number | null = null;
  for (const m of messages) {
    if (m.tag !== Tag.sequence) return rejected('an LDAP message is not a SEQUENCE');
    const [mid, op] = readAll(m.value) ?? [];
    if (readInt(mid) !== id) return rejected('LDAP message id does not match the request');
    if (op?.tag === 0x64) entry = op.value;
    else if (op?.tag === 0x65) done = readInt(readAll(op.value)?.[0]);
    else return rejected(`unexpected LDAP operation tag 0x${(op?.tag ?? 0).toString(16)}`);
  }
  if (entry === undefined && done === null) return rejected('no search result in the reply');
  const domainText = ctx.domain ? ` for ${ctx.domain}` : '';
  if (done !== null && done !== 0) {
    return recognized([`CLDAP responder answered the LDAP ping with result code ${done}`]);
  }
  const value = entry && netlogonValue(entry);
  if (!value) {
    return recognized(
      ['CLDAP responder (an AD domain controller) answered the LDAP ping with an empty entry'],
      [`the DC did not return a Netlogon response${domainText}: it does not serve that domain`],
    );
  }
  const read = parseNetlogon(value);
  if (!read.ok) {
    return recognized([
      `CLDAP responder returned a Netlogon value that is not NETLOGON_SAM_LOGON_RESPONSE_EX (${read.reason})`,
    ]);
  }
  const nl = read.value;
  const evidence = [
    `CLDAP LDAP ping answered${domainText}: ${nl.opcode === 23 ? 'LOGON_SAM_LOGON_RESPONSE_EX' : 'LOGON_SAM_USER_UNKNOWN_EX'}`,
    ...nl.fields,
    `DC flags 0x${nl.flags.toString(16).padStart(8, '0')}: ${dsFlagWords(nl.flags)}`,
  ];
  return recognized(evidence);
}

export const cldap: UdpProtocol = {
  kind: 'datagram',
  id: 'cldap',
  transport: 'udp',
  everyServerAnswers: true,
  ports: [389],
  describe: 'CLDAP LDAP ping (rootDSE, Netlogon attribute); an LDAP search result with our id proves an AD DC',
  buildRequest: build,
  recognize,
};
