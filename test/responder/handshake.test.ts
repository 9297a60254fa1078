import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { ProbeContext } from '../../src/protocols/types.js';
import { ProbeAnswerer } from '../../src/responder/answer.js';
import { RateLimiter, ReplayGuard } from '../../src/responder/guard.js';
import {
  AUTH_FAILED_LENGTH,
  checkProbe,
  encodeAccepted,
  encodeProbe,
  PROBE_LENGTH,
  replyFrameLength,
} from '../../src/responder/handshake.js';
import { responderUdpModule, VERIFIED_EVIDENCE, WRONG_TOKEN_EVIDENCE } from '../../src/responder/modules.js';

const T0 = 1_750_000_000_000;
const TOKEN = 'correct horse battery staple';
const ctx = (port = 389): ProbeContext => ({
  target: 'dc1.example',
  address: '127.0.0.1',
  port,
  nonce: randomBytes(16),
});
const at = (source = '127.0.0.1', port = 389) => ({ transport: 'udp' as const, port, source, nowMs: T0 });

describe('responder handshake', () => {
  it('round-trips: the responder accepts our probe and the client verifies the reply', () => {
    const client = responderUdpModule(TOKEN, () => T0);
    const c = ctx();
    const probe = client.buildRequest(c);
    expect(probe.length).to.equal(PROBE_LENGTH);
    const { outcome, reply } = new ProbeAnswerer({ token: TOKEN }, T0).answer(probe, at());
    expect(outcome).to.equal('verified');
    expect(reply?.length).to.be.at.most(probe.length);
    expect(client.recognize(reply as Uint8Array, c)).to.deep.equal({ valid: true, evidence: [VERIFIED_EVIDENCE] });
  });

  it('rejects a reply for another nonce, a tampered mac, or another port', () => {
    const client = responderUdpModule(TOKEN, () => T0);
    const c = ctx();
    const reply = new ProbeAnswerer({ token: TOKEN }, T0).answer(client.buildRequest(c), at()).reply as Uint8Array;
    expect(client.recognize(reply, ctx()).valid, 'other nonce').to.equal(false);
    const tampered = Uint8Array.from(reply);
    tampered[tampered.length - 1] ^= 1;
    expect(client.recognize(tampered, c)).to.include({ valid: false, reason: 'reply mac does not verify' });
    expect(client.recognize(reply, { ...c, port: 390 }).valid, 'other port').to.equal(false);
    expect(client.recognize(encodeAccepted('other token', c.nonce, 'udp', 389), c).valid).to.equal(false);
  });

  it('drops a probe made for another port or transport', () => {
    const probe = encodeProbe(TOKEN, { nonce: randomBytes(16), timestampMs: T0, transport: 'udp', port: 389 });
    expect(checkProbe(probe, TOKEN, { transport: 'udp', port: 636, nowMs: T0 }).kind).to.equal('drop');
    expect(checkProbe(probe, TOKEN, { transport: 'tcp', port: 389, nowMs: T0 }).kind).to.equal('drop');
  });

  it('rejects a replayed nonce from another source, but answers a retry from the same one', () => {
    const answerer = new ProbeAnswerer({ token: TOKEN }, T0);
    const probe = responderUdpModule(TOKEN, () => T0).buildRequest(ctx());
    expect(answerer.answer(probe, at('127.0.0.1')).outcome).to.equal('verified');
    expect(answerer.answer(probe, at('127.0.0.1')).outcome, 'retry').to.equal('verified');
    expect(answerer.answer(probe, at('127.0.0.2'))).to.deep.equal({ outcome: 'replay', reply: null });
  });

  it('answers a probe from outside the time window with an authenticated clock-skew reply, never a pass', () => {
    const tenMinutesAgo = responderUdpModule(TOKEN, () => T0 - 10 * 60_000);
    const c = ctx();
    const { outcome, reply } = new ProbeAnswerer({ token: TOKEN }, T0).answer(tenMinutesAgo.buildRequest(c), at());
    expect(outcome).to.equal('clock-skew');
    const seen = tenMinutesAgo.recognize(reply as Uint8Array, c);
    expect(seen).to.include({ valid: false, reason: 'clock-skew', responder: 'clock-skew' });
    expect(seen.evidence[0]).to.match(/clock is 10 min ahead of ours/);
  });

  it('answers a wrong token with a fixed-size auth-failed that the client reads as wrong-token', () => {
    const client = responderUdpModule('not the token', () => T0);
    const c = ctx();
    const probe = client.buildRequest(c);
    const { outcome, reply } = new ProbeAnswerer({ token: TOKEN }, T0).answer(probe, at());
    expect(outcome).to.equal('wrong-token');
    expect(reply?.length).to.equal(AUTH_FAILED_LENGTH).and.below(probe.length);
    expect(client.recognize(reply as Uint8Array, c)).to.deep.equal({
      valid: false,
      reason: 'wrong-token',
      evidence: [WRONG_TOKEN_EVIDENCE],
      responder: 'wrong-token',
    });
  });

  it('gives nothing back to garbage, oversize or truncated datagrams', () => {
    const answerer = new ProbeAnswerer({ token: TOKEN }, T0);
    const probe = responderUdpModule('x', () => T0).buildRequest(ctx());
    const inputs = [
      new Uint8Array(0),
      randomBytes(PROBE_LENGTH),
      randomBytes(1400),
      probe.subarray(0, PROBE_LENGTH - 1),
      Uint8Array.from([...probe, 0]),
    ];
    for (const bytes of inputs)
      expect(answerer.answer(bytes, at())).to.deep.equal({ outcome: 'malformed', reply: null });
  });

  it('frames TCP replies: waits for a whole one, stops at once on foreign bytes', () => {
    const reply = encodeAccepted(TOKEN, randomBytes(16), 'tcp', 88);
    expect(replyFrameLength(reply.subarray(0, 3))).to.equal(0);
    expect(replyFrameLength(reply.subarray(0, 20))).to.equal(0);
    expect(replyFrameLength(Uint8Array.from([...reply, 1, 2]))).to.equal(reply.length);
    expect(replyFrameLength(Uint8Array.from([0x48, 0x54, 0x54, 0x50]))).to.equal(4);
  });
});

