/**
 * The UDP schedule against simulated hosts in virtual time: a token bucket that works like
 * Linux's ICMP rate limit (tokens accrue continuously, a datagram to a closed port draws ICMP
 * only while a whole token is there), ports that are closed, silent or open. Every closed port
 * must come back closed, every silent one silent, no port is sent to after it answered, and
 * the time stays near the floor the host's rate sets. The namespace test
 * (udp-rate-limit.test.ts) checks the same against a real kernel.
 */
import { expect } from 'chai';
import { type ScheduleClock, UdpHostSchedule, type UdpTicket } from '../../src/probe/udp-schedule.js';

class VirtualClock implements ScheduleClock {
  t = 0;
  private seq = 0;
  private queue: { at: number; seq: number; fn: () => void; live: boolean }[] = [];
  now = () => this.t;
  after = (ms: number, fn: () => void) => {
    const item = { at: this.t + ms, seq: this.seq++, fn, live: true };
    this.queue.push(item);
    return () => {
      item.live = false;
    };
  };
  /** Runs every event in time order (bounded: a runaway schedule fails the test instead of hanging it). */
  run(limitMs = 600_000): void {
    for (let steps = 0; steps < 1_000_000; steps++) {
      this.queue = this.queue.filter((q) => q.live);
      if (this.queue.length === 0) return;
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.queue.shift() as (typeof this.queue)[number];
      this.t = Math.max(this.t, next.at);
      if (this.t > limitMs) throw new Error(`still busy at ${this.t} ms`);
      next.fn();
    }
    throw new Error('too many events');
  }
}

type PortKind = 'closed' | 'silent' | 'open';

interface HostSpec {
  /** Tokens in a burst (Linux: 6) and ms per token (Linux: 1000); Infinity burst: no limit. */
  burst: number;
  tokenMs: number;
  rttMs: number;
  /** Tokens in the bucket when the run starts. @default burst */
  initialTokens?: number;
}

interface PortRecord {
  kind: PortKind;
  sends: number;
  sendsAfterAnswer: number;
  answer: 'icmp' | 'reply' | null;
  ended: 'silent' | 'aborted' | null;
}

/** A host whose ICMP errors are rationed like Linux's inet_peer_xrlim_allow. */
function simulate(spec: HostSpec, kinds: PortKind[], opts = { timeoutMs: 1500, retries: 2 }) {
  const clock = new VirtualClock();
  const schedule = new UdpHostSchedule({ ...opts, signal: new AbortController().signal, clock });
  const cap = spec.burst * spec.tokenMs;
  let tokens = (spec.initialTokens ?? spec.burst) * spec.tokenMs;
  let last = 0;
  const allow = (at: number) => {
    if (spec.burst === Number.POSITIVE_INFINITY) return true;
    tokens = Math.min(cap, tokens + (at - last));
    last = at;
    if (tokens < spec.tokenMs) return false;
    tokens -= spec.tokenMs;
    return true;
  };
  const records: PortRecord[] = kinds.map((kind) => ({
    kind,
    sends: 0,
    sendsAfterAnswer: 0,
    answer: null,
    ended: null,
  }));
  const tickets: UdpTicket[] = [];
  const arrive = (i: number) => {
    const r = records[i] as PortRecord;
    if (r.kind === 'silent') return;
    if (r.kind === 'closed' && !allow(clock.t)) return;
    clock.after(spec.rttMs / 2, () => {
      if (r.answer || r.ended) return;
      r.answer = r.kind === 'open' ? 'reply' : 'icmp';
      (tickets[i] as UdpTicket).answered(r.answer);
    });
  };
  records.forEach((r, i) => {
    tickets[i] = schedule.join(() => {
      r.sends++;
      if (r.answer) r.sendsAfterAnswer++;
      clock.after(spec.rttMs / 2, () => arrive(i));
    });
    void tickets[i]?.ended.then((how) => {
      r.ended = how;
    });
  });
  clock.run();
  return { records, schedule, clock };
}

/** Lets the `ended` promises report. */
const settle = () => new Promise((r) => setImmediate(r));

/** The last moment anything happened: the time the host cost. */
function floorOf(spec: HostSpec, kinds: PortKind[], opts = { timeoutMs: 1500, retries: 2 }): number {
  const closed = kinds.filter((k) => k === 'closed').length;
  const tokens = spec.initialTokens ?? spec.burst;
  const closedFloor = spec.burst === Number.POSITIVE_INFINITY ? 0 : Math.max(0, closed - tokens) * spec.tokenMs;
  const silentFloor = kinds.includes('silent') ? opts.timeoutMs * (1 + opts.retries) : 0;
  return Math.max(closedFloor + spec.rttMs, silentFloor);
}

async function check(spec: HostSpec, kinds: PortKind[]) {
  const { records, clock, schedule } = simulate(spec, kinds);
  await settle();
  schedule.close();
  for (const [i, r] of records.entries()) {
    const where = `port ${i} (${r.kind})`;
    if (r.kind === 'closed') expect(r.answer, where).to.equal('icmp');
    if (r.kind === 'open') expect(r.answer, where).to.equal('reply');
    if (r.kind === 'silent') {
      expect(r.ended, where).to.equal('silent');
      expect(r.sends, where).to.be.at.least(3);
    }
    expect(r.sendsAfterAnswer, `${where}: sent to after it answered`).to.equal(0);
  }
  const floor = floorOf(spec, kinds);
  const datagrams = records.reduce((n, r) => n + r.sends, 0);
  console.log(
    `      ${kinds.length} ports: ${(clock.t / 1000).toFixed(2)} s (floor ${(floor / 1000).toFixed(2)} s), ${datagrams} datagrams`,
  );
  return { elapsed: clock.t, floor, datagrams };
}

