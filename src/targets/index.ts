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
  /** How many targets were asked for (a prefix counts its addresses), before duplicates are dropped. */
  total: number;
  /** How discovery went (dig or Node's resolver). */
  notes: RunNote[];
  /** The targets in order, each name once, resolved a few ahead of the reader; stops when `signal` aborts. */
  targets(signal?: AbortSignal): AsyncGenerator<OrderedTarget, void, undefined>;
  /** Removes what reading standard input left in the temp directory. */
  close(): void;
}

/** Check what the request names (files read once, prefixes sized) and discover domain controllers. */
export async function openTargets(req: TargetsRequest): Promise<TargetStream> {
  checkSourceAddress(req.source);
  const cidrLimit = req.cidrLimit ?? 65_536;
  let total = 0;
  for (const t of req.targets) total += t.addresses?.length ? 1 : countEntry(t.name, 'target', cidrLimit);
  const files: TargetFile[] = [];
  const close = () => {
    for (const f of files) f.close();
  };
  try {
    for (const name of req.files ?? []) {
      const file = await readTargetsFile(name, cidrLimit, req.stdin);
      files.push(file);
      total += file.count;
    }
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
      total += discovered.length;
    }
    if (total === 0) {
      throw new PortolanError('NO_TARGETS', 'no targets: name one or more hosts, or a domain', { fields: ['domain'] });
    }
    async function* requested(): AsyncGenerator<TargetRequest> {
      for (const t of req.targets) {
        if (t.addresses?.length) yield t;
        else yield* targetsOfEntry(t.name, t.origin, 'target');
      }
      for (const file of files) yield* targetsOfFile(file);
      yield* discovered;
    }
    return {
      total,
      notes,
      targets: (signal) => resolveAhead(unique(requested()), req, signal),
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
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
