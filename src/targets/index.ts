/**
 * The targets stage, between the catalog and the probes: names, addresses and CIDR prefixes
 * as the user gave them (inline, in targets files, and the domain controllers SRV discovery
 * finds) become deduplicated targets with the addresses to probe. Everything the user wrote
 * is checked first (`openTargets`: a bad entry or line throws before any probe); the targets
 * themselves are then produced lazily, resolved a few at a time just ahead of the engine, so
 * no run holds its whole target list. A name that does not resolve is a per-target `problem`,
 * never an exception: the run goes on, and that target's rows are `error` (resolve-failed).
 * Whole-run problems (a `--source` this machine does not have, SRV discovery that fails, no
 * target at all) throw.
 */
import { PortolanError } from '../errors.js';
import type { RunNote } from '../model.js';
import { discoverDomainControllers } from './domain-controllers.js';
import { type Lookup, resolveName, type TargetProblem } from './resolve.js';
import { inShard, type Shard, shardOf } from './shard.js';
import { checkSourceAddress } from './source.js';
import {
  countEntry,
  readTargetsFile,
  type TargetFile,
  type TargetRequest,
  targetsOfEntry,
  targetsOfFile,
} from './target-list.js';

export type { Lookup, TargetProblem } from './resolve.js';
export { localAddresses } from './source.js';
export type { TargetRequest } from './target-list.js';

