/**
 * The targets stage, between the catalog and the probes: names as the user gave them (and
 * the domain controllers SRV discovery finds) become deduplicated targets with the addresses
 * to probe. A name that does not resolve is a per-target `problem`, never an exception: the
 * run goes on, and that target's rows are `error` (resolve-failed). Whole-run problems (a `--source` this machine does
 * not have, SRV discovery that fails, no target at all) throw.
 */
import pLimit from 'p-limit';
import { PortolanError } from '../errors.js';
import type { RunNote } from '../model.js';
import { discoverDomainControllers } from './domain-controllers.js';
import { type Lookup, resolveName, type TargetProblem } from './resolve.js';
import { inShard, type Shard } from './shard.js';
import { checkSourceAddress } from './source.js';

export type { Lookup, TargetProblem } from './resolve.js';
export { localAddresses } from './source.js';

/** One target as asked for. */
export interface TargetRequest {
  name: string;
  /** How it came into the run: "command line", "plan nightly, group dcs", "SRV _ldap._tcp...". */
  origin: string;
  /** Already known addresses (from the DNS server that answered an SRV query). */
  addresses?: string[];
}

export interface TargetsRequest {
  targets: TargetRequest[];
  /** Add the domain's controllers (SRV `_ldap._tcp.dc._msdcs.<name>`), asked of `dnsServer` when given. */
  domain?: { name: string; dnsServer?: string };
  /** Probe every address a name resolves to, not only the first. */
  allAddresses: boolean;
  /** Local address the probes leave from, or null. */
  source: string | null;
  /** Bounds the SRV lookup. */
  timeoutMs: number;
  /** Probe only this shard of the targets (`--shard I/N`, shard.ts). @default all of them */
  shard?: Shard | null;
  /** The resolver, for tests. @default node:dns lookup */
  lookup?: Lookup;
}

/** Names resolved at once at most: a list of thousands does not flood the resolver. */
const RESOLVE_CONCURRENCY = 32;

export interface ResolvedTarget {
  name: string;
  origin: string;
  /** Addresses to probe, in order; empty when `problem` is set. */
  addresses: string[];
  problem: TargetProblem | null;
}

export interface Targets {
  targets: ResolvedTarget[];
  /** How discovery went (dig or Node's resolver). */
  notes: RunNote[];
}

export async function resolveTargets(req: TargetsRequest): Promise<Targets> {
  checkSourceAddress(req.source);
  const notes: RunNote[] = [];
  const requested: TargetRequest[] = [...req.targets];
  if (req.domain) {
    const found = await discoverDomainControllers(req.domain.name, {
      dnsServer: req.domain.dnsServer,
      localAddress: req.source ?? undefined,
      timeoutMs: req.timeoutMs,
    });
    const platform = process.platform;
    notes.push({ kind: 'dcs-discovered', domain: req.domain.name, query: found.query, via: found.via, platform });
    if (found.targets.length === 0) {
      throw new PortolanError('DISCOVERY_FAILED', `${found.query} has no SRV records: no domain controllers found`);
    }
    for (const t of found.targets) {
      requested.push({
        name: t.name,
        origin: `SRV ${found.query}`,
        ...(t.addresses ? { addresses: t.addresses } : {}),
      });
    }
  }
  // Sharded before resolving: a worker looks up only the names it probes.
  const selected = selectTargets(requested, req.shard);
  notes.push(...selected.notes);
  const limit = pLimit(RESOLVE_CONCURRENCY);
  const targets = await Promise.all(
    selected.targets.map((t) => limit(() => resolveOne(t, req.allAddresses, req.lookup))),
  );
  return { targets, notes };
}

/**
 * The targets a run probes, before any lookup: each name once (`named` of them), and only
 * this shard's when `shard` is given (with a note saying how many of how many). NO_TARGETS
 * when none is named.
 */
export function selectTargets(
  requested: readonly TargetRequest[],
  shard: Shard | null | undefined,
): { targets: TargetRequest[]; named: number; notes: RunNote[] } {
  if (requested.length === 0) {
    throw new PortolanError('NO_TARGETS', 'no targets: name one or more hosts, or a domain', { fields: ['domain'] });
  }
  const all = dedupe([...requested]);
  if (!shard) return { targets: all, named: all.length, notes: [] };
  const mine = inShard(all, shard);
  return {
    targets: mine,
    named: all.length,
    notes: [{ kind: 'shard', ...shard, targets: mine.length, of: all.length }],
  };
}

/** The first request of each name wins (names compare case-insensitively, as DNS does). */
function dedupe(list: TargetRequest[]): TargetRequest[] {
  const seen = new Map<string, TargetRequest>();
  for (const t of list) if (!seen.has(t.name.toLowerCase())) seen.set(t.name.toLowerCase(), t);
  return [...seen.values()];
}

async function resolveOne(t: TargetRequest, all: boolean, lookup: Lookup | undefined): Promise<ResolvedTarget> {
  if (t.addresses?.length) {
    return { name: t.name, origin: t.origin, addresses: all ? t.addresses : t.addresses.slice(0, 1), problem: null };
  }
  const r = await resolveName(t.name, all, lookup);
  return { name: t.name, origin: t.origin, addresses: r.addresses, problem: r.problem };
}
