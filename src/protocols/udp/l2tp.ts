/**
 * L2TP (v2) on UDP 1701 (RFC 2661 §3.1, §4.4, §6.1–6.3).
 *
 * Sends: a Start-Control-Connection-Request (SCCRQ) with host name "portolan" and an
 * assigned tunnel id from the nonce (never zero).
 * Recognised: a control message (T, L bits, version 2) addressed to our tunnel id: SCCRP,
 * StopCCN, or a zero-length-body acknowledgement.
 * Proves: an L2TP LNS; evidence: message type, host name, vendor, result code.
 * Caveats: Windows RRAS accepts L2TP only inside IPsec, so a clear SCCRQ is dropped
 * (`open|filtered`). The peer may answer from another port. The tunnel is never finished:
 * the peer retransmits, then times out.
 */
import { ascii, concat, printable, readU16be, u16be } from '../codec/bytes.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

const MESSAGES: Record<number, string> = { 1: 'SCCRQ', 2: 'SCCRP', 3: 'SCCCN', 4: 'StopCCN', 6: 'HELLO' };
/** AVPs walked at most. */
const MAX_AVPS = 64;

const tunnelId = (ctx: ProbeContext): number => (readU16be(ctx.nonce, 0) ?? 0x4242) || 0x4242;

const avp = (type: number, value: Uint8Array | number[]) =>
  concat(u16be(0x8000 | (6 + value.length)), u16be(0), u16be(type), value);

function build(ctx: ProbeContext): Uint8Array {
  const avps = concat(
    avp(0, u16be(1)), // Message Type SCCRQ
    avp(2, [1, 0]), // Protocol Version 1.0
    avp(3, [0, 0, 0, 3]), // Framing Capabilities: sync + async
    avp(7, ascii('portolan')), // Host Name
    avp(9, u16be(tunnelId(ctx))), // Assigned Tunnel ID
  );
  return concat([0xc8, 0x02], u16be(12 + avps.length), u16be(0), u16be(0), u16be(0), u16be(0), avps);
}

function recognize(reply: Uint8Array, ctx: ProbeContext): Recognition {
  if (reply.length < 12) return rejected(`reply too short for an L2TP control header (${reply.length} bytes)`);
  if ((reply[0] & 0xc8) !== 0xc8) return rejected('not an L2TP control message (T, L, S bits)');
  if ((reply[1] & 0x0f) !== 2) return rejected(`L2TP version ${reply[1] & 0x0f}, not 2`);
  const length = readU16be(reply, 2) ?? 0;
  if (length < 12 || length > reply.length) return rejected(`L2TP length ${length} does not fit the datagram`);
  if (readU16be(reply, 4) !== tunnelId(ctx)) return rejected('tunnel id is not the one we assigned');
  let offset = 12 + (reply[0] & 0x02 ? 2 + (readU16be(reply, 12) ?? 0) : 0);
  if (offset === length) return recognized(['L2TP peer acknowledged our SCCRQ (zero-length body)']);
  const facts: string[] = [];
  let type: number | null = null;
  for (let n = 0; offset + 6 <= length && n < MAX_AVPS; n++) {
    const head = readU16be(reply, offset) ?? 0;
    const alen = head & 0x03ff;
    if (alen < 6 || offset + alen > length) return rejected('AVP runs past the message');
    const vendor = readU16be(reply, offset + 2);
    const attr = readU16be(reply, offset + 4);
    const value = reply.subarray(offset + 6, offset + alen);
    const hidden = Boolean(head & 0x4000);
    if (vendor === 0 && !hidden) {
      if (attr === 0) type = readU16be(value, 0);
      if (attr === 1)
        facts.push(
          `result code ${readU16be(value, 0)}${value.length > 4 ? `: ${printable(value.subarray(4), 80)}` : ''}`,
        );
      if (attr === 7) facts.push(`host name ${printable(value, 64)}`);
      if (attr === 8) facts.push(`vendor ${printable(value, 64)}`);
    }
    offset += alen;
  }
  if (type !== 2 && type !== 4) return rejected(`L2TP message type ${type} is not SCCRP or StopCCN`);
  return recognized([`L2TP peer answered with ${MESSAGES[type]}`, ...facts]);
}

export const l2tp: UdpProtocol = {
  kind: 'datagram',
  id: 'l2tp',
  transport: 'udp',
  ports: [1701],
  describe: 'L2TP SCCRQ; an SCCRP/StopCCN/ZLB to our tunnel id proves an L2TP LNS',
  buildRequest: build,
  recognize,
  replyFromOtherPort: true,
};
