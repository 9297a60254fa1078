/**
 * The datagram sent where no protocol module exists for a UDP port: empty, as nmap
 * sends for unknown ports. It can draw ICMP port-unreachable (closed) but never
 * confirms a service: any reply is recorded as "something answered", not recognised.
 */
import { rejected } from './recognition.js';
import type { UdpProtocol } from './types.js';

export const genericUdp: UdpProtocol = {
  kind: 'datagram',
  id: 'generic-udp',
  transport: 'udp',
  ports: [],
  describe: 'an empty datagram; any reply shows something listens, without saying what',
  buildRequest: () => new Uint8Array(0),
  recognize: (reply) =>
    rejected('no protocol module for this port', { evidence: [`${reply.length}-byte reply to an empty datagram`] }),
};
