/**
 * The `portolan check` command a client should run against this responder: the same role
 * and range options (so both sides sample the same RPC ports), this host's address and the
 * token.
 */
import { networkInterfaces } from 'node:os';

export interface CheckCommandParts {
  role: string;
  address: string;
  token: string;
  /** Options that change which ports are probed, passed through as given (`--profile legacy`). */
  passThrough: [flag: string, value: string | undefined][];
}

export function checkCommand(p: CheckCommandParts): string[] {
  const extra = p.passThrough.flatMap(([flag, value]) => (value === undefined ? [] : [flag, value]));
  return ['portolan', 'check', '--role', p.role, p.address, ...extra, '--responder', '--token', p.token];
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The address to tell clients: the bound one, or else this host's first non-loopback
 * IPv4 address (then IPv6), or a placeholder the user must fill in.
 */
export function advertisedAddress(bind: string | undefined): string {
  if (bind && !WILDCARDS.has(bind)) return bind;
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const usable = all.filter((a) => !a.internal && !a.address.startsWith('fe80:'));
  return (usable.find((a) => a.family === 'IPv4') ?? usable[0])?.address ?? 'THIS-HOST-ADDRESS';
}
