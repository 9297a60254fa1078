/**
 * Per-host pacing of UDP retransmissions. Hosts rate-limit ICMP port-unreachable
 * (Linux: a burst of about six, then one per second per source), so a sweep that
 * retransmits fast reports closed ports as `open|filtered`. First attempts go out at
 * once (the kernel's burst covers them); once a host has shown it sends ICMP
 * port-unreachable, retransmissions to it go one per `intervalMs`, so each one can
 * draw its own ICMP answer. Hosts that never sent one are not slowed down: silence
 * there is a firewall's drop, and pacing would not change it.
 */
export class UdpPacer {
  private readonly icmpHosts = new Set<string>();
  private readonly nextSlot = new Map<string, number>();

  constructor(private readonly intervalMs = 1100) {}

  noteIcmp(host: string): void {
    this.icmpHosts.add(host);
  }

  /** Resolves when a retransmission to `host` may go out; rejects on abort. */
  async beforeRetransmit(host: string, signal: AbortSignal): Promise<void> {
    if (!this.icmpHosts.has(host)) return;
    const now = performance.now();
    const slot = Math.max(now, this.nextSlot.get(host) ?? now);
    this.nextSlot.set(host, slot + this.intervalMs);
    await sleep(slot - now, signal);
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    if (ms <= 0) return resolve();
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortError(): Error {
  return Object.assign(new Error('aborted'), { code: 'ABORT_ERR' });
}
