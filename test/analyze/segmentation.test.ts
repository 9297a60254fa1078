/**
 * Segmentation (negative expectations, src/analyze/segmentation.ts): which verdicts a rule
 * covers, and how each probe state reads when the plan requires the port BLOCKED: open is
 * the failure, a drop the pass, a reset a pass with a caveat, silence inconclusive.
 */
import { expect } from 'chai';
import { applySegmentation, type SegmentationRule } from '../../src/analyze/segmentation.js';
import type { ExpectationVerdict, ProbeState, RunResult } from '../../src/model.js';
import { stubRunCheck } from '../plan/stub-check.js';

const PORTS = ['445/tcp', '3389/tcp', '53/udp', 'icmp'];

async function resultWith(states: Record<string, ProbeState>): Promise<RunResult> {
  const { runCheck } = stubRunCheck((t, spec) => states[`${t} ${spec}`] ?? states[spec] ?? 'open');
  return runCheck({
    targets: [
      { name: 'fs1.test', origin: 'test' },
      { name: 'fs2.test', origin: 'test' },
    ],
    roles: [],
    services: [],
    ports: PORTS,
    options: {},
    commandLine: [],
  });
}

function rule(r: Partial<SegmentationRule>): SegmentationRule {
  return { targets: null, roles: [], services: [], ports: [], reason: 'no file shares from the DMZ', ...r };
}

const find = (r: RunResult, target: string, key: string) =>
  r.verdicts.expectations.find((v) => v.target === target && v.expectation === key) as ExpectationVerdict;
const negatives = (r: RunResult) =>
  r.verdicts.expectations.filter((v) => v.negative).map((v) => `${v.target} ${v.expectation}`);

describe('segmentation: what a rule covers', () => {
  let base: RunResult;
  beforeEach(async () => {
    base = await resultWith({});
  });

  it('no rules: the result unchanged', () => {
    expect(applySegmentation(base, [])).to.equal(base);
  });

  it('a port rule limited to one target (any case) covers that target only', () => {
    const out = applySegmentation(base, [rule({ targets: ['FS1.test'], ports: ['445/tcp'] })]);
    expect(negatives(out)).to.deep.equal(['fs1.test adhoc/445/tcp']);
  });

  it('a rule naming several targets covers each of them', () => {
    const out = applySegmentation(base, [rule({ targets: ['fs1.test', 'FS2.TEST'], ports: ['445/tcp'] })]);
    expect(negatives(out)).to.deep.equal(['fs1.test adhoc/445/tcp', 'fs2.test adhoc/445/tcp']);
  });

  it('a range covers the ports inside it, on its protocol only; icmp covers ICMP only', () => {
    expect(negatives(applySegmentation(base, [rule({ ports: ['440-450/tcp'] })]))).to.deep.equal([
      'fs1.test adhoc/445/tcp',
      'fs2.test adhoc/445/tcp',
    ]);
    expect(negatives(applySegmentation(base, [rule({ ports: ['53/tcp'] })]))).to.deep.equal([]);
    expect(negatives(applySegmentation(base, [rule({ ports: ['icmp'] })]))).to.deep.equal([
      'fs1.test adhoc/icmp',
      'fs2.test adhoc/icmp',
    ]);
  });

  it('a service rule covers every port of the service; a role rule every port of the role', () => {
    expect(negatives(applySegmentation(base, [rule({ services: ['adhoc'] })]))).to.have.length(8);
    expect(negatives(applySegmentation(base, [rule({ services: ['kdc'] })]))).to.deep.equal([]);
    const withRole: RunResult = {
      ...base,
      verdicts: {
        ...base.verdicts,
        expectations: base.verdicts.expectations.map((v) =>
          v.target === 'fs2.test' ? { ...v, role: 'file-server' } : v,
        ),
      },
    };
    expect(negatives(applySegmentation(withRole, [rule({ roles: ['file-server'] })]))).to.have.length(4);
    expect(negatives(applySegmentation(withRole, [rule({ roles: ['file-server'] })]))[0]).to.match(/^fs2\.test/);
    expect(negatives(applySegmentation(base, [rule({ roles: ['file-server'] })]))).to.deep.equal([]);
  });
});

