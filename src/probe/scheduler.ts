/**
 * One scheduler for a whole run: a global cap and a per-host cap (p-limit). A task
 * first waits for its host's slot, then for a global one, so a host with a long queue
 * never holds global slots that other hosts could use.
 */
import pLimit, { type LimitFunction } from 'p-limit';

export class Scheduler {
  private readonly global: LimitFunction;
  private readonly hosts = new Map<string, LimitFunction>();

  constructor(
    globalCap: number,
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
    return limit(() => this.global(task));
  }
}
