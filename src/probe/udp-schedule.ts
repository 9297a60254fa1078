/**
 * When each UDP datagram to one target address goes out: the schedule that reaches the floor
 * the host's ICMP rate limit sets, without losing a closed port to it.
 *
 * A closed UDP port answers with ICMP port unreachable, and hosts ration those per prober:
 * Linux (net.ipv4.icmp_ratelimit, default 1000 ms) answers a burst of six, then one per token,
 * a token a second. A datagram that reaches the host while it has no token draws nothing: a
 * silence that is not the port's. So:
 * - Every port's first datagram goes out as it joins (the wave): open ports answer, the host
 *   spends its burst on the first closed ones, silent ports start their clocks.
 * - A host that has sent no ICMP rations nothing: each port retransmits every `timeoutMs` and
 *   is silent after 1 + retries datagrams, as without a schedule.
 * - On a host that sends ICMP, a port is called silent only once one of its datagrams went out
 *   while the host provably held a token (a fair datagram): long enough after the host's last
 *   ICMP, with nothing else in flight. Until then the port is unknown, and unknown ports are
 *   asked one at a time when the token is due, the likely silent ones first: a silent port
 *   leaves the token for the next ask, a closed one spends it and answers.
 * - The token interval is learned, not assumed: early (speculative) asks, which prove nothing
 *   when unanswered, find when the host's tokens come; two measured gaps bound the interval.
 *   A host at Linux's default (within the measuring precision) gets one fair ask per token; a
 *   faster one gets asks paced at its own rate. Before the rate is known, fairness waits three
 *   default intervals, so a host configured slower is not trusted too early either.
 * - A port that answered is never sent to again; a proven-silent port retransmits at its own
 *   pace, token or not. Each address has its own schedule: other hosts run meanwhile.
 *
 * Assumes, as Linux does, that the host spends these tokens only on ICMP errors sent to us
 * (it keeps them per destination), and that an ICMP error that left the host reaches us.
 */
import { afterIo } from './after-io.js';

/** Time and deadlines, injectable so tests can drive a simulated host. */
export interface ScheduleClock {
  now(): number;
  /** Runs `fn` after `ms`, once the I/O that arrived meanwhile has been read; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: ScheduleClock = { now: () => performance.now(), after: afterIo };

/** How a port heard back: an ICMP error (the host spent a token on it), a reply, or a local error. */
export type UdpAnswer = 'icmp' | 'reply' | 'error';

/** A port's place in the schedule. */
export interface UdpTicket {
  /** The port heard back: no datagram goes to it again. */
  answered(how: UdpAnswer): void;
  /** Resolves when the schedule ends the port: silence after every attempt, or the run stopped. */
  readonly ended: Promise<'silent' | 'aborted'>;
  /** Datagrams sent so far. */
  readonly attempts: number;
}

export interface UdpScheduleOptions {
  /** Wait after a datagram before its silence counts. */
  timeoutMs: number;
  /** Datagrams after the first before a silent port is given up. */
  retries: number;
  signal: AbortSignal;
  /** @default systemClock */
  clock?: ScheduleClock;
}

/** Linux's default ICMP error interval (net.ipv4.icmp_ratelimit). */
export const LINUX_TOKEN_MS = 1000;
/** Margin over a known interval before a datagram counts as fair: a jiffy at HZ=100, and timer slack. */
const FAIR_MARGIN_MS = 20;
/** The shortest and longest wait for an ICMP answer before a datagram counts as unanswered. */
const MIN_WINDOW_MS = 20;
const MAX_WINDOW_MS = 1000;
/** The shortest gap between speculative asks: the precision of a learned interval. */
const MIN_CADENCE_MS = 25;
/** A gap measured this precisely paces the asks, and within a tenth of Linux's default, it is the default. */
const PRECISE_MS = 2 * MIN_CADENCE_MS;
/** Speculative datagrams per port at most; after that it waits for a fair ask (it needs one). */
const MAX_SPECULATIVE = 16;
/** Tokens in a row taken by fair asks before speculation stops: it finds no token earlier. */
const FAIR_WINS_TO_STOP = 2;
/** ICMP answers the learning remembers (and four times as many speculative asks). */
const HISTORY = 64;

type SendKind = 'first' | 'retransmit' | 'speculative' | 'fair';

interface Entry {
  transmit: () => void;
  attempts: number;
  speculative: number;
  firstSentAt: number;
  lastSentAt: number;
  /** Datagrams whose window closed without an answer. */
  unanswered: number;
  /**
   * Why its silence is its own: the host has sent no ICMP at all (`quiet`, withdrawn once it
   * does), or a datagram went out while the host held a token (`fair`, sent at `provedAt`).
   */
  proof: 'quiet' | 'fair' | null;
  provedAt: number;
  /** It answered with ICMP: every earlier unanswered ask to it found the host without a token. */
  drewIcmp: boolean;
  inFlight: { kind: SendKind; at: number; until: number } | null;
  end: (how: 'silent' | 'aborted') => void;
}

/** An ICMP error from the host: when it arrived, and the speculative ask that drew it (null: another kind). */
interface IcmpEvent {
  arrivedAt: number;
  specSentAt: number | null;
}

/** A measured gap between two ICMP answers, and how much shorter than the host's interval it may be. */
interface Gap {
  ms: number;
  precision: number;
}

export class UdpHostSchedule {
  private readonly entries = new Set<Entry>();
  private readonly clock: ScheduleClock;
  /** Arrival of the host's latest ICMP error; null while it has sent none. */
  private icmpAt: number | null = null;
  private icmpLog: IcmpEvent[] = [];
  private specLog: { at: number; entry: Entry }[] = [];
  private gaps: Gap[] = [];
  private fairWins = 0;
  private rttMs = 0;
  private rttMinMs = Number.POSITIVE_INFINITY;
  private lastSpecAt = Number.NEGATIVE_INFINITY;
  private cancelTimer: (() => void) | null = null;

