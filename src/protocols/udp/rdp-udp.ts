/**
 * RDP UDP transport on UDP 3389 ([MS-RDPEUDP] 2.2.2.1 RDPUDP_FEC_HEADER, 2.2.2.5
 * RDPUDP_SYNDATA_PAYLOAD, 3.1.5.1.1).
 *
 * Sends: a 1232-byte SYN datagram (snSourceAck -1, receive window 64, uFlags SYN, our
 * initial sequence number from the nonce, MTUs 1232), zero-padded as the spec requires.
 * Recognised: uFlags with SYN and ACK set and snSourceAck equal to our initial sequence number.
 * Proves: the RDP UDP listener (Windows answers unsolicited SYNs when UDP transport is on).
 * Caveats: the final ACK is never sent; UDP transport can be disabled by policy, leaving
 * only TCP 3389. xrdp has no UDP transport.
 */
import { concat, readU16be, readU32be, u16be, u32be } from '../codec/bytes.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

const SYN = 0x0001;
const ACK = 0x0004;
const MTU = 1232;

const initialSequence = (ctx: ProbeContext): number => readU32be(ctx.nonce, 0) ?? 0x1a2b3c4d;

function build(ctx: ProbeContext): Uint8Array {
  const out = new Uint8Array(MTU);
  out.set(concat(u32be(0xffffffff), u16be(64), u16be(SYN), u32be(initialSequence(ctx)), u16be(MTU), u16be(MTU)));
  return out;
}

function recognize(reply: Uint8Array, ctx: ProbeContext): Recognition {
  if (reply.length < 16) return rejected(`reply too short for RDPUDP SYN+ACK (${reply.length} bytes)`);
  const flags = readU16be(reply, 6) ?? 0;
  if ((flags & (SYN | ACK)) !== (SYN | ACK)) return rejected(`uFlags 0x${flags.toString(16)} lack SYN and ACK`);
  if (readU32be(reply, 0) !== initialSequence(ctx))
    return rejected('snSourceAck does not acknowledge our sequence number');
  const up = readU16be(reply, 12);
  const down = readU16be(reply, 14);
  return recognized([`RDP UDP transport answered SYN+ACK (MTU up ${up}, down ${down})`]);
}

export const rdpUdp: UdpProtocol = {
  kind: 'datagram',
  id: 'rdp-udp',
  transport: 'udp',
  ports: [3389],
  describe: 'MS-RDPEUDP SYN; a SYN+ACK acknowledging our sequence number proves the RDP UDP listener',
  buildRequest: build,
  recognize,
};
