import { expect } from 'chai';
import { EXIT_CODE_OF } from '../src/cli/exit-codes.js';
import { isPortolanError, PortolanError } from '../src/errors.js';

describe('the error model', () => {
  it('carries a stable code, the fields it names and a location prefix', () => {
    const err = new PortolanError('PLAN_INVALID', 'timeoutMs 0: expected a whole number', {
      fields: ['timeoutMs'],
      location: 'plan.yaml:3:5',
    });
    expect(err.code).to.equal('PLAN_INVALID');
    expect(err.message).to.equal('plan.yaml:3:5: timeoutMs 0: expected a whole number');
    expect(isPortolanError(err, 'PLAN_INVALID')).to.equal(true);
    expect(isPortolanError(err, 'INVALID_VALUE')).to.equal(false);
    expect(isPortolanError(new Error('x'))).to.equal(false);
  });

  it('renames every field it names, as whole words only (the CLI shows flags)', () => {
    const err = new PortolanError('INVALID_VALUE', 'perHost 64 is larger than concurrency 32 (perHostile stays)', {
      fields: ['perHost', 'concurrency'],
    });
    const flags: Record<string, string> = { perHost: '--per-host', concurrency: '--concurrency' };
    const shown = err.renamed((f) => flags[f]);
    expect(shown.message).to.equal('--per-host 64 is larger than --concurrency 32 (perHostile stays)');
    expect(shown.code).to.equal('INVALID_VALUE');
    expect(shown.fields).to.deep.equal(['--per-host', '--concurrency']);
  });

  it('maps bad input and files to fix to exit code 2, a report lost after the run to 70, nothing else', () => {
    const byExit = Object.entries(EXIT_CODE_OF).filter(([, exit]) => exit !== 2);
    expect(byExit).to.deep.equal([['REPORT_FAILED', 70]]);
  });
});