  constructor(private readonly opts: UdpScheduleOptions) {
    this.clock = opts.clock ?? systemClock;
    opts.signal.addEventListener('abort', this.abort, { once: true });
  }

  /** A port joins: its first datagram goes out at once. */
  join(transmit: () => void): UdpTicket {
    let end: (how: 'silent' | 'aborted') => void = () => {};
    const ended = new Promise<'silent' | 'aborted'>((resolve) => {
      end = resolve;
    });
    const entry: Entry = {
      transmit,
      attempts: 0,
      speculative: 0,
      firstSentAt: 0,
      lastSentAt: Number.NEGATIVE_INFINITY,
      unanswered: 0,
      proof: null,
      provedAt: 0,
      drewIcmp: false,
      inFlight: null,
      end,
    };
    const ticket: UdpTicket = {
      answered: (how) => this.answered(entry, how),
      ended,
      get attempts() {
        return entry.attempts;
      },
    };
    if (this.opts.signal.aborted) {
      end('aborted');
      return ticket;
    }
    this.entries.add(entry);
    this.send(entry, 'first', this.clock.now());
    this.plan();
    return ticket;
  }

  /** The host sent an ICMP error to another probe (a TCP reject): it spent a token too. */
  icmpSeen(): void {
    this.noteIcmp(null);
    this.plan();
  }

