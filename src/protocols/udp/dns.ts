/**
 * DNS over UDP 53 (RFC 1035 §4.1).
 *
 * Sends: one query, RD=0, for the SOA of the known domain (`ctx.domain`), or for the root
 * NS when no domain is known. The id comes from the nonce.
 * Recognised: QR=1, opcode 0, our id, and our question echoed (case-insensitively); a
 * reply with no question is accepted only with a non-zero RCODE (some servers strip it
 * from errors).
 * Proves: a DNS server answers on the port. Any RCODE, REFUSED included, proves that;
 * NOERROR with AA=1 for the domain's SOA also proves the server is authoritative for it
 * (an AD-integrated zone on a DC).
 * Caveats: a forwarder answers NOERROR without AA; a REFUSED only proves the service.
 */
import { bytesEqual, concat, readU16be, u16be } from '../codec/bytes.js';
import { encodeName, readName, sameName } from '../codec/dns-name.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33 } as const;
const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(TYPE).map(([k, v]) => [v, k]));

/** RCODE names (RFC 1035 §4.1.1, RFC 2136 §2.2). */
export const RCODES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
];

/** The name and type a probe asks about: the domain's SOA, or the root NS. */
export function dnsQuestion(ctx: ProbeContext): { name: string; type: 'SOA' | 'NS' } {
  const name = (ctx.domain ?? '').replace(/\.$/, '');
  return name ? { name, type: 'SOA' } : { name: '.', type: 'NS' };
}

function questionBytes(ctx: ProbeContext): Uint8Array {
  const q = dnsQuestion(ctx);
  return concat(encodeName(q.name), u16be(TYPE[q.type]), u16be(1));
}

function build(ctx: ProbeContext): Uint8Array {
  return concat(
    [ctx.nonce[0] ?? 0, ctx.nonce[1] ?? 0],
    u16be(0),
    u16be(1),
    u16be(0),
    u16be(0),
    u16be(0),
    questionBytes(ctx),
  );
}

/** Read one resource record at `offset`; `null` when it does not fit. */
function readRecord(msg: Uint8Array, offset: number) {
  const owner = readName(msg, offset);
  if (!owner) return null;
  const type = readU16be(msg, owner.end);
  const rdlength = readU16be(msg, owner.end + 8);
  if (type === null || rdlength === null) return null;
  const rdata = owner.end + 10;
  if (rdata + rdlength > msg.length) return null;
  return { owner: owner.name, type, rdata, rdlength, end: rdata + rdlength };
}

function describeRecord(msg: Uint8Array, r: { owner: string; type: number; rdata: number }): string {
  const owner = r.owner || '.';
  const typeName = TYPE_NAMES[r.type] ?? `TYPE${r.type}`;
  if (r.type === TYPE.SOA) {
    const mname = readName(msg, r.rdata);
    const rname = mname && readName(msg, mname.end);
    if (mname && rname) return `SOA ${owner}: primary ${mname.name || '.'}, contact ${rname.name || '.'}`;
  }
  if (r.type === TYPE.NS || r.type === TYPE.CNAME) {
    const target = readName(msg, r.rdata);
    if (target) return `${typeName} ${owner}: ${target.name || '.'}`;
  }
  return `${typeName} ${owner}`;
}

/** Records described in the evidence at most (answer and authority sections). */
const DESCRIBED_RECORDS = 8;

/**
 * Walk the answer, authority and additional sections as far as the bytes hold records:
 * how many each really has (never more than the header claims), the first answer and
 * authority records in words, and whether the header claimed more than was there.
 */
function readSections(msg: Uint8Array, start: number, claimed: number[]) {
  const counts = [0, 0, 0];
  const described: string[] = [];
  let offset = start;
  let short = false;
  claimed.forEach((claim, section) => {
    for (let i = 0; i < claim && !short; i++) {
      const r = readRecord(msg, offset);
      if (!r) short = true;
      else {
        counts[section]++;
        if (section < 2 && described.length < DESCRIBED_RECORDS) described.push(describeRecord(msg, r));
        offset = r.end;
      }
    }
  });
  return { counts, described, short };
}

function recognize(reply: Uint8Array, ctx: ProbeContext): Recognition {
  if (reply.length < 12) return rejected(`reply too short for a DNS header (${reply.length} bytes)`);
  const req = build(ctx);
  if (reply[0] !== req[0] || reply[1] !== req[1]) return rejected('DNS id does not match the query');
  const flags = readU16be(reply, 2) ?? 0;
  if (!(flags & 0x8000)) return rejected('QR bit clear: not a DNS response');
  if ((flags >> 11) & 0xf) return rejected(`unexpected opcode ${(flags >> 11) & 0xf}`);
  const rcode = flags & 0xf;
  const [qd, an, ns, ar] = [4, 6, 8, 10].map((o) => readU16be(reply, o) ?? 0);
  const question = questionBytes(ctx);
  let offset = 12;
  if (qd === 1) {
    const echoed = reply.subarray(12, 12 + question.length);
    const nameLength = question.length - 4;
    const sameQuestion =
      echoed.length === question.length &&
      sameName(echoed.subarray(0, nameLength), question.subarray(0, nameLength)) &&
      bytesEqual(echoed.subarray(nameLength), question.subarray(nameLength));
    if (!sameQuestion) return rejected('the reply does not echo our question');
    offset += question.length;
  } else if (qd !== 0 || rcode === 0) {
    return rejected(`question count ${qd} in a reply to one question`);
  }
  const rcodeName = RCODES[rcode] ?? `RCODE${rcode}`;
  const aa = Boolean(flags & 0x0400);
  const q = dnsQuestion(ctx);
  const sections = readSections(reply, offset, [an, ns, ar]);
  const evidence = [
    `DNS reply to ${q.type} ${q.name}: ${rcodeName}${aa ? ', authoritative (AA)' : ''}${flags & 0x0080 ? ', recursion available' : ''}`,
    `${sections.counts[0]} answer, ${sections.counts[1]} authority, ${sections.counts[2]} additional records`,
    ...sections.described,
  ];
  // The header's counts are the server's claim; only the records we could read are stated as facts.
  if (sections.short) evidence.push('the header counts more records than the reply holds');
  const warnings: string[] = [];
  if (flags & 0x0200) warnings.push('reply truncated (TC): large answers need DNS over TCP 53');
  if (rcode === 5) warnings.push('the server refused the query: it runs, but not for this client or zone');
  return recognized(evidence, warnings);
}

export const dns: UdpProtocol = {
  kind: 'datagram',
  id: 'dns',
  transport: 'udp',
  everyServerAnswers: true,
  ports: [53],
  describe: 'DNS query (SOA of the domain, or root NS); a response with our id and question proves a DNS server',
  buildRequest: build,
  recognize,
};
