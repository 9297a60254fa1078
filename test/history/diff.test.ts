/**
 * Drift between two runs (src/history/diff.ts), status pair by status pair: only fail -> pass
 * is a recovery; anything -> fail is newly failing; every other change is just "changed", so a
 * drift report never claims a fix that did not happen.
 */
import { expect } from 'chai';
import { type ChangeKind, diffRuns } from '../../src/history/diff.js';
import type { ExpectationStatus, ExpectationVerdict, RunResult } from '../../src/model.js';
import { stubRunCheck } from '../plan/stub-check.js';

let base: RunResult;

/** `base` with the given statuses, in expectation order, and a start time. */
function runWith(statuses: ExpectationStatus[], at: string, over: Partial<ExpectationVerdict>[] = []): RunResult {
  const expectations = base.verdicts.expectations.map((v, i) => ({
    ...v,
    status: statuses[i] ?? v.status,
    explanation: `${v.expectation} is ${statuses[i] ?? v.status} at ${at}`,
    ...over[i],
  }));
  return { ...base, run: { ...base.run, startedAt: at }, verdicts: { ...base.verdicts, expectations } };
}

describe('diffRuns: what counts as what', () => {
  // beforeEach, not before: the analyzer runs inside each test, so mutation testing maps it to that test.
  beforeEach(async () => {
    const { runCheck } = stubRunCheck(() => 'open');
    base = await runCheck({
      targets: [{ name: 'dc1.test', origin: 'test' }],
      roles: [],
      services: [],
      ports: ['88/tcp', '389/tcp', '445/tcp'],
      options: {},
      commandLine: [],
    });
  });

  const table: [ExpectationStatus, ExpectationStatus, ChangeKind | null][] = [
    ['fail', 'pass', 'recovered'],
    ['fail', 'inconclusive', 'changed'],
    ['fail', 'untestable', 'changed'],
    ['fail', 'waived', 'changed'],
    ['inconclusive', 'pass', 'changed'],
    ['waived', 'pass', 'changed'],
    ['pass', 'fail', 'newly-failing'],
    ['inconclusive', 'fail', 'newly-failing'],
    ['waived', 'fail', 'newly-failing'],
    ['pass', 'inconclusive', 'changed'],
    ['pass', 'pass', null],
    ['fail', 'fail', null],
  ];
  for (const [before, after, kind] of table) {
    it(`${before} -> ${after}: ${kind ?? 'no change'}`, () => {
      const d = diffRuns(runWith([before], '2026-11-25T02:00:00Z'), runWith([after], '2026-11-26T02:00:00Z'));
      expect(d.changes.map((c) => [c.kind, c.before, c.after])).to.deep.equal(kind ? [[kind, before, after]] : []);
      expect(d.counts.recovered).to.equal(kind === 'recovered' ? 1 : 0);
    });
  }

  it('orders newly failing, recovered, changed, added, removed, and counts each', () => {
    /** The run with one more verdict, a copy of its first under another expectation key. */
    const plus = (r: RunResult, key: string): RunResult => {
      const first = r.verdicts.expectations[0] as ExpectationVerdict;
      const expectations = [...r.verdicts.expectations, { ...first, expectation: key }];
      return { ...r, verdicts: { ...r.verdicts, expectations } };
    };
    const older = plus(runWith(['pass', 'fail', 'pass'], '2026-11-25T02:00:00Z'), 'adhoc/3268/tcp');
    const newer = plus(runWith(['inconclusive', 'pass', 'fail'], '2026-11-26T02:00:00Z'), 'adhoc/636/tcp');
    const d = diffRuns(older, newer);
    expect(d.changes.map((c) => [c.kind, c.expectation])).to.deep.equal([
      ['newly-failing', 'adhoc/445/tcp'],
      ['recovered', 'adhoc/389/tcp'],
      ['changed', 'adhoc/88/tcp'],
      ['added', 'adhoc/636/tcp'],
      ['removed', 'adhoc/3268/tcp'],
    ]);
    expect(d.counts).to.deep.equal({ 'newly-failing': 1, recovered: 1, changed: 1, added: 1, removed: 1 });
    const added = d.changes.find((c) => c.kind === 'added');
    const removed = d.changes.find((c) => c.kind === 'removed');
    expect([added?.before, added?.after, removed?.before, removed?.after]).to.deep.equal([
      null,
      'inconclusive',
      'pass',
      null,
    ]);
  });

  it('carries the newer explanation (the older one for removed) and who it is about', () => {
    const d = diffRuns(runWith(['fail'], '2026-11-25T02:00:00Z'), runWith(['pass'], '2026-11-26T02:00:00Z'));
    expect(d.changes[0]).to.deep.equal({
      kind: 'recovered',
      target: 'dc1.test',
      expectation: 'adhoc/88/tcp',
      service: 'adhoc',
      role: null,
      negative: false,
      before: 'fail',
      after: 'pass',
      explanation: 'adhoc/88/tcp is pass at 2026-11-26T02:00:00Z',
    });
  });

  it('keeps a blocked-port (negative) check apart from the listening check of the same expectation', () => {
    const negative: Partial<ExpectationVerdict>[] = [{}, {}, { negative: true, expectation: 'adhoc/88/tcp' }];
    const d = diffRuns(
      runWith(['pass', 'pass', 'pass'], '2026-11-25T02:00:00Z', negative),
      runWith(['pass', 'pass', 'fail'], '2026-11-26T02:00:00Z', negative),
    );
    expect(d.changes.map((c) => [c.kind, c.expectation, c.negative])).to.deep.equal([
      ['newly-failing', 'adhoc/88/tcp', true],
    ]);
  });

  it('a listening check and a blocked-port check of one expectation moving in opposite directions are two changes', () => {
    const negative: Partial<ExpectationVerdict>[] = [{}, {}, { negative: true, expectation: 'adhoc/88/tcp' }];
    const d = diffRuns(
      runWith(['fail', 'pass', 'pass'], '2026-11-25T02:00:00Z', negative),
      runWith(['pass', 'pass', 'fail'], '2026-11-26T02:00:00Z', negative),
    );
    expect(d.changes.map((c) => [c.kind, c.expectation, c.negative])).to.deep.equal([
      ['newly-failing', 'adhoc/88/tcp', true],
      ['recovered', 'adhoc/88/tcp', false],
    ]);
  });

  it('says when and from what to what the run status changed', () => {
    const a = { ...runWith([], '2026-11-25T02:00:00Z'), summary: { ...base.summary, status: 'compliant' as const } };
    const b = {
      ...runWith([], '2026-11-26T02:00:00Z'),
      summary: { ...base.summary, status: 'non-compliant' as const },
    };
    expect(diffRuns(a, b)).to.deep.include({
      from: { startedAt: '2026-11-25T02:00:00Z', status: 'compliant' },
      to: { startedAt: '2026-11-26T02:00:00Z', status: 'non-compliant' },
      statusChanged: true,
    });
    expect(diffRuns(a, a).statusChanged).to.equal(false);
  });
});
