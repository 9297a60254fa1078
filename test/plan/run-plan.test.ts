import { expect } from 'chai';
import type { ProbeState } from '../../src/model.js';
import { parsePlan } from '../../src/plan/load.js';
import { runPlan } from '../../src/plan/run-plan.js';
import { stubRunCheck } from './stub-check.js';

const PLAN = `version: 1
name: dmz
groups:
  - name: files
    targets: [fs1.test, fs2.test]
    ports: [445/tcp]
  - name: dmz
    targets: [web1.test]
    ports: [443/tcp]
    blocked:
      ports: [445/tcp, 3389/tcp, 53/udp, 139/tcp]
      reason: no SMB or RDP from the DMZ
`;

const plan = (text = PLAN) => parsePlan(text, 'plan.yaml', { env: {} });
const find = (r: Awaited<ReturnType<typeof runPlan>>['result'], target: string, port: string, negative = false) =>
  r.verdicts.expectations.find(
    (v) => v.target === target && v.expectation === `adhoc/${port}` && Boolean(v.negative) === negative,
  );

describe('runPlan: groups, segmentation, wait-until-pass', () => {
  it('runs one request per group and per blocked rule, merged into one result', async () => {
    const { runCheck, calls } = stubRunCheck(() => 'open');
    const { result } = await runPlan(plan(), runCheck, { commandLine: ['portolan', 'run', 'plan.yaml'] });
    expect(calls.map((c) => [c.targets.map((t) => t.name), c.ports])).to.deep.equal([
      [['fs1.test', 'fs2.test'], ['445/tcp']],
      [['web1.test'], ['443/tcp']],
      [['web1.test'], ['445/tcp', '3389/tcp', '53/udp', '139/tcp']],
    ]);
    expect(calls[0]?.targets[0]?.origin).to.equal('plan dmz, group files');
    expect(result.targets.map((t) => t.name)).to.deep.equal(['fs1.test', 'fs2.test', 'web1.test']);
    expect(result.run.commandLine).to.deep.equal(['portolan', 'run', 'plan.yaml']);
    // Observation indices were shifted: each verdict points at its own target's probe.
    const pointers = result.verdicts.expectations.flatMap((v) =>
      v.observations.map((i) => [v.target, result.observations[i]?.target]),
    );
    expect(pointers).to.have.length(result.verdicts.expectations.length);
    for (const [own, probed] of pointers) expect(probed).to.equal(own);
  });

  it('an open port in a blocked rule fails as unexpected-open with the rule and how to close it', async () => {
    const states: Record<string, ProbeState> = {
      '445/tcp': 'open',
      '3389/tcp': 'filtered',
      '53/udp': 'open|filtered',
      '139/tcp': 'closed',
      '443/tcp': 'open',
    };
    const { runCheck } = stubRunCheck((_t, spec) => states[spec] ?? 'open');
    const { result } = await runPlan(plan(), runCheck, { commandLine: [] });
    const smb = find(result, 'web1.test', '445/tcp', true);
    expect(smb?.status).to.equal('fail');
    expect(smb?.negative).to.equal(true);
    expect(smb?.explanation).to.match(
      /^unexpected-open: .*445\/tcp.*answered on web1\.test.*no SMB or RDP from the DMZ.*Close it/,
    );
    expect(find(result, 'web1.test', '3389/tcp', true)?.status).to.equal('pass');
    expect(find(result, 'web1.test', '53/udp', true)?.status).to.equal('inconclusive');
    const netbios = find(result, 'web1.test', '139/tcp', true);
    expect(netbios?.status).to.equal('pass');
    expect(netbios?.caveat).to.match(/reset/);
    // The required ports are judged normally in the same result.
    expect(find(result, 'fs1.test', '445/tcp')?.status).to.equal('pass');
    expect(result.summary.status).to.equal('non-compliant');
    expect(result.summary.exitCode).to.equal(1);
    expect(result.verdicts.targets.find((t) => t.target === 'web1.test')?.status).to.equal('non-compliant');
  });

  it('everything blocked as required is compliant', async () => {
    const { runCheck } = stubRunCheck((_t, spec) => (spec === '443/tcp' || spec === '445/tcp' ? 'open' : 'filtered'));
    const text = PLAN.replace('ports: [445/tcp, 3389/tcp, 53/udp, 139/tcp]', 'ports: [3389/tcp]');
    const { result } = await runPlan(plan(text), runCheck, { commandLine: [] });
    expect(result.summary.status).to.equal('compliant');
  });

  it('--wait-until-pass re-runs only the failing targets with backoff until they pass', async () => {
    let clock = Date.parse('2026-11-26T09:00:00Z');
    const delays: number[] = [];
    let fs1Probes = 0;
    const { runCheck, calls } = stubRunCheck((target) => {
      if (target !== 'fs1.test') return 'open';
      fs1Probes++;
      return fs1Probes < 3 ? 'filtered' : 'open';
    });
    const text = PLAN.slice(0, PLAN.indexOf('  - name: dmz'));
    const run = await runPlan(plan(text), runCheck, {
      commandLine: [],
      waitUntilPassMs: 60_000,
      now: () => new Date(clock),
      sleep: async (ms) => {
        delays.push(ms);
        clock += ms;
      },
    });
    expect(run.attempts).to.equal(3);
    expect(delays).to.deep.equal([2000, 4000]);
    expect(calls.map((c) => c.targets.map((t) => t.name))).to.deep.equal([
      ['fs1.test', 'fs2.test'],
      ['fs1.test'],
      ['fs1.test'],
    ]);
    expect(run.result.summary.status).to.equal('compliant');
    expect(run.result.targets.map((t) => t.name).sort()).to.deep.equal(['fs1.test', 'fs2.test']);
    expect(run.result.run.notes.at(-1)).to.match(/no failures after 3 attempt\(s\) \(6\.0 s\)/);
  });

  it('--wait-until-pass gives up when the time is up and says so', async () => {
    let clock = 0;
    const delays: number[] = [];
    const { runCheck } = stubRunCheck(() => 'filtered');
    const text = PLAN.slice(0, PLAN.indexOf('  - name: dmz'));
    const run = await runPlan(plan(text), runCheck, {
      commandLine: [],
      waitUntilPassMs: 10_000,
      now: () => new Date(clock),
      sleep: async (ms) => {
        delays.push(ms);
        clock += ms;
      },
    });
    expect(delays).to.deep.equal([2000, 4000, 4000]);
    expect(run.result.summary.exitCode).to.equal(1);
    expect(run.result.run.notes.at(-1)).to.match(/still failing after 4 attempt\(s\)/);
  });

  it('failOn waived-expiring turns a compliant run with an expiring waiver into exit 1', async () => {
    const { runCheck } = stubRunCheck((t) => (t === 'fs2.test' ? 'filtered' : 'open'));
    const text = `${PLAN.slice(0, PLAN.indexOf('  - name: dmz'))}waivers:
  - target: fs2.test
    reason: being rebuilt
    owner: ops
    expires: 2026-11-30
failOn: [waived-expiring]
`;
    const run = await runPlan(plan(text), runCheck, { commandLine: [], now: () => new Date('2026-11-26T09:00:00Z') });
    expect(run.result.summary.status).to.equal('compliant');
    expect(run.result.summary.exitCode).to.equal(1);
    expect(run.result.summary.headline).to.match(/1 waiver\(s\) expire within 14 days/);
    expect(run.expiring).to.have.length(1);
  });
});
