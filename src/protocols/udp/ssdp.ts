/**
 * SSDP on UDP 1900 (UPnP Device Architecture 1.1 §1.3.2–1.3.3).
 *
 * Sends: a unicast M-SEARCH for `ssdp:all` to the target.
 * Recognised: an `HTTP/1.1 200 OK` datagram with an ST or USN header.
 * Proves: an SSDP responder with at least one published device or service; evidence:
 * SERVER, ST, USN, LOCATION.
 * Caveats: a responder with nothing published stays silent; Windows "SSDP Discovery" is
 * disabled on Server editions by default. Only the first reply datagram is read.
 */
import { ascii, printable } from '../codec/bytes.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

const SHOWN = ['server', 'st', 'usn', 'location'];

function build(ctx: ProbeContext): Uint8Array {
  const host = ctx.address.includes(':') ? `[${ctx.address}]` : ctx.address;
  return ascii(
    `M-SEARCH * HTTP/1.1\r\nHOST: ${host}:${ctx.port}\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n`,
  );
}

function recognize(reply: Uint8Array): Recognition {
  if (reply.length === 0) return rejected('empty datagram');
  const text = new TextDecoder('latin1').decode(reply.subarray(0, 4096));
  const [status, ...lines] = text.split(/\r?\n/);
  if (!/^HTTP\/1\.[01] 200\b/i.test(status)) return rejected('not an HTTP/1.1 200 response');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (!headers.has('st') && !headers.has('usn'))
    return rejected('HTTP 200 without ST or USN: not an SSDP search response');
  const evidence = ['SSDP responder answered M-SEARCH'];
  for (const h of SHOWN) {
    const v = headers.get(h);
    if (v) evidence.push(`${h.toUpperCase()}: ${printable(ascii(v), 160)}`);
  }
  return recognized(evidence);
}

export const ssdp: UdpProtocol = {
  kind: 'datagram',
  id: 'ssdp',
  transport: 'udp',
  ports: [1900],
  describe: 'unicast SSDP M-SEARCH ssdp:all; an HTTP 200 with ST/USN proves an SSDP responder',
  buildRequest: build,
  recognize,
};
