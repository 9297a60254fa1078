/**
 * Protocol towers (C706 Appendix L): the floors an endpoint-mapper entry uses to say which
 * interface listens where. Floor 1 is the interface, 2 the transfer syntax, 3 the RPC
 * protocol (0x0b connection-oriented, 0x0a datagram, 0x0c local), 4 the endpoint
 * (port big-endian, or a pipe/LRPC name) and 5 the host.
 */

import { ByteReader, check, parseWith } from '../codec/byte-reader.js';
import { guidToString } from '../codec/bytes.js';
import type { Parsed } from '../codec/parsed.js';
import type { DiscoveredEndpoint } from '../types.js';

export interface Tower {
  interfaceUuid: string;
  interfaceVersion: string;
  protocol: DiscoveredEndpoint['protocol'];
  port: number | null;
  /** Named pipe or LRPC endpoint name, when the endpoint is a name. */
  endpointName: string | null;
  /** IPv4 address or NetBIOS host name from the host floor. */
  host: string | null;
}

const FLOOR_UUID = 0x0d;
const MAX_FLOORS = 16;

/** Identifier of floor 4 (endpoint) → protocol sequence, given floor 3 (RPC protocol). */
function protocolOf(rpcProtocol: number | undefined, endpointId: number | undefined): DiscoveredEndpoint['protocol'] {
  if (rpcProtocol === 0x0b && endpointId === 0x07) return 'tcp';
  if (rpcProtocol === 0x0a && endpointId === 0x08) return 'udp';
  if (rpcProtocol === 0x0b && endpointId === 0x1f) return 'http';
  if (rpcProtocol === 0x0b && endpointId === 0x0f) return 'np';
  if (rpcProtocol === 0x0c && endpointId === 0x10) return 'lrpc';
  return 'other';
}

/** NUL-terminated printable ASCII, bounded by the floor. */
function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  const text = String.fromCharCode(...b.subarray(0, end >= 0 ? end : b.length));
  return text.replace(/[^\x20-\x7e]/g, '?');
}

export function decodeTower(bytes: Uint8Array): Parsed<Tower> {
  return parseWith((): Tower => {
    const r = new ByteReader(bytes);
    const count = r.u16le('floor_count');
    check(count >= 3 && count <= MAX_FLOORS, `floor count ${count} out of range`);
    const floors: { lhs: Uint8Array; rhs: Uint8Array }[] = [];
    for (let i = 0; i < count; i++) {
      const lhs = r.take(r.u16le('lhs length'), 'lhs');
      const rhs = r.take(r.u16le('rhs length'), 'rhs');
      check(lhs.length >= 1, `floor ${i + 1} has an empty left-hand side`);
      floors.push({ lhs, rhs });
    }
    const [iface, , rpc, endpoint, host] = floors;
    check(iface.lhs[0] === FLOOR_UUID && iface.lhs.length === 19, 'floor 1 is not an interface identifier');
    check(iface.rhs.length >= 2, 'floor 1 lacks the minor version');
    const major = iface.lhs[17] | (iface.lhs[18] << 8);
    const minor = iface.rhs[0] | (iface.rhs[1] << 8);
    const protocol = protocolOf(rpc.lhs[0], endpoint?.lhs[0]);
    let port: number | null = null;
    let endpointName: string | null = null;
    if (endpoint && (protocol === 'tcp' || protocol === 'udp' || protocol === 'http')) {
      check(endpoint.rhs.length === 2, 'port floor is not 2 bytes');
      port = (endpoint.rhs[0] << 8) | endpoint.rhs[1];
    } else if (endpoint && (protocol === 'np' || protocol === 'lrpc')) {
      endpointName = cString(endpoint.rhs);
    }
    let address: string | null = null;
    if (host?.lhs[0] === 0x09 && host.rhs.length === 4) address = host.rhs.join('.');
    else if (host?.lhs[0] === 0x11) address = cString(host.rhs);
    return {
      interfaceUuid: guidToString(iface.lhs.subarray(1, 17)),
      interfaceVersion: `${major}.${minor}`,
      protocol,
      port,
      endpointName,
      host: address,
    };
  });
}
