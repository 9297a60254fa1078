/**
 * NetBIOS Name Service on UDP 137: node status (NBSTAT) for `*` (RFC 1002 §4.2.17–4.2.18).
 *
 * Sends: a NODE STATUS REQUEST for the name `*` (first-level encoded "CKAAAA..."), the
 * transaction id from the nonce.
 * Recognised: our transaction id, a response (R bit), opcode 0, at least one answer whose
 * type is NBSTAT (0x21), class IN, and a name table that fits the record.
 * Proves: NetBIOS over TCP/IP is enabled; gives the registered names (computer, domain or
 * workgroup, DC <1C>, browser roles) and the MAC address (Samba sends zeros).
 * Caveats: a DNS server on 137 answers with a DNS error echoing the question; the NBSTAT
 * answer type check rejects it. NetBIOS disabled on the NIC: no answer.
 */
import { concat, hex, printable, readU16be, u16be } from '../codec/bytes.js';
import { readName } from '../codec/dns-name.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

const NBSTAT = 0x21;
/** Names listed at most: a real table has under 30. */
const MAX_NAMES = 64;

/** Meaning of a name's suffix byte ([MS-NBTE] 2.2.1; unique vs group matters for 0x00 and 0x1c). */
const SUFFIXES: Record<number, string> = {
  0: 'workstation',
  3: 'messenger',
  27: 'domain master browser',
  28: 'domain controllers',
  29: 'master browser',
  30: 'browser election',
  32: 'file server',
};

/** First-level encoding of a 16-byte NetBIOS name (RFC 1001 §14.1). */
export function encodeNetbiosName(name: string, suffix: number): Uint8Array {
  const raw =
    (name === '*' ? '*'.padEnd(15, '\0') : name.toUpperCase().padEnd(15, ' ').slice(0, 15)) +
    String.fromCharCode(suffix);
  const out = [32];
  for (let i = 0; i < 16; i++) {
    const c = raw.charCodeAt(i);
    out.push(0x41 + (c >> 4), 0x41 + (c & 0xf));
  }
  out.push(0);
  return Uint8Array.from(out);
}

function build(ctx: ProbeContext): Uint8Array {
  const id = [ctx.nonce[0] ?? 0, ctx.nonce[1] ?? 0];
  return concat(
    id,
    u16be(0),
    u16be(1),
    u16be(0),
    u16be(0),
    u16be(0),
    encodeNetbiosName('*', 0),
    u16be(NBSTAT),
    u16be(1),
  );
}

function recognize(reply: Uint8Array, ctx: ProbeContext): Recognition {
  if (reply.length < 12) return rejected(`reply too short for a name service header (${reply.length} bytes)`);
  if (reply[0] !== (ctx.nonce[0] ?? 0) || reply[1] !== (ctx.nonce[1] ?? 0))
    return rejected('transaction id does not match');
  const flags = readU16be(reply, 2) ?? 0;
  if (!(flags & 0x8000)) return rejected('not a response');
  if ((flags >> 11) & 0xf) return rejected(`opcode ${(flags >> 11) & 0xf}, not a query response`);
  if ((readU16be(reply, 6) ?? 0) < 1) return rejected(`no answer record (rcode ${flags & 0xf})`);
  // Skip a question section if the responder echoed one (RFC 1002 says none; some do).
  let offset = 12;
  for (let q = readU16be(reply, 4) ?? 0; q > 0; q--) {
    const n = readName(reply, offset);
    if (!n) return rejected('malformed question');
    offset = n.end + 4;
  }
  const owner = readName(reply, offset);
  if (!owner) return rejected('malformed answer name');
  const type = readU16be(reply, owner.end);
  const cls = readU16be(reply, owner.end + 2);
  const rdlength = readU16be(reply, owner.end + 8);
  if (type !== NBSTAT || cls !== 1) return rejected(`answer type ${type} class ${cls}, not NBSTAT IN`);
  const rdata = owner.end + 10;
  if (rdlength === null || rdata + rdlength > reply.length || rdlength < 1) return rejected('truncated NBSTAT record');
  const count = reply[rdata];
  const tableEnd = rdata + 1 + count * 18;
  if (tableEnd > rdata + rdlength) return rejected(`name table of ${count} names does not fit the record`);
  const evidence = [`NetBIOS name service answered a node status request: ${count} names`];
  for (let i = 0; i < Math.min(count, MAX_NAMES); i++) {
    const e = rdata + 1 + i * 18;
    const name = printable(reply.subarray(e, e + 15), 15).trimEnd();
    const suffix = reply[e + 15];
    const nameFlags = readU16be(reply, e + 16) ?? 0;
    const group = nameFlags & 0x8000 ? 'group' : 'unique';
    const role = SUFFIXES[suffix] ?? 'other service';
    const active = nameFlags & 0x0400 ? '' : ', not active';
    evidence.push(`${name}<${suffix.toString(16).padStart(2, '0')}> ${group}: ${role}${active}`);
  }
  if (tableEnd + 6 <= rdata + rdlength) {
    const mac = reply.subarray(tableEnd, tableEnd + 6);
    evidence.push(
      mac.every((b) => b === 0) ? 'MAC address not given (zeros, as Samba sends)' : `MAC address ${hex(mac, ':')}`,
    );
  }
  return recognized(evidence);
}

export const nbns: UdpProtocol = {
  kind: 'datagram',
  id: 'nbns',
  transport: 'udp',
  ports: [137],
  describe: 'NetBIOS node status request for *; an NBSTAT answer with our id lists the registered names',
  buildRequest: build,
  recognize,
};