  /** The host is done with: no timer or listener stays behind. */
  close(): void {
    this.opts.signal.removeEventListener('abort', this.abort);
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  /** The host's token interval as measured to within two cadences (the median such gap), or null. */
  get tokenMs(): number | null {
    const precise = this.gaps
      .filter((g) => g.precision <= PRECISE_MS)
      .slice(-5)
      .map((g) => g.ms)
      .sort((a, b) => a - b);
    return precise.length ? (precise[Math.floor(precise.length / 2)] as number) : null;
  }

  private readonly abort = (): void => {
    for (const e of [...this.entries]) this.finish(e, 'aborted');
    this.cancelTimer?.();
    this.cancelTimer = null;
  };

  private answered(entry: Entry, how: UdpAnswer): void {
    if (!this.entries.delete(entry)) return;
    if (how === 'icmp') this.noteIcmp(entry);
    this.plan();
  }

  private noteIcmp(entry: Entry | null): void {
    const now = this.clock.now();
    const flight = entry?.inFlight ?? null;
    if (entry && flight) {
      this.rttMinMs = Math.min(this.rttMinMs, now - flight.at);
      this.rttMs = Math.max(this.rttMs, now - flight.at);
    } else if (entry) {
      // Answered after its window closed: the token may have gone before asks we trusted.
      this.rttMinMs = Math.min(this.rttMinMs, now - entry.lastSentAt);
      this.rttMs = Math.max(this.rttMs, now - entry.lastSentAt);
      for (const e of this.entries) if (e.proof === 'fair' && e.provedAt >= entry.lastSentAt) e.proof = null;
    }
    if (this.icmpAt === null) {
      // The host does send ICMP after all: silence no longer speaks for itself.
      for (const e of this.entries) if (e.proof === 'quiet') e.proof = null;
    }
    if (entry) entry.drewIcmp = true;
    this.icmpAt = now;
    this.icmpLog = [...this.icmpLog, { arrivedAt: now, specSentAt: flight?.kind === 'speculative' ? flight.at : null }];
    this.icmpLog = this.icmpLog.slice(-HISTORY);
    this.gaps = this.measureGaps();
    if (flight?.kind === 'fair') this.fairWins++;
    else if (flight?.kind === 'speculative') this.fairWins = 0;
  }

  /**
   * The gaps between consecutive ICMP answers to speculative asks, each with how much shorter
   * than the host's interval it may be. The earlier answer's ask may have come after the
   * host's token did, and the rest of that token carried over, shortening the gap; it came at
   * most as late as the distance back to the last ask before it that found no token: an ask to
   * a port that answered ICMP later (so it was closed then too) and went unanswered.
   */
  private measureGaps(): Gap[] {
    const gaps: Gap[] = [];
    for (let i = 2; i < this.icmpLog.length; i++) {
      const [before, earlier, later] = [this.icmpLog[i - 2], this.icmpLog[i - 1], this.icmpLog[i]] as IcmpEvent[];
      const sent = earlier.specSentAt;
      if (sent === null || later.specSentAt === null) continue;
      let miss = Number.NEGATIVE_INFINITY;
      for (const ask of this.specLog) {
        if (ask.entry.drewIcmp && ask.at > before.arrivedAt && ask.at < sent) miss = Math.max(miss, ask.at);
      }
      if (miss > Number.NEGATIVE_INFINITY)
        gaps.push({ ms: later.arrivedAt - earlier.arrivedAt, precision: sent - miss });
    }
    return gaps;
  }

  private windowMs(): number {
    return Math.min(Math.max(MIN_WINDOW_MS, 3 * this.rttMs + 10), MAX_WINDOW_MS, Math.max(1, this.opts.timeoutMs));
  }

  /**
   * From the host's last ICMP, the wait after which it certainly holds a token again. Each
   * measured gap plus its precision bounds the interval from above; a host measured (to two
   * cadences) within a tenth of Linux's default is taken to be at it. Unmeasured: three default
   * intervals, so a host configured slower is not trusted too early. Our datagram reaches the
   * host half a round trip after we send it, and the host spent its token half a round trip
   * before its ICMP reached us: the shortest round trip seen comes off the wait.
   */
  private fairGapMs(): number {
    let interval = Math.min(3 * LINUX_TOKEN_MS, ...this.gaps.map((g) => g.ms + g.precision));
    const atDefault = this.gaps.some(
      (g) => g.precision <= PRECISE_MS && g.ms >= LINUX_TOKEN_MS * 0.9 && g.ms + g.precision <= LINUX_TOKEN_MS * 1.1,
    );
    if (atDefault) interval = Math.min(interval, LINUX_TOKEN_MS);
    return interval + FAIR_MARGIN_MS - (Number.isFinite(this.rttMinMs) ? this.rttMinMs : 0);
  }

  /**
   * When the next speculative ask may go, or null for none. Learning: first at growing gaps
   * (a quarter of the time since the last ICMP, four cadences at most), which finds a token
   * soon after it comes; then from four cadences before the last gap comes round again, one cadence
   * apart, which measures it to a cadence or two. Measured: a little before each token for a host faster than the
   * default; none for one at the default or slower (the fair asks take each token as it
   * comes), nor where the fair asks keep taking the tokens first.
   */
  private speculativeAt(icmpAt: number): number | null {
    const measured = this.tokenMs;
    if (this.fairWins >= FAIR_WINS_TO_STOP) return null;
    if (measured !== null && measured >= LINUX_TOKEN_MS * 0.8) return null;
    const after = this.lastSpecAt + MIN_CADENCE_MS;
    if (measured !== null) return Math.max(icmpAt + measured - 2 * MIN_CADENCE_MS, after);
    const rough = this.roughMs();
    if (rough !== null) return Math.max(icmpAt + Math.max(rough / 2, rough - 4 * MIN_CADENCE_MS), after);
    const growing = Math.min(Math.max(MIN_CADENCE_MS, (this.lastSpecAt - icmpAt) / 4), 4 * MIN_CADENCE_MS);
    return Math.max(icmpAt + MIN_CADENCE_MS, this.lastSpecAt + growing);
  }

  /** The latest gap between two ICMP answers to speculative asks, however precise. */
  private roughMs(): number | null {
    const [earlier, later] = this.icmpLog.slice(-2);
    if (!earlier || !later || earlier.specSentAt === null || later.specSentAt === null) return null;
    return later.arrivedAt - earlier.arrivedAt;
  }

  /**
   * When a proven port sends again or, after its last attempt, counts as silent. On a host
   * without ICMP: `timeoutMs` after each datagram, as ever. A port proven by a fair datagram
   * has waited its turn for a token long enough: its remaining attempts (against loss) go one
   * window apart, and it is silent once its first datagram has had the patience of every
   * attempt (1 + retries timeouts), so a slow listener still had that long to answer.
   */
  private dueAt(e: Entry): number {
    const patience = e.firstSentAt + (1 + this.opts.retries) * this.opts.timeoutMs;
    const gap = e.proof === 'fair' ? this.windowMs() : this.opts.timeoutMs;
    if (e.attempts <= this.opts.retries) return e.lastSentAt + gap;
    return Math.max(patience, e.lastSentAt + gap);
  }

  private send(e: Entry, kind: SendKind, now: number): void {
    if (e.attempts === 0) e.firstSentAt = now;
    if (kind === 'speculative') {
      e.speculative++;
      this.lastSpecAt = now;
      this.specLog = [...this.specLog.slice(1 - HISTORY * 4), { at: now, entry: e }];
    }
    e.attempts++;
    e.lastSentAt = now;
    e.inFlight = { kind, at: now, until: now + this.windowMs() };
    e.transmit();
  }

  private finish(e: Entry, how: 'silent' | 'aborted'): void {
    this.entries.delete(e);
    e.end(how);
  }

  /** Every decision, from the state and the clock; arms the one timer for the next. */
  private plan(): void {
    if (this.opts.signal.aborted) return;
    const now = this.clock.now();
    let wake = Number.POSITIVE_INFINITY;
    for (const e of this.entries) {
      const f = e.inFlight;
      if (!f) continue;
      if (now < f.until) {
        wake = Math.min(wake, f.until);
        continue;
      }
      e.inFlight = null;
      e.unanswered++;
      if (this.icmpAt === null) e.proof ??= 'quiet';
      else if (f.kind === 'fair' && this.icmpAt < f.at) {
        e.proof = 'fair';
        e.provedAt = f.at;
      }
    }
    for (const e of [...this.entries]) {
      if (e.inFlight || !e.proof) continue;
      const due = this.dueAt(e);
      if (now < due) wake = Math.min(wake, due);
      else if (e.attempts > this.opts.retries) this.finish(e, 'silent');
      else {
        this.send(e, 'retransmit', now);
        wake = Math.min(wake, now + this.windowMs());
      }
    }
    wake = Math.min(wake, this.askUnknown(now));
    this.arm(wake, now);
  }

  /** One ask towards the unknown ports of a host that sends ICMP; returns when to look again. */
  private askUnknown(now: number): number {
    if (this.icmpAt === null) return Number.POSITIVE_INFINITY;
    if (![...this.entries].some((e) => !e.proof)) return Number.POSITIVE_INFINITY;
    const idle = [...this.entries].filter((e) => !e.proof && !e.inFlight);
    const guaranteedAt = this.icmpAt + this.fairGapMs();
    if (now >= guaranteedAt) {
      // The host holds a token: the unknown ports in turn, until a closed one spends it.
      const next = pick(idle, (a, b) => a.firstSentAt - b.firstSentAt);
      const busy = [...this.entries].some((e) => e.inFlight);
      if (busy || !next) return Number.POSITIVE_INFINITY; // the window in flight wakes us
      this.send(next, 'fair', now);
      return now + this.windowMs();
    }
    const early = this.speculativeAt(this.icmpAt);
    if (early === null) return guaranteedAt;
    if (now < early) return Math.min(guaranteedAt, early);
    // Likely closed first: the port asked least often without an answer.
    const next = pick(
      idle.filter((e) => e.speculative < MAX_SPECULATIVE),
      (a, b) => a.unanswered - b.unanswered,
    );
    if (next) this.send(next, 'speculative', now);
    return Math.min(guaranteedAt, now + MIN_CADENCE_MS);
  }

  private arm(wake: number, now: number): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    if (wake === Number.POSITIVE_INFINITY || this.entries.size === 0) return;
    this.cancelTimer = this.clock.after(Math.max(0, wake - now), () => {
      this.cancelTimer = null;
      this.plan();
    });
  }
}

/** The first entry by `order`, the one sent longest ago among equals. */
function pick(list: Entry[], order: (a: Entry, b: Entry) => number): Entry | undefined {
  return [...list].sort((a, b) => order(a, b) || a.lastSentAt - b.lastSentAt)[0];
}
