/**
 * LDAP rootDSE over TCP 389 / 3268 (GC), and over TLS on 636 / 3269 (probes.md B3;
 * RFC 4511 §4.5.1-4.5.2; MS-ADTS 3.1.1.3.2). Sends an anonymous searchRequest (base "",
 * scope base, filter (objectClass=*)) for the attributes that identify an AD DC.
 * Recognised: LDAPMessages with our message id up to a searchResDone; any result code
 * proves an LDAP server. Windows uses 0x84 four-byte lengths, which the BER reader accepts.
 */

import {
  app,
  bool,
  childrenOf,
  enumerated,
  int,
  octets,
  readAll,
  readInt,
  readTlv,
  seq,
  Tag,
  tlv,
} from '../codec/ber.js';
import { printable } from '../codec/bytes.js';
import { malformed, type Parsed, parsed } from '../codec/parsed.js';
import { recognized, rejected, withFacts } from '../recognition.js';
import { certificateEvidence } from '../tls/certificate.js';
import type { ProbeContext, Recognition, StreamIO, TcpProtocol } from '../types.js';

export const ROOT_DSE_ATTRIBUTES = [
  'dnsHostName',
  'defaultNamingContext',
  'domainFunctionality',
  'forestFunctionality',
  'domainControllerFunctionality',
  'supportedLDAPVersion',
  'ldapServiceName',
  'isGlobalCatalogReady',
  'supportedCapabilities',
] as const;

const MESSAGE_ID = 1;
const MAX_MESSAGES = 16;
const MAX_VALUES = 64;
/** LDAP_CAP_ACTIVE_DIRECTORY_OID (MS-ADTS 3.1.1.3.4.3.1). */
const AD_CAPABILITY = '1.2.840.113556.1.4.800';

/** MS-ADTS 6.1.4.2-6.1.4.4: msDS-Behavior-Version values. */
const LEVELS: Record<string, string> = {
  '0': '2000',
  '1': '2003 interim',
  '2': '2003',
  '3': '2008',
  '4': '2008 R2',
  '5': '2012',
  '6': '2012 R2',
  '7': '2016',
  '10': '2025',
};

export function encodeRootDseSearch(messageId = MESSAGE_ID): Uint8Array {
  const filter = tlv(0x87, new TextEncoder().encode('objectClass')); // present filter [7]
  const attrs = seq(...ROOT_DSE_ATTRIBUTES.map((a) => octets(a)));
  return seq(
    int(messageId),
    app(3, octets(''), enumerated(0), enumerated(0), int(0), int(0), bool(false), filter, attrs),
  );
}

/** Framing: the length of the first BER SEQUENCE once buffered; everything at once if it is not one. */
export function ldapMessageLength(b: Uint8Array): number {
  if (b.length >= 1 && b[0] !== Tag.sequence) return b.length;
  if (b.length < 2) return 0;
  const first = b[1];
  if (first < 0x80) return b.length >= 2 + first ? 2 + first : 0;
  const count = first & 0x7f;
  if (count === 0 || count > 4) return b.length;
  if (b.length < 2 + count) return 0;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + b[2 + i];
  return b.length >= 2 + count + length ? 2 + count + length : 0;
}

export type LdapMessage =
  | { kind: 'entry'; attributes: Map<string, string[]> }
  | { kind: 'reference' }
  | { kind: 'done'; resultCode: number; diagnostic: string }
  | { kind: 'other'; tag: number; messageId: number };

const text = (b: Uint8Array) => printable(b, 200);

/** One LDAPMessage. Attribute names are lower-cased. */
export function parseLdapMessage(bytes: Uint8Array, messageId = MESSAGE_ID): Parsed<LdapMessage> {
  const m = readTlv(bytes, 0);
  if (!m || m.tag !== Tag.sequence || m.end !== bytes.length) return malformed('not a BER LDAPMessage');
  const [id, op] = childrenOf(m) ?? [];
  const mid = readInt(id);
  if (mid === null || !op) return malformed('LDAPMessage without message id and operation');
  if (mid !== messageId) return parsed({ kind: 'other', tag: op.tag, messageId: mid });
  const parts = childrenOf(op);
  if (op.tag === 0x73) return parsed({ kind: 'reference' });
  if (!parts) return malformed(`LDAP operation 0x${op.tag.toString(16)} does not parse`);
  if (op.tag === 0x65) {
    const code = readInt(parts[0]);
    if (code === null || parts[1]?.tag !== Tag.octetString || parts[2]?.tag !== Tag.octetString)
      return malformed('malformed searchResDone');
    return parsed({ kind: 'done', resultCode: code, diagnostic: text(parts[2].value) });
  }
  if (op.tag !== 0x64) return parsed({ kind: 'other', tag: op.tag, messageId: mid });
  if (parts[0]?.tag !== Tag.octetString || parts[1]?.tag !== Tag.sequence) return malformed('malformed searchResEntry');
  const attributes = new Map<string, string[]>();
  for (const attr of readAll(parts[1].value) ?? []) {
    const [type, vals] = childrenOf(attr) ?? [];
    if (type?.tag !== Tag.octetString || vals?.tag !== Tag.set)
      return malformed('malformed attribute in searchResEntry');
    const values = (readAll(vals.value) ?? []).slice(0, MAX_VALUES).map((v) => text(v.value));
    attributes.set(text(type.value).toLowerCase(), values);
  }
  return parsed({ kind: 'entry', attributes });
}

