/**
 * What the responder does with one probe, whatever carried it: check it, remember its
 * nonce, ask the rate limiter, and build the reply. No sockets; `server.ts` feeds it.
 *
 * Two UDP reply budgets: probes made with our token (verified, clock-skew) draw from one,
 * probes whose mac does not verify (auth-failed, which anyone can forge from any source)
 * from another, so a spoofed-source flood cannot spend what the real client needs. When
 * replies with our token had to be refused lately (to this source, or globally), the
 * accepted replies say so (`shedding`): the client then reads UDP silence as "the responder
 * was busy", not "the path drops it".
 */
import { PortolanError } from '../errors.js';
import { hex } from '../protocols/codec/bytes.js';
import { DEFAULT_UNAUTHENTICATED, RateLimiter, type RateLimitOptions, ReplayGuard } from './guard.js';
import {
  checkProbe,
  DEFAULT_WINDOW_MS,
  encodeAccepted,
  encodeAuthFailed,
  encodeClockSkew,
  type ResponderTransport,
} from './handshake.js';

/**
 * How a probe was handled. `verified`, `wrong-token` and `clock-skew` got a reply;
 * `replay`, `rate-limited` and `malformed` got nothing.
 */
export type ProbeOutcome = 'verified' | 'wrong-token' | 'clock-skew' | 'replay' | 'rate-limited' | 'malformed';

export interface Answer {
  outcome: ProbeOutcome;
  reply: Uint8Array | null;
}

export interface AnswerOptions {
  token: string;
  /** @default DEFAULT_WINDOW_MS */
  windowMs?: number;
  /** UDP replies to probes made with our token. @default DEFAULT_PER_SOURCE, DEFAULT_GLOBAL */
  rateLimit?: RateLimitOptions;
  /** UDP replies to probes whose mac does not verify. @default DEFAULT_UNAUTHENTICATED */
  unauthenticatedRateLimit?: RateLimitOptions;
  /** Nonces remembered at once. @default 65536 */
  replayCapacity?: number;
  /** How long after refusing a reply with our token the accepted replies say `shedding`. @default 60000 */
  sheddingWindowMs?: number;
}

export class ProbeAnswerer {
  private readonly replay: ReplayGuard;
  private readonly limiter: RateLimiter;
  private readonly unauthenticated: RateLimiter;
  private readonly windowMs: number;
  private readonly sheddingWindowMs: number;

  constructor(
    private readonly options: AnswerOptions,
    nowMs: number,
  ) {
    if (!options.token)
      throw new PortolanError('INVALID_VALUE', 'token: the responder needs a non-empty token', { fields: ['token'] });
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.replay = new ReplayGuard(this.windowMs, options.replayCapacity);
    this.limiter = new RateLimiter(options.rateLimit, nowMs);
    this.unauthenticated = new RateLimiter(options.unauthenticatedRateLimit ?? DEFAULT_UNAUTHENTICATED, nowMs);
    this.sheddingWindowMs = options.sheddingWindowMs ?? 60_000;
  }

  answer(
    bytes: Uint8Array,
    at: { transport: ResponderTransport; port: number; source: string; nowMs: number },
  ): Answer {
    const { token } = this.options;
    const check = checkProbe(bytes, token, { ...at, windowMs: this.windowMs });
    if (check.kind === 'drop') return { outcome: 'malformed', reply: null };
    if (check.kind === 'accept') {
      const seen = this.replay.check(`${at.transport}/${at.port}/${hex(check.nonce)}`, at.source, at.nowMs);
      if (seen === 'replay') return { outcome: 'replay', reply: null };
    }
    // Only UDP can reflect to a forged source; a TCP peer completed a handshake, and the
    // connection caps bound TCP. Limiting TCP too would turn a fast client's check inconclusive.
    const budget = check.kind === 'auth-failed' ? this.unauthenticated : this.limiter;
    if (at.transport === 'udp' && !budget.take(at.source, at.nowMs)) return { outcome: 'rate-limited', reply: null };
    switch (check.kind) {
      case 'accept': {
        const shedding = this.limiter.refusedWithin(at.source, at.nowMs, this.sheddingWindowMs);
        return { outcome: 'verified', reply: encodeAccepted(token, check.nonce, at.transport, at.port, shedding) };
      }
      case 'auth-failed':
        return { outcome: 'wrong-token', reply: encodeAuthFailed(check.nonce) };
      case 'clock-skew':
        return { outcome: 'clock-skew', reply: encodeClockSkew(token, check.nonce, at.nowMs, at.transport, at.port) };
    }
  }
}
