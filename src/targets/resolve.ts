/**
 * Names resolve once per target, before any probe: every probe of a target uses the
 * same address(es), and a name that does not resolve is one per-target problem, said once.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** Why a target cannot be probed. `describeTargetProblem` (analyze/describe.ts) puts it into words. */
export type TargetProblem = { kind: 'unresolved'; name: string; code: string };

export type Resolution = { addresses: string[]; problem: null } | { addresses: []; problem: TargetProblem };

/** The addresses of `name` (the first only unless `all`), or why there are none. Never throws. */
export async function resolveName(name: string, all: boolean): Promise<Resolution> {
  if (isIP(name)) return { addresses: [name], problem: null };
  try {
    const found = await lookup(name, { all: true, verbatim: true });
    const addresses = [...new Set(found.map((a) => a.address))];
    return { addresses: all ? addresses : addresses.slice(0, 1), problem: null };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { addresses: [], problem: { kind: 'unresolved', name, code } };
  }
}
