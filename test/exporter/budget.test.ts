import { expect } from 'chai';
import { isPortolanError } from '../../src/errors.js';
import { DEFAULT_BUDGET_MS, MIN_BUDGET_MS, probeBudgetMs } from '../../src/exporter/budget.js';

describe('exporter probe budget (X-Prometheus-Scrape-Timeout-Seconds)', () => {
  it('is the scrape timeout minus the offset', () => {
    expect(probeBudgetMs('10', 500, null)).to.equal(9500);
    expect(probeBudgetMs('2.5', 250, null)).to.equal(2250);
  });

  it('is 120 s without the header, as blackbox_exporter allows', () => {
    expect(probeBudgetMs(undefined, 500, null)).to.equal(DEFAULT_BUDGET_MS);
  });

  it("takes the module's timeout when it is shorter, never when it is longer", () => {
    expect(probeBudgetMs('30', 500, 10_000)).to.equal(10_000);
    expect(probeBudgetMs('5', 500, 10_000)).to.equal(4500);
    expect(probeBudgetMs(undefined, 500, 20_000)).to.equal(20_000);
  });

  it('never drops below the minimum, even when the offset eats the whole scrape timeout', () => {
    expect(probeBudgetMs('0.3', 500, null)).to.equal(MIN_BUDGET_MS);
  });

  it('refuses a header that is not a positive number of seconds', () => {
    for (const bad of ['', 'abc', '-1', '0', '1e3', '10s']) {
      try {
        probeBudgetMs(bad, 500, null);
        expect.fail(`"${bad}" was accepted`);
      } catch (err) {
        expect(isPortolanError(err, 'INVALID_VALUE'), bad).to.equal(true);
      }
    }
  });
});
