/**
 * Kerberos over TCP 88 and kpasswd over TCP 464 (probes.md B7; RFC 4120 §7.2.2, RFC 3244).
 * The same requests and recognition as the UDP modules (`udp/kerberos.ts`,
 * `udp/kpasswd.ts`), each message wrapped in a 4-byte big-endian length whose high bit is
 * reserved (must be 0).
 */

import { concat, readU32be, u32be } from '../codec/bytes.js';
import { rejected } from '../recognition.js';
import type { TcpProtocol, UdpProtocol } from '../types.js';
import { kerberosUdp } from '../udp/kerberos.js';
import { kpasswdUdp } from '../udp/kpasswd.js';

const MAX_MESSAGE = 1 << 20;

/** Framing: 4-byte length + message; everything at once when the prefix cannot be Kerberos. */
export function krbFrameLength(b: Uint8Array): number {
  if (b.length < 4) return 0;
  const length = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  if (length === 0 || length > MAX_MESSAGE) return b.length;
  return b.length >= 4 + length ? 4 + length : 0;
}

/** A UDP request/recognise module carried over TCP with record marking. */
export function overTcp(udp: UdpProtocol, id: string): TcpProtocol {
  return {
    kind: 'stream',
    id,
    transport: 'tcp',
    ports: udp.ports,
    describe: `${udp.describe} (over TCP, 4-byte length prefix)`,
    async converse(io, ctx) {
      const request = udp.buildRequest(ctx);
      io.write(concat(u32be(request.length), request));
      const reply = await io.read(krbFrameLength);
      const declared = readU32be(reply, 0);
      if (declared === null || declared !== reply.length - 4) {
        return rejected('reply is not one length-prefixed Kerberos message');
      }
      return udp.recognize(reply.subarray(4), ctx);
    },
  };
}

export const kerberosTcp = overTcp(kerberosUdp, 'kerberos-tcp');
export const kpasswdTcp = overTcp(kpasswdUdp, 'kpasswd-tcp');
