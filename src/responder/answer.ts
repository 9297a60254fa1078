/**
 * What the responder does with one probe, whatever carried it: check it, remember its
 * nonce, ask the rate limiter, and build the reply. No sockets; `server.ts` feeds it.
 */
import { PortolanError } from '../errors.js';
import { hex } from '../protocols/codec/bytes.js';
import { RateLimiter, type RateLimitOptions, ReplayGuard } from './guard.js';
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
  rateLimit?: RateLimitOptions;
  /** Nonces remembered at once. @default 65536 */
  replayCapacity?: number;
}

export class ProbeAnswerer {
  private readonly replay: ReplayGuard;
  private readonly limiter: RateLimiter;
  private readonly windowMs: number;

  constructor(
    private readonly options: AnswerOptions,
    nowMs: number,
  ) {
    if (!options.token)
      throw new PortolanError('INVALID_VALUE', 'token: the responder needs a non-empty token', { fields: ['token'] });
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.replay = new ReplayGuard(this.windowMs, options.replayCapacity);
    this.limiter = new RateLimiter(options.rateLimit, nowMs);
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
    // connection cap bounds TCP. Limiting TCP too would turn a fast client's check inconclusive.
    if (at.transport === 'udp' && !this.limiter.take(at.source, at.nowMs))
      return { outcome: 'rate-limited', reply: null };
    switch (check.kind) {
      case 'accept':
        return { outcome: 'verified', reply: encodeAccepted(token, check.nonce, at.transport, at.port) };
      case 'auth-failed':
        return { outcome: 'wrong-token', reply: encodeAuthFailed(check.nonce) };
      case 'clock-skew':
        return { outcome: 'clock-skew', reply: encodeClockSkew(token, check.nonce, at.nowMs, at.transport, at.port) };
    }
  }
}
