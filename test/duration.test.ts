import { expect } from 'chai';
import { formatDuration, parseDuration } from '../src/duration.js';
import { isPortolanError } from '../src/errors.js';

describe('durations', () => {
  it('parse every unit and their sums', () => {
    expect(parseDuration('500ms', 'x')).to.equal(500);
    expect(parseDuration('1.5s', 'x')).to.equal(1500);
    expect(parseDuration('15m', 'x')).to.equal(900_000);
    expect(parseDuration('1h30m', 'x')).to.equal(5_400_000);
    expect(parseDuration('2d', 'x')).to.equal(172_800_000);
  });

  it('reject what is not a positive duration, naming the field', () => {
    for (const bad of ['', '10', '0s', '1 h', '1x', '-5m']) {
      let caught: unknown = null;
      try {
        parseDuration(bad, 'waitUntilPass');
      } catch (err) {
        caught = err;
      }
      expect(isPortolanError(caught, 'INVALID_VALUE'), bad).to.equal(true);
      expect((caught as Error).message, bad).to.match(/^waitUntilPass "/);
    }
  });

  it('format one way everywhere: ms, tenths of seconds, then whole units without zeros', () => {
    expect(formatDuration(850)).to.equal('850 ms');
    expect(formatDuration(4235)).to.equal('4.2 s');
    expect(formatDuration(90_000)).to.equal('1 min 30 s');
    expect(formatDuration(1_800_000)).to.equal('30 min');
    expect(formatDuration(5_400_000)).to.equal('1 h 30 min');
    expect(formatDuration(3_661_000)).to.equal('1 h 1 min 1 s');
  });
});
