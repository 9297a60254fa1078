/**
 * Whether anything answers at a target address at all. An address where no host answers
 * (ARP or neighbour discovery unanswered on the local segment, or a router's host
 * unreachable) makes every probe fail, and few of them can tell: UDP sockets never see the
 * kernel's soft "host unreachable" error, ping has usually given up before neighbour
 * discovery does (about three seconds on Linux), and a TCP connect with the usual timeout has
 * too. So for an address that has not answered anything yet:
 * - a probe that heard nothing waits (outside its scheduler slot) for the address's fate, at
 *   most until the neighbour window after the first packet closes;
 * - the first TCP connect that times out stays open (the sentinel) to hear neighbour
 *   discovery give up (EHOSTUNREACH, then `host-unreachable` from outcome.ts).
 * Anything from the host itself (a handshake, a reset, a reply, an ICMP port unreachable, an
 * echo reply) ends the wait at once: the host is alive and each probe keeps its own reason.
 * With the address unreachable, the probes that heard nothing say `host-unreachable` too, so
 * the report can say once that no host answered there (analyze/describe.ts).
 */
import type { Socket } from 'node:net';
import { afterIo } from './after-io.js';
import { outcomeOfError } from './outcome.js';

/** What the address showed: anything from the host, neighbour discovery giving up, or neither yet. */
export type Reach = 'alive' | 'unreachable' | 'unknown';

/** From the first packet, how long neighbour discovery may take to give up (Linux: 3 x 1 s). */
export const NEIGHBOUR_WINDOW_MS = 3500;

export class HostReach {
  private state: Reach = 'unknown';
  private windowOpen = false;
  private windowUsed = false;
  private cancelWindow: (() => void) | null = null;
  private sentinel: Socket | null = null;
  private readonly waiters: ((reach: Reach) => void)[] = [];

  constructor(private readonly windowMs = NEIGHBOUR_WINDOW_MS) {}

  get current(): Reach {
    return this.state;
  }

  /** A packet is about to leave for the address: the first one opens the neighbour window, once. */
  contact(): void {
    if (this.state !== 'unknown' || this.windowUsed) return;
    this.windowUsed = true;
    this.windowOpen = true;
    this.cancelWindow = afterIo(this.windowMs, () => {
      this.windowOpen = false;
      this.cancelWindow = null;
      this.settle();
    });
  }

  /** Something from the host itself came back. */
  alive(): void {
    if (this.state === 'unknown') this.decide('alive');
  }

  /** Neighbour discovery gave up on the address, or no route leads there. */
  unreachable(): void {
    if (this.state === 'unknown') this.decide('unreachable');
  }

  /** The address's fate once known, or `unknown` when the window closes without one. */
  verdict(): Promise<Reach> {
    if (this.state !== 'unknown' || !this.windowOpen) return Promise.resolve(this.state);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Keeps a timed-out TCP socket while the address's fate is open; true when it did. */
  adopt(socket: Socket, issuedAt: number): boolean {
    if (this.state !== 'unknown' || !this.windowOpen || this.sentinel) return false;
    this.sentinel = socket;
    socket.once('connect', () => this.alive());
    socket.once('error', (err) => {
      const outcome = outcomeOfError(err, 'tcp', performance.now() - issuedAt);
      if (outcome.reason === 'host-unreachable') this.unreachable();
      else if (outcome.state === 'closed') this.alive();
    });
    return true;
  }

  /** The address is done with: no timer or socket stays behind. */
  close(): void {
    this.cancelWindow?.();
    this.cancelWindow = null;
    this.windowOpen = false;
    this.settle();
  }

  private decide(state: Reach): void {
    this.state = state;
    this.cancelWindow?.();
    this.cancelWindow = null;
    this.windowOpen = false;
    this.settle();
  }

  private settle(): void {
    this.sentinel?.destroy();
    this.sentinel = null;
    for (const resolve of this.waiters.splice(0)) resolve(this.state);
  }
}
