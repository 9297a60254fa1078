import { expect } from 'chai';
import { reaggregate } from '../../src/analyze/summary.js';
import { applyWaivers, type WaiverRule } from '../../src/analyze/waivers.js';
import type { ProbeState, RunResult } from '../../src/model.js';
import { stubRunCheck } from './stub-check.js';

const NOW = new Date('2026-11-26T12:00:00Z');

/** fs1.test and fs2.test: 445/tcp and 3389/tcp filtered (fail), 53/udp open (pass). */
async function failingResult(): Promise<RunResult> {
  const states: Record<string, ProbeState> = { '445/tcp': 'filtered', '3389/tcp': 'filtered', '53/udp': 'open' };
  const { runCheck } = stubRunCheck((_t, spec) => states[spec] ?? 'open');
  return runCheck({
    targets: [
      { name: 'fs1.test', origin: 'test' },
      { name: 'fs2.test', origin: 'test' },
    ],
    roles: [],
    services: [],
    ports: ['445/tcp', '3389/tcp', '53/udp'],
    options: {},
    commandLine: [],
  });
}

/**
 * The same run with 445/tcp needed by two services (SMB file sharing and DFS), as a role's
 * catalog has it: one port, two expectations per target, all four failing.
 */
async function twoServicesOn445(): Promise<RunResult> {
  const r = await failingResult();
  const split = <T extends { service: string }>(item: T, key: (service: string) => Partial<T>): T[] => [
    { ...item, service: 'smb', ...key('smb') },
    { ...item, service: 'dfs', ...key('dfs') },
  ];
  const expectations = r.expectations.flatMap((e) =>
    e.port === 445 ? split(e, (s) => ({ key: `${s}/445/tcp`, serviceName: s.toUpperCase() })) : [e],
  );
  const verdicts = r.verdicts.expectations.flatMap((v) =>
    v.expectation === 'adhoc/445/tcp' ? split(v, (s) => ({ expectation: `${s}/445/tcp` })) : [v],
  );
  return reaggregate({ ...r, expectations }, verdicts);
}

function waiver(w: Partial<WaiverRule>): WaiverRule {
  return {
    target: null,
    service: null,
    port: null,
    reason: 'change CHG-1 pending',
    owner: 'netops',
    expires: '2026-12-31',
    location: 'plan.yaml:20:5',
    ...w,
  };
}

const statusOf = (r: RunResult, target: string, port: string) =>
  r.verdicts.expectations.find((v) => v.target === target && v.expectation === `adhoc/${port}`)?.status;

