import { expect } from 'chai';
import { Scheduler } from '../../src/probe/scheduler.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scheduler: global and per-host caps', () => {
  it('a slow host does not hold up the others, and neither cap is exceeded', async () => {
    const scheduler = new Scheduler(4, 2);
    let running = 0;
    let peak = 0;
    const perHost = new Map<string, number>();
    let perHostPeak = 0;
    const finished: string[] = [];
    const task = (host: string, ms: number) =>
      scheduler.run(host, async () => {
        running++;
        perHost.set(host, (perHost.get(host) ?? 0) + 1);
        peak = Math.max(peak, running);
        perHostPeak = Math.max(perHostPeak, perHost.get(host) ?? 0);
        await sleep(ms);
        running--;
        perHost.set(host, (perHost.get(host) ?? 0) - 1);
        finished.push(host);
      });
    // Ten slow probes of one host queued first, then two fast hosts.
    const slow = Array.from({ length: 10 }, () => task('slow', 100));
    const fast = [task('a', 5), task('a', 5), task('b', 5), task('b', 5)];
    await Promise.all(fast);
    expect(finished.filter((h) => h === 'slow').length).to.be.at.most(2); // fast hosts did not wait for the slow queue
    await Promise.all(slow);
    expect(peak).to.be.at.most(4);
    expect(perHostPeak).to.equal(2);
  });
});