export interface RootDse {
  attributes: Map<string, string[]>;
  resultCode: number;
  diagnostic: string;
}

/** Search the rootDSE and read messages up to searchResDone. */
export async function searchRootDse(io: StreamIO): Promise<Parsed<RootDse>> {
  io.write(encodeRootDseSearch());
  const attributes = new Map<string, string[]>();
  for (let i = 0; i < MAX_MESSAGES; i++) {
    const bytes = await io.read(ldapMessageLength);
    if (bytes.length === 0) return malformed('connection closed before searchResDone');
    const read = parseLdapMessage(bytes);
    if (!read.ok) return read;
    const m = read.value;
    if (m.kind === 'other') {
      // messageID 0 + extendedResponse is the server's Notice of Disconnection (RFC 4511 §4.4.1).
      return malformed(
        m.messageId === 0
          ? 'server sent a notice of disconnection'
          : `unexpected LDAP operation 0x${m.tag.toString(16)}`,
      );
    }
    if (m.kind === 'entry') for (const [k, v] of m.attributes) attributes.set(k, v);
    if (m.kind === 'done') return parsed({ attributes, resultCode: m.resultCode, diagnostic: m.diagnostic });
  }
  return malformed(`no searchResDone within ${MAX_MESSAGES} messages`);
}

const level = (v: string | undefined) => (v === undefined ? undefined : (LEVELS[v] ?? `level ${v}`));

/** Evidence lines for a rootDSE answer; `globalCatalog` when the port is 3268/3269. */
export function rootDseEvidence(dse: RootDse, globalCatalog: boolean): Recognition {
  const a = (name: string) => dse.attributes.get(name.toLowerCase());
  const one = (name: string) => a(name)?.[0];
  const evidence: string[] = [];
  const warnings: string[] = [];
  const service = globalCatalog ? 'global catalog' : 'LDAP';
  if (dse.resultCode !== 0) {
    evidence.push(`${service} server answered the rootDSE search with result code ${dse.resultCode}`);
    if (dse.diagnostic) evidence.push(`diagnostic: ${dse.diagnostic}`);
    return recognized(evidence, [`rootDSE search failed with result code ${dse.resultCode}`]);
  }
  const ad = a('supportedCapabilities')?.includes(AD_CAPABILITY);
  evidence.push(`${service} rootDSE answered${ad ? ' by Active Directory' : ''}`);
  if (one('dnsHostName')) evidence.push(`dnsHostName ${one('dnsHostName')}`);
  if (one('defaultNamingContext')) evidence.push(`defaultNamingContext ${one('defaultNamingContext')}`);
  if (one('ldapServiceName')) evidence.push(`ldapServiceName ${one('ldapServiceName')}`);
  const levels = [
    ['domain', level(one('domainFunctionality'))],
    ['forest', level(one('forestFunctionality'))],
    ['DC', level(one('domainControllerFunctionality'))],
  ].filter(([, v]) => v !== undefined);
  if (levels.length) evidence.push(`functional levels: ${levels.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (a('supportedLDAPVersion')) evidence.push(`supportedLDAPVersion ${a('supportedLDAPVersion')?.join(', ')}`);
  const gc = one('isGlobalCatalogReady');
  if (gc !== undefined) evidence.push(`isGlobalCatalogReady ${gc}`);
  if (globalCatalog && gc?.toUpperCase() !== 'TRUE')
    warnings.push('the server does not say it is a ready global catalog');
  return recognized(evidence, warnings);
}

function ldapModule(id: string, ports: number[], opts: { tls: boolean; globalCatalog: boolean }): TcpProtocol {
  const over = opts.tls ? ' over TLS' : '';
  return {
    kind: 'stream',
    id,
    transport: 'tcp',
    ports,
    ...(opts.tls ? { tls: true } : {}),
    describe: `anonymous LDAP rootDSE search${over}; recognised: LDAP messages up to searchResDone`,
    async converse(io: StreamIO, ctx: ProbeContext) {
      const cert = opts.tls && io.tls ? certificateEvidence(io.tls, ctx.target) : { evidence: [], warnings: [] };
      const dse = await searchRootDse(io);
      // Over TLS the handshake completed: the certificate facts stand even when LDAP inside it fails.
      if (!dse.ok) return rejected(dse.reason, cert);
      const r = rootDseEvidence(dse.value, opts.globalCatalog);
      return withFacts(r, cert);
    },
  };
}

export const ldap = ldapModule('ldap', [389], { tls: false, globalCatalog: false });
export const ldapGc = ldapModule('ldap-gc', [3268], { tls: false, globalCatalog: true });
export const ldaps = ldapModule('ldaps', [636], { tls: true, globalCatalog: false });
export const ldapsGc = ldapModule('ldaps-gc', [3269], { tls: true, globalCatalog: true });
