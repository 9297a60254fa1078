/** How a row's endpoint reads in listings: "389/tcp", "49152-65535/tcp", "icmp echo", "ip proto 50". */
import type { Transport } from '../model.js';

export interface EndpointLike {
  protocol: Transport;
  port?: number | null;
  range?: string | null;
  portSet?: string | null;
  ipProtocol?: number | null;
}

export function endpointLabel(e: EndpointLike): string {
  if (e.protocol === 'icmp') return 'icmp echo';
  if (e.protocol === 'ip') return `ip proto ${e.ipProtocol}`;
  return `${e.port ?? e.range ?? e.portSet}/${e.protocol}`;
}