const LINUX: HostSpec = { burst: 6, tokenMs: 1000, rttMs: 0.4 };
const many = (kind: PortKind, n: number): PortKind[] => Array.from({ length: n }, () => kind);

describe('UDP schedule against simulated rate-limited hosts (virtual time)', () => {
  it('a Linux host with 20 closed ports: all closed, near the 14 s floor, a bounded number of datagrams', async () => {
    const r = await check(LINUX, many('closed', 20));
    expect(r.elapsed).to.be.at.most(r.floor * 1.05);
    // The wave, some speculative asks while the interval is measured, then one ask per token.
    expect(r.datagrams).to.be.at.most(20 * 5);
  });

  it('closed, silent and open ports mixed on one rate-limited host: each as it is', async () => {
    const kinds: PortKind[] = [...many('closed', 14), ...many('silent', 5), ...many('open', 3)];
    // Interleave, as real port lists are.
    const mixed = kinds.map((k, i) => ({ k, key: (i * 7) % kinds.length })).sort((a, b) => a.key - b.key);
    const r = await check(
      LINUX,
      mixed.map((m) => m.k),
    );
    // Silent ports draw asks while the rate is learned, so the tokens are found a little later.
    expect(r.elapsed).to.be.at.most(r.floor * 1.2);
  });

  it('a host that sends no ICMP: every silent port gets 1 + retries datagrams, timeoutMs apart', async () => {
    const { records, clock } = simulate(LINUX, many('silent', 10));
    await settle();
    expect(records.every((r) => r.ended === 'silent' && r.sends === 3)).to.equal(true);
    expect(clock.t).to.be.closeTo(4500, 50);
  });

  it('a host whose bucket was drained before the run: no closed port lost', async () => {
    const r = await check({ ...LINUX, initialTokens: 0 }, [...many('closed', 8), ...many('silent', 2)]);
    // Until its first ICMP the host looks like one that drops: the first retransmission finds it.
    expect(r.elapsed).to.be.at.most(r.floor + 1500);
  });

  it('a host without a limit: every closed port at once, silent ones near 3 x timeout', async () => {
    const r = await check({ burst: Number.POSITIVE_INFINITY, tokenMs: 1, rttMs: 0.4 }, [
      ...many('closed', 20),
      ...many('silent', 5),
    ]);
    expect(r.elapsed).to.be.at.most(r.floor * 1.1);
  });

  it('a host twice as slow as the default: learned before it is trusted, no closed port lost', async () => {
    const r = await check({ ...LINUX, tokenMs: 2000 }, [...many('closed', 12), ...many('silent', 3)]);
    // Two tokens go to learning the rate, and each fair ask waits its precision on top.
    expect(r.elapsed).to.be.at.most(r.floor * 1.25);
  });

  it('a host ten times faster than the default: its own rate, not the default, sets the pace', async () => {
    const r = await check({ ...LINUX, tokenMs: 100 }, many('closed', 40));
    expect(r.elapsed).to.be.at.most(r.floor * 1.5);
  });

  it('a far host (80 ms round trip): waits long enough for each answer', async () => {
    const r = await check({ ...LINUX, rttMs: 80 }, [...many('closed', 16), ...many('silent', 3)]);
    expect(r.elapsed).to.be.at.most(r.floor * 1.25);
  });

  it('300 random hosts and port mixes: never a closed port lost, never a send after an answer', async () => {
    let seed = 20;
    const random = () => {
      // mulberry32: the same hosts every run
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const choose = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
    for (let run = 0; run < 300; run++) {
      const burst = choose([1, 2, 6, 6, 6, 10, Number.POSITIVE_INFINITY]);
      const spec: HostSpec = {
        burst,
        tokenMs: choose([50, 100, 250, 500, 1000, 1000, 1000, 1500, 2000, 3000]),
        rttMs: choose([0.1, 0.4, 2, 20, 80, 150]),
        initialTokens: burst === Number.POSITIVE_INFINITY ? burst : Math.floor(random() * (burst + 1)),
      };
      const kinds = Array.from({ length: 1 + Math.floor(random() * 30) }, () =>
        choose<PortKind>(['closed', 'closed', 'silent', 'open']),
      );
      const { records } = simulate(spec, kinds);
      await settle();
      for (const r of records) {
        const expected = r.kind === 'closed' ? 'icmp' : r.kind === 'open' ? 'reply' : null;
        expect([r.answer, r.sendsAfterAnswer], `${JSON.stringify(spec)} ${kinds.join(',')}`).to.deep.equal([
          expected,
          0,
        ]);
      }
    }
  });

  it('stops every port at once on abort', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const schedule = new UdpHostSchedule({ timeoutMs: 1500, retries: 2, signal: controller.signal, clock });
    const tickets = [schedule.join(() => {}), schedule.join(() => {})];
    controller.abort();
    expect(await Promise.all(tickets.map((t) => t.ended))).to.deep.equal(['aborted', 'aborted']);
  });
});