describe('segmentation: each state when the port must be blocked', () => {
  it('open fails as unexpected-open and says which firewall rule closes it', async () => {
    const r = applySegmentation(await resultWith({}), [rule({ ports: ['445/tcp', 'icmp'] })]);
    const v = find(r, 'fs1.test', 'adhoc/445/tcp');
    expect([v.status, v.negative, v.caveat]).to.deep.equal(['fail', true, null]);
    expect(v.explanation).to.equal(
      'unexpected-open: Requested port 445/tcp answered on fs1.test, but the plan requires it blocked from probe.test (rule: no file shares from the DMZ). Close it: deny 445/tcp from this segment to fs1.test on the firewall, or stop the service.',
    );
    expect(find(r, 'fs1.test', 'adhoc/icmp').explanation).to.match(/deny ICMP echo from this segment/);
    expect([r.summary.status, r.summary.exitCode]).to.deep.equal(['non-compliant', 1]);
  });

  it('filtered passes; closed passes with the caveat that no firewall blocks it', async () => {
    const r = applySegmentation(await resultWith({ '445/tcp': 'filtered', '3389/tcp': 'closed' }), [
      rule({ ports: ['445/tcp', '3389/tcp'], reason: null }),
    ]);
    const filtered = find(r, 'fs1.test', 'adhoc/445/tcp');
    expect([filtered.status, filtered.explanation, filtered.caveat]).to.deep.equal([
      'pass',
      'Requested port 445/tcp is blocked from probe.test as required.',
      null,
    ]);
    const closed = find(r, 'fs1.test', 'adhoc/3389/tcp');
    expect([closed.status, closed.explanation]).to.deep.equal([
      'pass',
      'Requested port 3389/tcp is not listening on fs1.test.',
    ]);
    expect(closed.caveat).to.match(/^The host answered with a reset.*A drop rule would show it as filtered\.$/);
  });

  it('silence is inconclusive, untestable stays untestable, an error cannot be judged', async () => {
    const base = await resultWith({ '445/tcp': 'open|filtered', icmp: 'untestable', '53/udp': 'error' });
    const withError: RunResult = {
      ...base,
      observations: base.observations.map((o) =>
        o.state === 'error' ? { ...o, error: 'EMFILE: too many open files' } : o,
      ),
    };
    const r = applySegmentation(withError, [rule({ ports: ['445/tcp', 'icmp', '53/udp'] })]);
    const silent = find(r, 'fs1.test', 'adhoc/445/tcp');
    expect(silent.status).to.equal('inconclusive');
    expect(silent.explanation).to.match(
      /gave no answer: it is blocked as required, or a listener ignored the probe \(rule: .*\)\. Enable appProbes/,
    );
    const icmp = find(r, 'fs1.test', 'adhoc/icmp');
    expect([icmp.status, icmp.explanation]).to.deep.equal([
      'untestable',
      'ICMP echo cannot be tested by connecting (rule: no file shares from the DMZ).',
    ]);
    const errored = find(r, 'fs1.test', 'adhoc/53/udp');
    expect([errored.status, errored.explanation]).to.deep.equal([
      'inconclusive',
      'Requested port 53/udp on fs1.test could not be probed: EMFILE: too many open files (rule: no file shares from the DMZ).',
    ]);
  });

  it('of several probes, any answer beats silence: open on one address fails the rule', async () => {
    const base = await resultWith({ '445/tcp': 'open|filtered' });
    const v0 = find(base, 'fs1.test', 'adhoc/445/tcp');
    const extra = { ...(base.observations[v0.observations[0] as number] as RunResult['observations'][number]) };
    const observations = [...base.observations, { ...extra, state: 'open' as const, reason: 'syn-ack' as const }];
    const expectations = base.verdicts.expectations.map((v) =>
      v === v0 ? { ...v, observations: [...v.observations, observations.length - 1] } : v,
    );
    const r = applySegmentation({ ...base, observations, verdicts: { ...base.verdicts, expectations } }, [
      rule({ ports: ['445/tcp'] }),
    ]);
    expect(find(r, 'fs1.test', 'adhoc/445/tcp').status).to.equal('fail');
  });
});
