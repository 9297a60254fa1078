/**
 * Find a domain's controllers the way the DC locator does: the SRV records
 * `_ldap._tcp.dc._msdcs.<domain>`. Through the system `dig` (node-dig-dns), which can
 * ask a given DNS server and bind to the run's source address; when `dig` is missing
 * the answer says so (`via: 'node-resolver'`) and Node's resolver asks instead.
 */
import { Resolver } from 'node:dns/promises';
import dig from 'node-dig-dns';
import { PortolanError } from '../errors.js';

export interface SrvTarget {
  name: string;
  port: number;
  priority: number;
  weight: number;
  /** Addresses of `name`, asked of the same DNS server (empty: resolve it the usual way). */
  addresses?: string[];
}

export interface Discovery {
  query: string;
  targets: SrvTarget[];
  /** Who asked: the system `dig`, or Node's resolver because dig is not installed. */
  via: 'dig' | 'node-resolver';
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
    throw new PortolanError('INVALID_VALUE', `domain "${domain}": expected a DNS domain name such as corp.example`, {
      fields: ['domain'],
    });
  }
  const query = `_ldap._tcp.dc._msdcs.${domain.replace(/\.$/, '')}`;
  const seconds = Math.max(1, Math.ceil((opts.timeoutMs ?? 2000) / 1000));
  const server = opts.dnsServer ? splitServer(opts.dnsServer) : null;
  const args = [
    ...(server ? [`@${server.host}`, ...(server.port ? ['-p', server.port] : [])] : []),
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
      throw new PortolanError(
        'DISCOVERY_FAILED',
        `no answer from ${opts.dnsServer ?? 'the system DNS server'} for ${query}`,
      );
    }
    return {
      query,
      targets: await withAddresses(parseSrvShort(text), opts),
      via: 'dig',
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof PortolanError) throw err;
      throw new PortolanError(
        'DISCOVERY_FAILED',
        `SRV lookup of ${query} failed: ${(err as Error).message || 'dig failed'}`,
      );
    }
  }
  // dig is not installed: Node's resolver can still ask the same server, without binding to --source.
  const resolver = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: 2 });
  if (opts.dnsServer) resolver.setServers([opts.dnsServer]);
  try {
    const records = await resolver.resolveSrv(query);
    return {
      query,
      targets: await withAddresses(
        records.map((r) => ({ name: r.name, port: r.port, priority: r.priority, weight: r.weight })).sort(bySrvOrder),
        opts,
      ),
      via: 'node-resolver',
    };
  } catch (err) {
    throw new PortolanError(
      'DISCOVERY_FAILED',
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

/**
 * A domain's controllers are often only in that domain's DNS: when a DNS server was named,
 * resolve each one there too (A and AAAA), so a client outside the domain can still check them.
 */
async function withAddresses(targets: SrvTarget[], opts: DiscoverOptions): Promise<SrvTarget[]> {
  if (!opts.dnsServer) return targets;
  const resolver = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: 2 });
  resolver.setServers([opts.dnsServer]);
  return Promise.all(
    targets.map(async (t) => {
      const [v4, v6] = await Promise.all([
        resolver.resolve4(t.name).catch(() => [] as string[]),
        resolver.resolve6(t.name).catch(() => [] as string[]),
      ]);
      return { ...t, addresses: [...v4, ...v6] };
    }),
  );
}

/** "192.0.2.53", "192.0.2.53:5353", "[2001:db8::53]:5353" or a bare IPv6 address. */
export function splitServer(text: string): { host: string; port: string | null } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { host: v6[1] as string, port: v6[2] ?? null };
  const v4 = /^([^:]+):(\d+)$/.exec(text);
  if (v4) return { host: v4[1] as string, port: v4[2] as string };
  return { host: text, port: null };
}