describe('responder guards', () => {
  it('the rate limiter gives a burst of capacity, then the refill rate, per source', () => {
    const limiter = new RateLimiter({ perSource: { capacity: 10, perSecond: 5 } }, T0);
    const granted = (source: string, nowMs: number, n: number) =>
      Array.from({ length: n }, () => limiter.take(source, nowMs)).filter(Boolean).length;
    expect(granted('a', T0, 10_000)).to.equal(10);
    expect(granted('a', T0 + 1000, 10_000)).to.equal(5);
    expect(granted('b', T0 + 1000, 100), 'another source has its own bucket').to.equal(10);
  });

  it('limits UDP replies only: a TCP peer cannot be spoofed, and the connection cap bounds TCP', () => {
    const answerer = new ProbeAnswerer({ token: TOKEN, rateLimit: { perSource: { capacity: 3, perSecond: 1 } } }, T0);
    const outcomes = (transport: 'tcp' | 'udp') =>
      Array.from({ length: 10 }, () => {
        const probe = encodeProbe(TOKEN, { nonce: randomBytes(16), timestampMs: T0, transport, port: 88 });
        return answerer.answer(probe, { transport, port: 88, source: '127.0.0.1', nowMs: T0 }).outcome;
      });
    expect(outcomes('udp').filter((o) => o === 'verified')).to.have.length(3);
    expect(outcomes('tcp').filter((o) => o === 'verified')).to.have.length(10);
  });

  it('the global bucket bounds what many (spoofed) sources can draw', () => {
    const limiter = new RateLimiter(
      { perSource: { capacity: 4, perSecond: 1 }, global: { capacity: 50, perSecond: 1 } },
      T0,
    );
    let granted = 0;
    for (let i = 0; i < 1000; i++) if (limiter.take(`10.0.${i >> 8}.${i & 255}`, T0)) granted++;
    expect(granted).to.equal(50);
  });

  it('the replay guard stays bounded and forgets nonces after the window', () => {
    const guard = new ReplayGuard(1000, 100);
    for (let i = 0; i < 1000; i++) guard.check(`n${i}`, 's', T0);
    expect(guard.size).to.equal(100);
    expect(guard.check('n999', 'other', T0)).to.equal('replay');
    expect(guard.check('n999', 'other', T0 + 2001), 'expired').to.equal('fresh');
  });
});
