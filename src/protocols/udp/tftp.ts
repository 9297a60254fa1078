/**
 * TFTP on UDP 69 (RFC 1350 §4–5; RFC 2347 OACK).
 *
 * Sends: a read request (RRQ, mode octet) for a random file name that cannot exist.
 * Recognised: an ERROR packet (opcode 5) with a code and a NUL-terminated message, or
 * DATA block 1 / OACK if such a file exists. The server answers from a new port (its
 * transfer id), so `replyFromOtherPort` tells the engine to use an unconnected socket.
 * Proves: a TFTP server (WDS, tftpd-hpa ...).
 * Caveats: a stateful firewall or NAT in front of the prober drops the reply from the new
 * port: silence is then `open|filtered` even with a server behind it.
 */
import { ascii, concat, hex, printable, readU16be } from '../codec/bytes.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

const ERRORS = [
  'not defined',
  'file not found',
  'access violation',
  'disk full',
  'illegal operation',
  'unknown transfer id',
  'file already exists',
  'no such user',
  'option negotiation refused',
];

/** The made-up file name the request asks for. */
export const probeFileName = (ctx: ProbeContext): string => `portolan-probe-${hex(ctx.nonce.subarray(0, 6))}.nx`;

function recognize(reply: Uint8Array): Recognition {
  const opcode = readU16be(reply, 0);
  if (opcode === null) return rejected(`reply too short for a TFTP opcode (${reply.length} bytes)`);
  if (opcode === 5) {
    const code = readU16be(reply, 2);
    if (code === null) return rejected('truncated TFTP ERROR');
    const nul = reply.indexOf(0, 4);
    if (nul < 0) return rejected('TFTP ERROR message is not NUL-terminated');
    const message = printable(reply.subarray(4, nul), 120);
    return recognized([
      `TFTP server answered with ERROR ${code} (${ERRORS[code] ?? 'unknown'})${message ? `: ${message}` : ''}`,
    ]);
  }
  if (opcode === 3 && readU16be(reply, 2) === 1) {
    return recognized(['TFTP server sent DATA block 1'], ['a file with our made-up name exists on the server']);
  }
  if (opcode === 6) return recognized(['TFTP server answered with an option acknowledgement (OACK)']);
  return rejected(`TFTP opcode ${opcode} is not an answer to a read request`);
}

export const tftp: UdpProtocol = {
  kind: 'datagram',
  id: 'tftp',
  transport: 'udp',
  ports: [69],
  describe: 'TFTP read request for a made-up file; an ERROR (from a new port) proves a TFTP server',
  buildRequest: (ctx) => concat([0, 1], ascii(probeFileName(ctx)), [0], ascii('octet'), [0]),
  recognize,
  replyFromOtherPort: true,
};
