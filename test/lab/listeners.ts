/**
 * Reads the sockets really listening in a namespace (`ss -Hlntup`), so the ground truth comes
 * from the kernel, not from what a config file was meant to do.
 */
import { runIn } from './run.js';

export interface Listener {
  protocol: 'tcp' | 'udp';
  /** Local address as ss prints it, brackets and zone removed: `10.231.0.20`, `0.0.0.0`, `*`, `::`. */
  address: string;
  port: number;
  process: string | null;
}

const WILDCARDS = new Set(['0.0.0.0', '*', '::']);

/** Parses one `ss -H -l -n -t -u -p` line; null for lines that are not a TCP/UDP listener. */
export function parseSsLine(line: string): Listener | null {
  const fields = line.trim().split(/\s+/);
  const netid = fields[0];
  if ((netid !== 'tcp' && netid !== 'udp') || fields.length < 5) return null;
  const local = fields[4] ?? '';
  const colon = local.lastIndexOf(':');
  if (colon <= 0) return null;
  const port = Number(local.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) return null;
  const address = local
    .slice(0, colon)
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  const name = /users:\(\("([^"]+)"/.exec(line);
  return { protocol: netid, address, port, process: name?.[1] ?? null };
}

export function parseSs(text: string): Listener[] {
  return text
    .split('\n')
    .map(parseSsLine)
    .filter((l): l is Listener => l !== null);
}

export async function readListeners(ns: string): Promise<Listener[]> {
  const out = await runIn(ns, 'ss', ['-Hlntup'], { timeoutMs: 5_000 });
  return parseSs(out.stdout);
}

/** The listener that a packet to `address:port` reaches, if any (an exact bind or a wildcard). */
export function listenerFor(
  listeners: readonly Listener[],
  protocol: 'tcp' | 'udp',
  address: string,
  port: number,
): Listener | undefined {
  return listeners.find(
    (l) => l.protocol === protocol && l.port === port && (l.address === address || WILDCARDS.has(l.address)),
  );
}
