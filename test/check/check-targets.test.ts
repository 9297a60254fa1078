import { expect } from 'chai';
import { summarize } from '../../src/analyze/summary.js';
import { checkTargets, runCheck } from '../../src/check/run-check.js';
import type { RootCause } from '../../src/model.js';
import { failOnOf } from '../../src/run-options.js';
import { tcpListener } from '../support/fake-servers.js';

describe('checkTargets: a check run as a stream of judged targets', function () {
  this.timeout(20_000);
  const request = (port: number) => ({
    // 127.0.0.1 listens; the others refuse: one outage per refusing target.
    targets: ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'].map((name) => ({
      name,
      origin: 'test',
    })),
    roles: [],
    services: [],
    ports: [`${port}/tcp`, '1/udp'],
    options: { timeoutMs: 500, targetsInFlight: 2 },
    commandLine: ['test'],
  });

  it('hands over each target once, judged; the summary it keeps equals the one of the joined result', async () => {
    const listener = await tcpListener();
    try {
      const seen: number[] = [];
      const header = await checkTargets(request(listener.port), {
        onTarget: (record, ordinal) => {
          seen.push(ordinal);
          expect(record.verdicts.expectations).to.have.length(2);
          expect(record.verdicts.expectations.every((v) => v.target === record.target.name)).to.equal(true);
        },
      });
      expect([...seen].sort()).to.deep.equal([0, 1, 2, 3, 4]);
      const result = await runCheck(request(listener.port));
      expect(result.targets.map((t) => t.name)).to.deep.equal([
        '127.0.0.1',
        '127.0.0.2',
        '127.0.0.3',
        '127.0.0.4',
        '127.0.0.5',
      ]);
      const again = summarize(
        { ...result.verdicts, rootCauses: result.verdicts.rootCauses as RootCause[] },
        {
          failOn: failOnOf(result.run.options),
          incomplete: false,
        },
      );
      expect(result.summary).to.deep.equal(again);
      expect(header.summary).to.deep.equal(again);
      expect(again.headline).to.match(/^9 refused ports on 5 targets/);
    } finally {
      await listener.close();
    }
  });
});
