/**
 * The responder's bounded memory: which nonces it has seen (replay) and how many replies
 * each source may still get (rate limit). Both are Maps kept in insertion order and cut
 * from the front, so a flood of new nonces or spoofed sources costs a fixed amount of memory.
 * Time comes from the caller.
 */

export type NonceVerdict = 'fresh' | 'retransmit' | 'replay';

/**
 * Nonces seen within the window. A nonce seen again from the same source is a client
 * retry (UDP probes resend the same datagram) and is answered again; from any other
 * source it is a replay and gets nothing. A nonce is forgotten when its probe can no
 * longer pass the timestamp window, or when `capacity` newer nonces push it out: the
 * window guarantee holds only while fewer than `capacity` probes arrive per window.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, { source: string; expiresMs: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly capacity = 65_536,
  ) {}

  check(nonceKey: string, source: string, nowMs: number): NonceVerdict {
    for (const [key, entry] of this.seen) {
      if (entry.expiresMs >= nowMs && this.seen.size < this.capacity) break;
      this.seen.delete(key);
    }
    const entry = this.seen.get(nonceKey);
    if (entry) return entry.source === source ? 'retransmit' : 'replay';
    // Remember it for two windows: a probe may claim a time up to one window ahead.
    this.seen.set(nonceKey, { source, expiresMs: nowMs + 2 * this.windowMs });
    return 'fresh';
  }

  get size(): number {
    return this.seen.size;
  }
}

/** A token bucket: `capacity` at once, refilled at `perSecond`. */
export interface BucketSpec {
  capacity: number;
  perSecond: number;
}

interface Bucket {
  tokens: number;
  lastMs: number;
  /** When this bucket last refused a reply (-Infinity: never). */
  refusedMs: number;
}

function refill(b: Bucket, spec: BucketSpec, nowMs: number): void {
  b.tokens = Math.min(spec.capacity, b.tokens + (Math.max(0, nowMs - b.lastMs) / 1000) * spec.perSecond);
  b.lastMs = nowMs;
}

export interface RateLimitOptions {
  /** Per source address. @default { capacity: 256, perSecond: 128 } */
  perSource?: BucketSpec;
  /** All sources together, the bound on what spoofed sources can draw. @default { capacity: 4096, perSecond: 2048 } */
  global?: BucketSpec;
  /** Sources tracked at once; the least recently seen is forgotten first. @default 4096 */
  maxSources?: number;
}

// A whole role (about 100 UDP probes with retries) fits one client's burst; replies are
// at most 64 bytes, so the global bound is about 130 KB/s of reflection at worst.
export const DEFAULT_PER_SOURCE: BucketSpec = { capacity: 256, perSecond: 128 };
export const DEFAULT_GLOBAL: BucketSpec = { capacity: 4096, perSecond: 2048 };

/**
 * The budget for replies to probes whose mac does not verify (auth-failed): anyone can
 * send those from any (spoofed) source, so they draw from buckets of their own and can
 * never spend what verified probes need. One client with a wrong token still gets its
 * role's worth; all sources together get a tenth of the verified budget (24-byte replies:
 * about 6 KB/s of reflection at worst).
 */
export const DEFAULT_UNAUTHENTICATED: RateLimitOptions = {
  perSource: DEFAULT_PER_SOURCE,
  global: { capacity: 512, perSecond: 256 },
};

/** Per-source and global token buckets: a reply is sent only when both have a token. */
export class RateLimiter {
  private readonly sources = new Map<string, Bucket>();
  private readonly global: Bucket;
  private readonly perSourceSpec: BucketSpec;
  private readonly globalSpec: BucketSpec;
  private readonly maxSources: number;

  constructor(options: RateLimitOptions = {}, nowMs = 0) {
    this.perSourceSpec = options.perSource ?? DEFAULT_PER_SOURCE;
    this.globalSpec = options.global ?? DEFAULT_GLOBAL;
    this.maxSources = options.maxSources ?? 4096;
    this.global = { tokens: this.globalSpec.capacity, lastMs: nowMs, refusedMs: Number.NEGATIVE_INFINITY };
  }

  take(source: string, nowMs: number): boolean {
    let bucket = this.sources.get(source);
    if (bucket) {
      this.sources.delete(source);
      refill(bucket, this.perSourceSpec, nowMs);
    } else {
      bucket = { tokens: this.perSourceSpec.capacity, lastMs: nowMs, refusedMs: Number.NEGATIVE_INFINITY };
      if (this.sources.size >= this.maxSources) {
        const oldest = this.sources.keys().next();
        if (!oldest.done) this.sources.delete(oldest.value);
      }
    }
    this.sources.set(source, bucket);
    refill(this.global, this.globalSpec, nowMs);
    if (bucket.tokens < 1 || this.global.tokens < 1) {
      (bucket.tokens < 1 ? bucket : this.global).refusedMs = nowMs;
      return false;
    }
    bucket.tokens -= 1;
    this.global.tokens -= 1;
    return true;
  }

  /** Whether a reply to `source` (its own bucket, or the global one) was refused within `windowMs`. */
  refusedWithin(source: string, nowMs: number, windowMs: number): boolean {
    const since = nowMs - windowMs;
    return this.global.refusedMs >= since || (this.sources.get(source)?.refusedMs ?? Number.NEGATIVE_INFINITY) >= since;
  }
}
