/**
 * MSMQ ping on UDP 3527 ([MS-MQQB] 2.2.7 Ping Packet, 3.1.7.7).
 *
 * Sends: a 24-byte ping request: flags 0, signature 0x5548 ("HU"), a cookie from the
 * nonce, and a zero queue-manager GUID (all little-endian).
 * Recognised: 24 bytes with the signature and our cookie echoed.
 * Proves: an MSMQ queue manager; evidence: its QM GUID (which the TCP 1801 session uses)
 * and whether it refuses sessions (RF flag).
 * Caveats: no Linux server exists; confirmed only against the specification.
 */
import { concat, guidToString, readU16le } from '../codec/bytes.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

const cookie = (ctx: ProbeContext): number[] => [0, 1, 2, 3].map((i) => ctx.nonce[i] ?? i);

function recognize(reply: Uint8Array, ctx: ProbeContext): Recognition {
  if (reply.length !== 24) return rejected(`MSMQ ping replies are 24 bytes, got ${reply.length}`);
  if (readU16le(reply, 2) !== 0x5548) return rejected('no MSMQ ping signature');
  if (!cookie(ctx).every((b, i) => reply[4 + i] === b)) return rejected('cookie does not match');
  const guid = guidToString(reply.subarray(8, 24));
  const flags = readU16le(reply, 0) ?? 0;
  const evidence = [`MSMQ queue manager answered the ping: QM GUID ${guid}`];
  // RF flag: the QM refuses new sessions. Its bit position (0x0002) is read from the spec diagram (verify).
  return flags & 0x0002
    ? recognized(evidence, ['the queue manager says it will not accept sessions'])
    : recognized(evidence);
}

export const msmqPing: UdpProtocol = {
  kind: 'datagram',
  id: 'msmq-ping',
  transport: 'udp',
  ports: [3527],
  describe: 'MSMQ ping request; a ping reply echoing our cookie proves an MSMQ queue manager',
  buildRequest: (ctx) => concat([0, 0, 0x48, 0x55], cookie(ctx), new Uint8Array(16)),
  recognize,
};
