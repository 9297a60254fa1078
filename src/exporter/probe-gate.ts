/**
 * The cap on concurrent probes of one exporter. Scrapes past the cap wait in a bounded
 * queue while their time budget lasts; past the queue they are refused at once (503), so
 * 100 scrapes at once cost a fixed number of probes and a fixed amount of memory, never
 * 100 checks. A slot is held until the check really ends, not when the answer was sent.
 */
import pLimit, { type LimitFunction } from 'p-limit';

/** Frees the slot. */
export type Release = () => void;

export class ProbeGate {
  private readonly limit: LimitFunction;

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueued: number,
  ) {
    this.limit = pLimit(maxConcurrent);
  }

  get running(): number {
    return this.limit.activeCount;
  }

  get waiting(): number {
    return this.limit.pendingCount;
  }

  /**
   * A slot, or `'busy'` at once when the queue is full, or `'expired'` when `signal` aborted
   * before a slot came free (a queued entry that expired gives its turn away without running).
   */
  acquire(signal: AbortSignal): Promise<Release | 'busy' | 'expired'> {
    if (signal.aborted) return Promise.resolve('expired');
    if (this.running >= this.maxConcurrent && this.waiting >= this.maxQueued) return Promise.resolve('busy');
    return new Promise((resolve) => {
      const onAbort = () => resolve('expired');
      signal.addEventListener('abort', onAbort, { once: true });
      void this.limit(async () => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return;
        await new Promise<void>((release) => resolve(release));
      });
    });
  }
}
