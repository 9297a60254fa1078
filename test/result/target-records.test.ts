import { expect } from 'chai';
import { isPortolanError } from '../../src/errors.js';
import type { RootCause, RunResult } from '../../src/model.js';
import { mergeResults } from '../../src/plan/merge.js';
import { joinResult, splitResult } from '../../src/result/target-records.js';
import { syntheticRun } from '../bench/synthetic-run.mjs';
import { stubRunCheck } from '../plan/stub-check.js';
import { fixtureNames, loadFixture } from '../report/fixtures.js';

/** The message of the RESULT_INVALID error `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isPortolanError(err, 'RESULT_INVALID'), String(err)).to.equal(true);
    return (err as Error).message;
  }
  throw new Error('expected a RESULT_INVALID error');
}

/** Each verdict's observations, as objects, in order: what a report follows. */
function evidenceOf(result: RunResult) {
  return result.verdicts.expectations.map((v) => ({
    key: `${v.target} ${v.expectation} ${v.negative ? 'blocked' : ''}`,
    observations: v.observations.map((i) => result.observations[i]),
  }));
}

describe('target records: a RunResult split into a header and one record per target', () => {
  it('round-trips every report fixture and a 500-target run byte for byte', () => {
    const fixtures = fixtureNames();
    expect(fixtures.length).to.be.greaterThan(3);
    const results = [...fixtures.map(loadFixture), syntheticRun({ targets: 500, rows: 12 })];
    for (const result of results) {
      const { header, records } = splitResult(result);
      expect(records.map((r) => r.target.name)).to.deep.equal(result.targets.map((t) => t.name));
      expect(JSON.stringify(joinResult(header, records))).to.equal(JSON.stringify(result));
    }
  });

  it('a record stands alone: its verdicts index its own observations, about its own target', () => {
    const result = loadFixture('firewalled');
    const { header, records } = splitResult(result);
    expect(Object.keys(header)).not.to.include.members(['targets', 'observations', 'verdicts']);
    expect(records).to.have.length(2);
    const second = records[1];
    if (!second) throw new Error('no second record');
    // Re-based: the second target's first verdict no longer points past the first target's observations.
    expect(second.verdicts.expectations[0]?.observations).to.deep.equal([0]);
    for (const record of records) {
      const name = record.target.name;
      expect(record.observations.every((o) => o.target === name)).to.equal(true);
      expect(record.verdicts.services.every((s) => s.target === name)).to.equal(true);
      expect(record.verdicts.targets.every((t) => t.target === name)).to.equal(true);
      for (const v of record.verdicts.expectations) {
        expect(v.target).to.equal(name);
        for (const i of v.observations)
          expect(record.observations[i], `${v.expectation} -> ${i}`).to.not.equal(undefined);
      }
    }
    // Through JSON one record at a time, as the history and a stream carry them.
    const carried = records.map((r) => JSON.parse(JSON.stringify(r)));
    expect(evidenceOf(joinResult(header, carried))).to.deep.equal(evidenceOf(result));
  });

  it("carries each target's root causes, re-based, and puts them back outages first", () => {
    const result = loadFixture('three-targets');
    const causes = result.verdicts.rootCauses ?? [];
    // The run lists dc3's outage between dc1's outages and dc1's notices: not grouped by target.
    const order = causes.map((c) => `${c.severity} ${c.target}`);
    expect(order.indexOf('outage dc3.corp.example')).to.be.lessThan(order.indexOf('notice dc1.corp.example'));
    const { header, records } = splitResult(result);
    for (const record of records) {
      const own = causes.filter((c) => c.target === record.target.name);
      expect(record.verdicts.rootCauses?.map((c) => c.id)).to.deep.equal(own.map((c) => c.id));
      for (const [k, c] of (record.verdicts.rootCauses ?? []).entries()) {
        // The same probes, by the record's own indexes.
        expect(c.observations.map((i) => record.observations[i])).to.deep.equal(
          own[k]?.observations.map((i) => result.observations[i]),
        );
      }
    }
    const dc3 = records[2]?.verdicts.rootCauses?.[0];
    expect(dc3?.observations.length).to.be.greaterThan(1);
    expect(Math.max(...(dc3?.observations ?? []))).to.be.lessThan(records[2]?.observations.length ?? 0);
    const carried = records.map((r) => JSON.parse(JSON.stringify(r)));
    expect(joinResult(header, carried).verdicts.rootCauses).to.deep.equal(causes);

    // A result written before root causes existed stays without them, and no record makes some up.
    const legacy = loadFixture('three-targets');
    delete legacy.verdicts.rootCauses;
    const old = splitResult(legacy);
    expect(old.records.every((r) => !('rootCauses' in r.verdicts))).to.equal(true);
    expect(JSON.stringify(joinResult(old.header, old.records))).to.equal(JSON.stringify(legacy));
  });

  it('a plan that names one target in two groups is regrouped by target, every verdict keeping its observations', async () => {
    const { runCheck } = stubRunCheck((t, spec) => (t === 'dc1.test' && spec === '389/tcp' ? 'filtered' : 'open'));
    const request = (names: string[], ports: string[]) => ({
      targets: names.map((name) => ({ name, origin: 'test' })),
      roles: [],
      services: [],
      ports,
      options: {},
      commandLine: [],
    });
    const merged = mergeResults(
      [
        await runCheck(request(['dc1.test', 'dc2.test'], ['88/tcp'])),
        await runCheck(request(['dc1.test'], ['389/tcp'])),
      ],
      ['portolan', 'run'],
    );
    expect(merged.observations.map((o) => o.target)).to.deep.equal(['dc1.test', 'dc2.test', 'dc1.test']);
    const split = splitResult(merged);
    const assembled = joinResult(split.header, split.records);
    expect(assembled.observations.map((o) => o.target)).to.deep.equal(['dc1.test', 'dc1.test', 'dc2.test']);
    const byKey = (r: RunResult) => evidenceOf(r).sort((a, b) => a.key.localeCompare(b.key));
    expect(byKey(assembled)).to.deep.equal(byKey(merged));
    expect(splitResult(assembled)).to.deep.equal(split);
  });

  it('refuses a result whose lists do not fit its targets, naming what is wrong', () => {
    const base = loadFixture('firewalled');
    const broken = (change: (r: RunResult) => void) => {
      const r = structuredClone(base);
      change(r);
      return () => splitResult(r);
    };
    expect(
      refusal(
        broken((r) => {
          (r.observations[0] as RunResult['observations'][number]).target = 'ghost.test';
        }),
      ),
    ).to.match(/observation 0 names target "ghost.test"/);
    expect(
      refusal(
        broken((r) => {
          const last = r.verdicts.expectations.at(-1);
          if (last) last.observations = [0];
        }),
      ),
    ).to.match(/points at observation 0, which is not one of that target's/);
    expect(refusal(broken((r) => r.targets.push({ ...(r.targets[0] as RunResult['targets'][number]) })))).to.match(
      /listed twice/,
    );
    const brokenCause = (change: (c: RootCause, r: RunResult) => void) => {
      const r = loadFixture('three-targets');
      const dc3 = r.verdicts.rootCauses?.find((c) => c.target === 'dc3.corp.example');
      if (!dc3) throw new Error('fixture has no root cause on dc3');
      change(dc3, r);
      return () => splitResult(r);
    };
    expect(
      refusal(
        brokenCause((c, r) => {
          c.observations = [r.observations.findIndex((o) => o.target === 'dc1.corp.example')];
        }),
      ),
    ).to.match(/root cause \d+ \(dc3.corp.example host\) points at observation \d+, which is not one of that target's/);
    expect(
      refusal(
        brokenCause((c) => {
          c.target = 'ghost.test';
        }),
      ),
    ).to.match(/root cause \d+ .* names target "ghost.test"/);
    const { header, records } = splitResult(base);
    const record = structuredClone(records[0]);
    if (!record?.verdicts.expectations[0]) throw new Error('fixture has no verdict');
    record.verdicts.expectations[0].observations = [record.observations.length];
    expect(refusal(() => joinResult(header, [record]))).to.match(/points at observation \d+ of \d+/);
    const split = splitResult(loadFixture('one-dc'));
    const dc1 = structuredClone(split.records[0]);
    const first = dc1?.verdicts.rootCauses?.[0];
    if (!dc1 || !first) throw new Error('fixture has no root cause');
    first.observations = [-1];
    expect(refusal(() => joinResult(split.header, [dc1]))).to.match(/root cause \S+ \S+ points at observation -1 of/);
  });
});
