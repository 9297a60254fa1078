/**
 * Find a domain's controllers the way the DC locator does: the SRV records
 * `_ldap._tcp.dc._msdcs.<domain>`. Through the system `dig` (node-dig-dns), which can
 * ask a given DNS server and bind to the run's source address; when `dig` is missing
 * we say so and fall back to Node's resolver.
 */
import { Resolver } from 'node:dns/promises';
import dig from 'node-dig-dns';
import { PortolanError } from '../cli/errors.js';

export interface SrvTarget {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

export interface Discovery {
  query: string;
  targets: SrvTarget[];
  /** How the answer was obtained, and any fallback taken. */
  notes: string[];
}

export interface DiscoverOptions {
  dnsServer?: string;
  localAddress?: string;
  timeoutMs?: number;
  /** For tests: another dig binary. */
  digBinary?: string;
}

export async function discoverDomainControllers(domain: string, opts: DiscoverOptions = {}): Promise<Discovery> {
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+\.?$/i.test(domain)) {
    throw new PortolanError('USAGE', `--domain "${domain}": expected a DNS domain name such as corp.example`);
  }
  const query = `_ldap._tcp.dc._msdcs.${domain.replace(/\.$/, '')}`;
  const seconds = Math.max(1, Math.ceil((opts.timeoutMs ?? 2000) / 1000));
  const args = [
    ...(opts.dnsServer ? [`@${opts.dnsServer}`] : []),
    ...(opts.localAddress ? ['-b', opts.localAddress] : []),
    query,
    'SRV',
    '+short',
    `+time=${seconds}`,
    '+tries=2',
  ];
  try {
    const text = await dig(args, { raw: true, dig: opts.digBinary });
    if (/communications error|timed out|no servers could be reached/i.test(text)) {
      throw new PortolanError('TARGET', `no answer from ${opts.dnsServer ?? 'the system DNS server'} for ${query}`);
    }
    return {
      query,
      targets: parseSrvShort(text),
      notes: [`Domain controllers of ${domain} found with dig: ${query} SRV.`],
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof PortolanError) throw err;
      throw new PortolanError('TARGET', `SRV lookup of ${query} failed: ${(err as Error).message || 'dig failed'}`);
    }
  }
  // dig is not installed: Node's resolver can still ask the same server, without binding to --source.
  const resolver = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: 2 });
  if (opts.dnsServer) resolver.setServers([opts.dnsServer]);
  try {
    const records = await resolver.resolveSrv(query);
    return {
      query,
      targets: records
        .map((r) => ({ name: r.name, port: r.port, priority: r.priority, weight: r.weight }))
        .sort(bySrvOrder),
      notes: [
        `dig is not installed (apt-get install dnsutils); found the domain controllers with Node's resolver instead.`,
      ],
    };
  } catch (err) {
    throw new PortolanError(
      'TARGET',
      `SRV lookup of ${query} failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** `dig +short` SRV lines: "0 100 389 dc1.corp.example." */
export function parseSrvShort(text: string): SrvTarget[] {
  const targets: SrvTarget[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+?)\.?\s*$/.exec(line);
    if (m) targets.push({ priority: Number(m[1]), weight: Number(m[2]), port: Number(m[3]), name: m[4] as string });
  }
  return targets.sort(bySrvOrder);
}

function bySrvOrder(a: SrvTarget, b: SrvTarget): number {
  return a.priority - b.priority || b.weight - a.weight || a.name.localeCompare(b.name);
}
