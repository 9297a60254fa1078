/**
 * The engine under load (issue 12 item 6): work is set up lazily, one target address at a
 * time as the scheduler has room, and a port that reset in time is never called `filtered`
 * because the prober's own event loop was busy when its timer ran out.
 */
import { expect } from 'chai';
import type { EngineOptions } from '../../src/probe/engine.js';
import { runEngine } from '../support/engine.js';
import { portExpectation } from '../support/expectations.js';
import { closedTcpPort } from '../support/fake-servers.js';

const tcp = (port: number) => portExpectation('tcp', port);

const OPTS: EngineOptions = {
  timeoutMs: 1500,
  retries: 0,
  concurrency: 256,
  perHost: 32,
  appProbes: false,
  rpcMode: 'sample',
  rpcSample: 4,
};

/** Loopback addresses: all of 127.0.0.0/8 answers on Linux; elsewhere only 127.0.0.1 does. */
const loopback = (i: number) => (process.platform === 'linux' ? `127.1.${(i >> 8) & 255}.${i & 255}` : '127.0.0.1');

describe('engine under load', () => {
  it('sets up work for the targets it can run, not for all of them, before the first probe', async () => {
    const closed = await closedTcpPort();
    const controller = new AbortController();
    const count = 50_000;
    const targets = Array.from({ length: count }, (_, i) => ({ name: `t${i}`, addresses: [loopback(i)] }));
    const heapBefore = process.memoryUsage().heapUsed;
    let atFirst: { submitted: number; heapMiB: number } | null = null;
    const out = await runEngine([tcp(closed), tcp(closed + 1), tcp(closed + 2)], targets, OPTS, {
      signal: controller.signal,
      onProgress: (_done, submitted) => {
        if (atFirst) return;
        atFirst = { submitted, heapMiB: (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20 };
        controller.abort(); // the rest of the run is not the point
      },
    });
    const first = atFirst as { submitted: number; heapMiB: number } | null;
    console.log(
      `      first probe done with ${first?.submitted} of ${3 * count} probes set up, heap +${first?.heapMiB.toFixed(1)} MiB`,
    );
    // Admitted until the scheduler was full: a few concurrency's worth, not 150,000.
    expect(first?.submitted).to.be.at.most(4 * OPTS.concurrency);
    // A stopped run admits no more targets: the ones never reached have no observation at all.
    expect(out.observations.length).to.be.lessThan(count);
  });

  it('a port that resets at once is closed, never filtered, while the event loop is busy', async function () {
    this.timeout(60_000);
    const closed = await closedTcpPort();
    const count = 3000;
    const targets = Array.from({ length: count }, (_, i) => ({ name: `t${i}`, addresses: [loopback(i)] }));
    // Another part of the prober hogs the event loop: 120 ms of work every 10 ms, far longer
    // than the 30 ms timeout, so timers are always overdue when the loop gets to them.
    const hog = setInterval(() => {
      const until = performance.now() + 120;
      while (performance.now() < until);
    }, 10);
    try {
      const out = await runEngine([tcp(closed)], targets, { ...OPTS, timeoutMs: 30 });
      const states = new Map<string, number>();
      for (const o of out.observations)
        states.set(`${o.state}/${o.reason}`, (states.get(`${o.state}/${o.reason}`) ?? 0) + 1);
      expect(Object.fromEntries(states)).to.deep.equal({ 'closed/rst': count });
    } finally {
      clearInterval(hog);
    }
  });
});
