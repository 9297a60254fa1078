/**
 * Names resolve once per target, before any probe: every probe of a target uses the
 * same address(es), and a name that does not resolve is one per-target problem, said once.
 * A transient resolver failure (EAI_AGAIN: the DNS server did not answer in time) is asked
 * again once before it counts.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { printableText } from '../printable.js';

/**
 * Why a target cannot be probed. `code` is the resolver's error code (ENOTFOUND, EAI_AGAIN ...),
 * `message` its own words, made printable (a name can hold control characters). Words for
 * reports: `describeTargetProblem` (analyze/describe.ts).
 */
export type TargetProblem = { kind: 'unresolved'; name: string; code: string; message: string };

export type Resolution = { addresses: string[]; problem: null } | { addresses: []; problem: TargetProblem };

/** The resolver, injectable for tests. */
export type Lookup = (name: string) => Promise<{ address: string }[]>;

const systemLookup: Lookup = (name) => dnsLookup(name, { all: true, verbatim: true });

/** Resolver errors that a second try may not repeat. */
const TRANSIENT = new Set(['EAI_AGAIN']);
/** The wait before that second try. */
const RETRY_AFTER_MS = 500;
/** Resolver words kept at most. */
const MAX_WORDS = 200;

/** The addresses of `name` (the first only unless `all`), or why there are none. Never throws. */
export async function resolveName(name: string, all: boolean, lookup: Lookup = systemLookup): Promise<Resolution> {
  if (isIP(name)) return { addresses: [name], problem: null };
  let failure: unknown = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
    try {
      const addresses = [...new Set((await lookup(name)).map((a) => a.address))];
      return { addresses: all ? addresses : addresses.slice(0, 1), problem: null };
    } catch (err) {
      failure = err;
      if (!TRANSIENT.has(String((err as NodeJS.ErrnoException).code))) break;
    }
  }
  const code = String((failure as NodeJS.ErrnoException).code ?? 'ERROR');
  const message = (failure as Error).message || code;
  return {
    addresses: [],
    problem: { kind: 'unresolved', name: words(name), code: words(code), message: words(message) },
  };
}

/** Untrusted text (a name from a file, a resolver's message quoting it) as one printable line. */
function words(text: string): string {
  return printableText(text, MAX_WORDS);
}