export interface TargetsRequest {
  /** Names, addresses or CIDR prefixes, each with its origin. */
  targets: TargetRequest[];
  /** Targets files, one entry per line (`-`: standard input). */
  files?: string[];
  /** Add the domain's controllers (SRV `_ldap._tcp.dc._msdcs.<name>`), asked of `dnsServer` when given. */
  domain?: { name: string; dnsServer?: string };
  /** Probe every address a name resolves to, not only the first. */
  allAddresses: boolean;
  /** Local address the probes leave from, or null. */
  source: string | null;
  /** Bounds the SRV lookup. */
  timeoutMs: number;
  /** Addresses one CIDR prefix may stand for at most. @default 65536 */
  cidrLimit?: number;
  /** Probe only this shard of the targets (`--shard I/N`, shard.ts). @default all of them */
  shard?: Shard | null;
  /** The resolver, for tests. @default node:dns lookup */
  lookup?: Lookup;
  /** Standard input, for a `-` file (tests pass their own). @default process.stdin */
  stdin?: NodeJS.ReadableStream;
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

/** A resolved target and its place in the run's target order (0, 1, 2 ...). */
export interface OrderedTarget extends ResolvedTarget {
  ordinal: number;
}

/** A run's targets, checked, to be read once. */
export interface TargetStream {
  /** How many targets the run takes: each name once, only this shard's (a prefix counts its addresses). */
  total: number;
  /** Distinct targets named in all, before the shard. */
  named: number;
  /** How discovery went (dig or Node's resolver), and the shard taken. */
  notes: RunNote[];
  /** The targets as asked for, in order, each name once, only this shard's; nothing is resolved. */
  requests(): AsyncGenerator<TargetRequest, void, undefined>;
  /** The same targets, resolved a few ahead of the reader; once `signal` aborts, the rest unresolved. */
  targets(signal?: AbortSignal): AsyncGenerator<OrderedTarget, void, undefined>;
  /** Removes what reading standard input left in the temp directory. */
  close(): void;
}

/**
 * Check what the request names (inline entries and files, prefixes sized; a bad one throws
 * before anything is resolved), discover the domain's controllers, and count the targets
 * (deduplicated, sharded) in one pass that holds only their names.
 */
export async function openTargets(req: TargetsRequest): Promise<TargetStream> {
  checkSourceAddress(req.source);
  const cidrLimit = req.cidrLimit ?? 65_536;
  for (const t of req.targets) if (!t.addresses?.length) countEntry(t.name, 'target', cidrLimit);
  const files: TargetFile[] = [];
  const close = () => {
    for (const f of files) f.close();
  };
  try {
    for (const name of req.files ?? []) files.push(await readTargetsFile(name, cidrLimit, req.stdin));
    const notes: RunNote[] = [];
    const discovered: TargetRequest[] = [];
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
        discovered.push({
          name: t.name,
          origin: `SRV ${found.query}`,
          ...(t.addresses ? { addresses: t.addresses } : {}),
        });
      }
    }
    async function* requested(): AsyncGenerator<TargetRequest> {
      for (const t of req.targets) {
        if (t.addresses?.length) yield t;
        else yield* targetsOfEntry(t.name, t.origin, 'target');
      }
      for (const file of files) yield* targetsOfFile(file);
      yield* discovered;
    }
    const shard = req.shard ?? null;
    // Sharded before resolving: a worker looks up only the names it probes.
    async function* requests(): AsyncGenerator<TargetRequest> {
      for await (const t of unique(requested())) if (!shard || shardOf(t.name, shard.count) === shard.index) yield t;
    }
    let named = 0;
    for await (const _ of unique(requested())) named++;
    if (named === 0) {
      throw new PortolanError('NO_TARGETS', 'no targets: name one or more hosts, or a domain', { fields: ['domain'] });
    }
    let total = named;
    if (shard) {
      total = 0;
      for await (const _ of requests()) total++;
      notes.push(shardNote(shard, total, named));
    }
    return {
      total,
      named,
      notes,
      requests,
      targets: (signal) => resolveAhead(requests(), req, signal),
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}

/**
 * The targets of an in-memory list a run probes, before any lookup: each name once (`named`
 * of them), and only this shard's when `shard` is given (with a note saying how many of how
 * many). NO_TARGETS when none is named.
 */
export function selectTargets(
  requested: readonly TargetRequest[],
  shard: Shard | null | undefined,
): { targets: TargetRequest[]; named: number; notes: RunNote[] } {
  if (requested.length === 0) {
    throw new PortolanError('NO_TARGETS', 'no targets: name one or more hosts, or a domain', { fields: ['domain'] });
  }
  const seen = new Set<string>();
  const all = requested.filter((t) => !seen.has(t.name.toLowerCase()) && seen.add(t.name.toLowerCase()));
  if (!shard) return { targets: all, named: all.length, notes: [] };
  const mine = inShard(all, shard);
  return { targets: mine, named: all.length, notes: [shardNote(shard, mine.length, all.length)] };
}

function shardNote(shard: Shard, mine: number, of: number): RunNote {
  return { kind: 'shard', ...shard, targets: mine, of };
}

/** The first request of each name wins (names compare case-insensitively, as DNS does). */
async function* unique(list: AsyncIterable<TargetRequest>): AsyncGenerator<TargetRequest> {
  const seen = new Set<string>();
  for await (const t of list) {
    const key = t.name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    yield t;
  }
}

/**
 * Resolves up to RESOLVE_CONCURRENCY names ahead of the reader, handing them out in order.
 * Once `signal` stops the run, the rest are handed out unresolved (no addresses, no
 * problem): the run reports them unprobed without asking DNS for names it will not probe.
 */
async function* resolveAhead(
  list: AsyncIterable<TargetRequest>,
  req: TargetsRequest,
  signal: AbortSignal | undefined,
): AsyncGenerator<OrderedTarget> {
  const ahead: Promise<OrderedTarget>[] = [];
  let ordinal = 0;
  for await (const t of list) {
    const place = ordinal++;
    if (signal?.aborted) {
      ahead.push(Promise.resolve({ name: t.name, origin: t.origin, addresses: [], problem: null, ordinal: place }));
    } else {
      ahead.push(resolveOne(t, place, req.allAddresses, req.lookup));
    }
    if (ahead.length >= RESOLVE_CONCURRENCY) yield await (ahead.shift() as Promise<OrderedTarget>);
  }
  for (const next of ahead) yield await next;
}

async function resolveOne(
  t: TargetRequest,
  ordinal: number,
  all: boolean,
  lookup: Lookup | undefined,
): Promise<OrderedTarget> {
  if (t.addresses?.length) {
    const addresses = all ? t.addresses : t.addresses.slice(0, 1);
    return { name: t.name, origin: t.origin, addresses, problem: null, ordinal };
  }
  const r = await resolveName(t.name, all, lookup);
  return { name: t.name, origin: t.origin, addresses: r.addresses, problem: r.problem, ordinal };
}
