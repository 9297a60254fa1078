import { expect } from 'chai';
import type { Expectation } from '../../src/model.js';
import { type EngineOptions, type EngineTarget, probeTargets } from '../../src/probe/engine.js';
import { portExpectation } from '../support/expectations.js';
import { closedTcpPort } from '../support/fake-servers.js';

const OPTS: EngineOptions = {
  timeoutMs: 300,
  retries: 0,
  concurrency: 64,
  perHost: 8,
  appProbes: false,
  rpcMode: 'sample',
  rpcSample: 2,
};

/** Targets 127.0.0.1 ... 127.0.0.N, counting how many the engine has taken. */
function loopbackTargets(count: number) {
  const taken = { n: 0 };
  async function* each(): AsyncGenerator<EngineTarget & { i: number }> {
    for (let i = 1; i <= count; i++) {
      taken.n++;
      yield { name: `t${i}`, addresses: [`127.0.0.${i}`], i };
    }
  }
  return { taken, targets: each() };
}

describe('probe engine as a stream of targets', () => {
  let closed: Expectation;
  before(async () => {
    const port = await closedTcpPort();
    closed = portExpectation('tcp', port);
  });

  it('takes at most targetsInFlight targets ahead of the reader, and yields each with its own observations', async () => {
    const { taken, targets } = loopbackTargets(12);
    const seen: string[] = [];
    for await (const probes of probeTargets([closed], targets, { ...OPTS, targetsInFlight: 3 })) {
      // Until the reader takes this one, the engine holds at most the window.
      await new Promise((r) => setTimeout(r, 30));
      expect(taken.n - seen.length).to.be.at.most(3);
      seen.push(probes.target.name);
      expect(probes.observations).to.have.length(1);
      expect(probes.observations[0]).to.include({ target: probes.target.name, state: 'closed' });
      expect(probes.links.get(closed.key)).to.deep.equal([0]);
    }
    expect([...seen].sort()).to.deep.equal(Array.from({ length: 12 }, (_, i) => `t${i + 1}`).sort());
  });

  it('a stopped run yields the targets not yet taken without probing them', async () => {
    const { targets } = loopbackTargets(10);
    const stop = new AbortController();
    const probed: number[] = [];
    const unprobed: number[] = [];
    for await (const p of probeTargets([closed], targets, { ...OPTS, targetsInFlight: 1 }, { signal: stop.signal })) {
      (p.observations.length > 0 ? probed : unprobed).push(p.target.i);
      if (p.target.i === 2) stop.abort();
    }
    expect(probed).to.deep.equal([1, 2]);
    expect(unprobed).to.deep.equal([3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('the reader leaving early stops taking targets', async () => {
    const { taken, targets } = loopbackTargets(50);
    for await (const p of probeTargets([closed], targets, { ...OPTS, targetsInFlight: 2 })) {
      if (p.target.i >= 1) break;
    }
    expect(taken.n).to.be.at.most(3);
  });
});
