/**
 * Which ports a responder serves for a role: every single TCP/UDP port of its expectations,
 * and for ranges (the dynamic RPC range, fixed ranges) only the deterministic sample that
 * `portolan check` probes, never thousands of sockets. ICMP and bare IP protocols have no
 * port to listen on; they are listed as not served, with why.
 */
import { parseRange } from '../catalog/port-sets.js';
import type { Expectation } from '../model.js';
import { sampleRange } from '../probe/rpc-sample.js';
import type { ResponderTransport } from './handshake.js';

export interface PortSpec {
  transport: ResponderTransport;
  port: number;
  /** The services of the role that use the port. */
  uses: string[];
  /** For a port picked from a range: "sample of 49152-65535". */
  note?: string;
}

export interface PortPlan {
  ports: PortSpec[];
  notServed: { what: string; why: string }[];
}

export function portsForExpectations(expectations: Expectation[], rpcSample: number): PortPlan {
  const byKey = new Map<string, PortSpec>();
  const notServed: PortPlan['notServed'] = [];
  const add = (transport: ResponderTransport, port: number, use: string, range?: string) => {
    const key = `${port}/${transport}`;
    const spec: PortSpec = byKey.get(key) ?? { transport, port, uses: [] };
    if (!spec.uses.includes(use)) spec.uses.push(use);
    if (range) spec.note = `sample of ${range}`;
    byKey.set(key, spec);
  };
  for (const e of expectations) {
    const use = `${e.serviceName}: ${e.application}`;
    if (e.protocol === 'icmp') {
      notServed.push({ what: `ICMP (${use})`, why: 'the operating system answers echo requests itself' });
    } else if (e.protocol === 'ip') {
      notServed.push({ what: `IP protocol ${e.ipProtocol} (${use})`, why: 'there is no port to listen on' });
    } else if (e.port !== null) {
      add(e.protocol, e.port, e.serviceName);
    } else if (e.range !== null) {
      const { first, last } = parseRange(e.range);
      for (const port of sampleRange(first, last, rpcSample)) add(e.protocol, port, e.serviceName, e.range);
    }
  }
  const ports = [...byKey.values()].sort((a, b) => a.port - b.port || a.transport.localeCompare(b.transport));
  return { ports, notServed };
}
