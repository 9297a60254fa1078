/**
 * One scheduler for a whole run: a global cap and a per-host cap (p-limit). A task
 * first waits for its host's slot, then for a global one, so a host with a long queue
 * never holds global slots that other hosts could use.
 *
 * Work is taken lazily: the engine admits the next target address only when `ready()` says
 * the run has room (a free global slot and fewer queued tasks than the cap), so memory and
 * set-up before the first probe do not grow with the number of targets, and a host's limiter
 * is dropped once it has nothing left to run.
 */
import pLimit, { type LimitFunction } from 'p-limit';

export class Scheduler {
  private readonly global: LimitFunction;
  private readonly hosts = new Map<string, LimitFunction>();
  /** Tasks submitted and not yet started, and started and not yet done. */
  private queued = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly globalCap: number,
    private readonly perHost: number,
  ) {
    this.global = pLimit(globalCap);
  }

  run<T>(host: string, task: () => Promise<T>): Promise<T> {
    let limit = this.hosts.get(host);
    if (!limit) {
      limit = pLimit(this.perHost);
      this.hosts.set(host, limit);
    }
    const hostLimit = limit;
    this.queued++;
    return hostLimit(() =>
      this.global(async () => {
        this.queued--;
        this.running++;
        try {
          return await task();
        } finally {
          this.running--;
          // Once the limiters have counted this task out too.
          setImmediate(() => this.released(host, hostLimit));
        }
      }),
    );
  }

  /**
   * Resolves once the run can take more work: fewer tasks running, and fewer waiting, than
   * the global cap. (Tasks count from the moment they are submitted.)
   */
  async ready(): Promise<void> {
    while (this.running >= this.globalCap || this.queued >= this.globalCap) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private released(host: string, limit: LimitFunction): void {
    if (limit.activeCount === 0 && limit.pendingCount === 0 && this.hosts.get(host) === limit) this.hosts.delete(host);
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
