import { expect } from 'chai';
import { progressText } from '../../src/cli/progress.js';

describe('progress line', () => {
  it('targets done of the total, probes per second and the time left at the rate so far', () => {
    const text = progressText({ targetsDone: 250, targets: 1000, probes: 12_500, elapsedMs: 50_000, host: '10.0.4.7' });
    expect(text).to.equal('targets 250/1,000 \u00b7 250 probes/s \u00b7 about 2 min 30 s left \u2014 10.0.4.7');
  });

  it('without a target count, the probes done; no time left once every target is done', () => {
    expect(progressText({ targetsDone: 0, targets: null, probes: 40, elapsedMs: 2000, host: 'dc1' })).to.equal(
      '40 probes \u00b7 20 probes/s \u2014 dc1',
    );
    expect(progressText({ targetsDone: 3, targets: 3, probes: 120, elapsedMs: 1000, host: 'dc1' })).to.equal(
      'targets 3/3 \u00b7 120 probes/s \u2014 dc1',
    );
  });

  it('a hostile host name cannot paint the terminal', () => {
    const text = progressText({ targetsDone: 0, targets: 1, probes: 0, elapsedMs: 0, host: 'evil\u001b[2J.test' });
    expect(text).to.not.include('\u001b');
  });
});