describe('waivers', () => {
  let base: RunResult;
  // beforeEach, not before: the analyzer runs inside each test, so mutation testing maps it to that test.
  beforeEach(async () => {
    base = await failingResult();
    expect(base.summary.counts.fail).to.equal(4);
  });

  const cases: {
    name: string;
    waivers: Partial<WaiverRule>[];
    waived: number;
    fail: number;
    status: string;
    exitCode: number;
    used: number;
    expired: number;
    stale: number;
    expiring: number;
    note?: RegExp;
  }[] = [
    {
      name: 'target + port waives that one failure',
      waivers: [{ target: 'FS1.test', port: '445/tcp' }],
      waived: 1,
      fail: 3,
      status: 'non-compliant',
      exitCode: 1,
      used: 1,
      expired: 0,
      stale: 0,
      expiring: 0,
    },
    {
      name: 'a service waiver covers every target',
      waivers: [{ service: 'adhoc' }],
      waived: 4,
      fail: 0,
      status: 'compliant',
      exitCode: 0,
      used: 1,
      expired: 0,
      stale: 0,
      expiring: 0,
    },
    {
      name: 'a port range matches the port inside it',
      waivers: [{ port: '3000-4000/tcp' }, { port: '445/tcp' }],
      waived: 4,
      fail: 0,
      status: 'compliant',
      exitCode: 0,
      used: 2,
      expired: 0,
      stale: 0,
      expiring: 0,
    },
    {
      name: 'an expired waiver waives nothing and fails the run, saying so',
      waivers: [{ service: 'adhoc', expires: '2026-11-25' }],
      waived: 0,
      fail: 4,
      status: 'non-compliant',
      exitCode: 1,
      used: 0,
      expired: 1,
      stale: 0,
      expiring: 0,
      note: /plan\.yaml:20:5 .*expired on 2026-11-25/,
    },
    {
      name: 'an expired waiver fails a run that otherwise passes',
      waivers: [{ service: 'adhoc' }, { target: 'old.test', expires: '2026-01-31' }],
      waived: 4,
      fail: 0,
      status: 'non-compliant',
      exitCode: 1,
      used: 1,
      expired: 1,
      stale: 0,
      expiring: 0,
      note: /expired on 2026-01-31/,
    },
    {
      name: 'a waiver that expires today still holds (end of day, UTC)',
      waivers: [{ target: 'fs1.test', expires: '2026-11-26' }],
      waived: 2,
      fail: 2,
      status: 'non-compliant',
      exitCode: 1,
      used: 1,
      expired: 0,
      stale: 0,
      expiring: 1,
      note: /expires on 2026-11-26/,
    },
    {
      name: 'a waiver on a passing port is stale',
      waivers: [{ port: '53/udp' }],
      waived: 0,
      fail: 4,
      status: 'non-compliant',
      exitCode: 1,
      used: 0,
      expired: 0,
      stale: 1,
      expiring: 0,
      note: /\(53\/udp\) is stale/,
    },
    {
      name: 'a waiver for an unknown target is stale',
      waivers: [{ target: 'gone.test' }],
      waived: 0,
      fail: 4,
      status: 'non-compliant',
      exitCode: 1,
      used: 0,
      expired: 0,
      stale: 1,
      expiring: 0,
      note: /on gone\.test\) is stale/,
    },
    {
      name: 'a waiver expiring within 14 days is flagged',
      waivers: [
        { port: '445/tcp', expires: '2026-12-05' },
        { port: '3389/tcp', expires: '2027-06-30' },
      ],
      waived: 4,
      fail: 0,
      status: 'compliant',
      exitCode: 0,
      used: 2,
      expired: 0,
      stale: 0,
      expiring: 1,
      note: /expires on 2026-12-05/,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const out = applyWaivers(base, c.waivers.map(waiver), { now: NOW });
      const { counts } = out.result.summary;
      expect([counts.waived, counts.fail]).to.deep.equal([c.waived, c.fail]);
      expect(out.result.summary.status).to.equal(c.status);
      expect(out.result.summary.exitCode).to.equal(c.exitCode);
      expect([out.used.length, out.expired.length, out.stale.length, out.expiring.length]).to.deep.equal([
        c.used,
        c.expired,
        c.stale,
        c.expiring,
      ]);
      if (c.note)
        expect(
          out.result.run.notes.some((n) => c.note?.test(n)),
          out.result.run.notes.join('\n'),
        ).to.equal(true);
    });
  }

  it('a waived verdict carries the waiver and keeps the finding in its explanation', () => {
    const out = applyWaivers(base, [waiver({ target: 'fs1.test', port: '445/tcp' })], { now: NOW });
    const v = out.result.verdicts.expectations.find((x) => x.status === 'waived');
    expect(v?.waiver).to.deep.equal({ reason: 'change CHG-1 pending', owner: 'netops', expires: '2026-12-31' });
    expect(v?.explanation).to.match(
      /^Waived until 2026-12-31 \(owner: netops\): change CHG-1 pending\. Finding: .*445\/tcp/,
    );
    expect(statusOf(out.result, 'fs2.test', '445/tcp')).to.equal('fail');
    // The service verdict is re-aggregated: fs1 still has 3389 failing, fs2 both.
    expect(out.result.verdicts.targets.map((t) => [t.target, t.status])).to.deep.equal([
      ['fs1.test', 'non-compliant'],
      ['fs2.test', 'non-compliant'],
    ]);
  });

  describe('two services on one port', () => {
    let shared: RunResult;
    beforeEach(async () => {
      shared = await twoServicesOn445();
      expect(shared.summary.counts.fail).to.equal(6); // smb + dfs on 445, and 3389, on two targets
    });
    const statusFor = (r: RunResult, target: string, service: string) =>
      r.verdicts.expectations.find((v) => v.target === target && v.expectation === `${service}/445/tcp`)?.status;

    it('a waiver for one service on the port waives only that service’s failures', () => {
      const out = applyWaivers(shared, [waiver({ service: 'smb', port: '445/tcp' })], { now: NOW });
      expect([out.result.summary.counts.waived, out.result.summary.counts.fail]).to.deep.equal([2, 4]);
      for (const t of ['fs1.test', 'fs2.test']) {
        expect([statusFor(out.result, t, 'smb'), statusFor(out.result, t, 'dfs')], t).to.deep.equal(['waived', 'fail']);
      }
      expect(out.result.summary.exitCode).to.equal(1);
    });

    it('target + service + port narrows it to one verdict', () => {
      const out = applyWaivers(shared, [waiver({ target: 'fs2.test', service: 'dfs', port: '445/tcp' })], { now: NOW });
      expect(
        out.result.verdicts.expectations.filter((v) => v.status === 'waived').map((v) => [v.target, v.expectation]),
      ).to.deep.equal([['fs2.test', 'dfs/445/tcp']]);
    });

    it('a waiver for a service that is not on the port is stale, and waives nothing', () => {
      const out = applyWaivers(shared, [waiver({ service: 'kdc', port: '445/tcp' })], { now: NOW });
      expect([out.result.summary.counts.waived, out.stale.length]).to.deep.equal([0, 1]);
    });

    it('a port-only waiver covers both services', () => {
      const out = applyWaivers(shared, [waiver({ port: '445/tcp' })], { now: NOW });
      expect(out.result.summary.counts.waived).to.equal(4);
    });
  });

  it('a waiver expires at the first instant after its day (UTC), and warns exactly 14 days ahead', () => {
    const midnight = new Date('2026-11-27T00:00:00Z');
    const out = applyWaivers(base, [waiver({ service: 'adhoc', expires: '2026-11-26' })], { now: midnight });
    expect([out.expired.length, out.result.summary.counts.waived]).to.deep.equal([1, 0]);
    const fourteen = applyWaivers(base, [waiver({ service: 'adhoc', expires: '2026-12-10' })], { now: midnight });
    expect(fourteen.expiring.length).to.equal(1);
    const fifteen = applyWaivers(base, [waiver({ service: 'adhoc', expires: '2026-12-11' })], { now: midnight });
    expect(fifteen.expiring.length).to.equal(0);
  });

  it('an expired waiver leaves its failure failing, says so in the finding and leads the headline', () => {
    const out = applyWaivers(
      base,
      [waiver({ target: 'fs1.test', port: '445/tcp', expires: '2026-11-25' }), waiver({ port: '3389/tcp' })],
      { now: NOW },
    );
    const v = out.result.verdicts.expectations.find(
      (x) => x.target === 'fs1.test' && x.expectation === 'adhoc/445/tcp',
    );
    expect(v?.status).to.equal('fail');
    expect(v?.explanation).to.match(/filtered.*\(The waiver for this expired on 2026-11-25\.\)$/);
    const other = out.result.verdicts.expectations.find(
      (x) => x.target === 'fs2.test' && x.expectation === 'adhoc/445/tcp',
    );
    expect(other?.explanation).not.to.match(/waiver/);
    const passing = applyWaivers(
      base,
      [waiver({ service: 'adhoc' }), waiver({ target: 'old.test', expires: '2026-01-31' })],
      { now: NOW },
    );
    expect(passing.result.summary.headline).to.match(/^1 waiver\(s\) expired\. Every required port answered/);
    expect(passing.result.run.notes[0]).to.equal(
      'Waiver at plan.yaml:20:5 (on old.test, owner netops) expired on 2026-01-31: the run fails until it is renewed or removed.',
    );
  });

  it('notes name every part of a waiver: port, service and target', () => {
    const out = applyWaivers(base, [waiver({ target: 'gone.test', service: 'adhoc', port: '445/tcp' })], { now: NOW });
    expect(out.result.run.notes).to.deep.equal([
      'Waiver at plan.yaml:20:5 (445/tcp adhoc on gone.test) is stale: it matches no failure in this run; remove it.',
    ]);
  });

  it('does not modify the input result', () => {
    const before = JSON.stringify(base);
    applyWaivers(base, [waiver({ service: 'adhoc' })], { now: NOW });
    expect(JSON.stringify(base)).to.equal(before);
  });
});
