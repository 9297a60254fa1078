/**
 * Names resolve once per target, before any probe: every probe of a target uses the
 * same address(es), and a name that does not resolve is reported once, clearly.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface Resolved {
  name: string;
  addresses: string[];
  error: string | null;
}

export async function resolveTarget(name: string, all: boolean): Promise<Resolved> {
  if (isIP(name)) return { name, addresses: [name], error: null };
  try {
    const found = await lookup(name, { all: true, verbatim: true });
    const addresses = [...new Set(found.map((a) => a.address))];
    return { name, addresses: all ? addresses : addresses.slice(0, 1), error: null };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { name, addresses: [], error: `"${name}" did not resolve (${code ?? (err as Error).message})` };
  }
}
