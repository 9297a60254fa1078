/**
 * Root causes from hand-written expectations and observations, through the real analyzer:
 * what is one finding, how severe it is, and the headline made from them.
 */
import { expect } from 'chai';
import { describeNotes } from '../../src/analyze/describe.js';
import { computeRootCauses } from '../../src/analyze/root-causes.js';
import { summarize } from '../../src/analyze/summary.js';
import { aggregate, judgeExpectations } from '../../src/analyze/verdicts.js';
import type {
  Expectation,
  ExpectationVerdict,
  Observation,
  ProbeState,
  Reason,
  RootCause,
  TargetInfo,
} from '../../src/model.js';

function row(key: string, over: Partial<Expectation>): Expectation {
  return {
    key,
    role: 'domain-controller',
    service: key.split('/')[0] as string,
    serviceName: key.split('/')[0]?.toUpperCase() as string,
    impact: 'it breaks',
    protocol: 'tcp',
    port: 445,
    range: null,
    portSet: null,
    ipProtocol: null,
    application: 'SMB',
    requirement: 'required',
    condition: null,
    footnote: null,
    note: null,
    source: { table: 'section', section: 'x' },
    ...over,
  };
}

interface Probe {
  target?: string;
  protocol?: Observation['protocol'];
  port: number | null;
  state: ProbeState;
  reason: Reason;
  responder?: Observation['responder'];
  responderShedding?: true;
}

/** Judges `expectations` on targets whose probes are given per (target, protocol/port); returns the root causes. */
function causes(
  expectations: Expectation[],
  probes: Probe[],
  targets: TargetInfo[] = [{ name: 'dc1', addresses: ['10.0.0.5'], origin: 'test', error: null }],
  edit: (v: ExpectationVerdict[]) => ExpectationVerdict[] = (v) => v,
): { list: RootCause[]; headline: string } {
  const observations: Observation[] = probes.map((p) => ({
    target: p.target ?? 'dc1',
    address: '10.0.0.5',
    protocol: p.protocol ?? 'tcp',
    port: p.port,
    state: p.state,
    reason: p.reason,
    rttMs: null,
    attempts: 1,
    evidence: [],
    warnings: [],
    ...(p.responder ? { responder: p.responder } : {}),
    ...(p.responderShedding ? { responderShedding: p.responderShedding } : {}),
  }));
  const judged = judgeExpectations(
    targets
      .filter((t) => !t.error)
      .map((t) => ({
        target: t.name,
        expectations,
        links: new Map(
          expectations.map((e) => [
            e.key,
            observations.flatMap((o, i) =>
              o.target === t.name &&
              o.protocol === e.protocol &&
              (e.port === null ? e.range !== null && o.port !== null && o.port >= 49152 : o.port === e.port)
                ? [i]
                : [],
            ),
          ]),
        ),
      })),
    observations,
    { expect: 'listening', timeoutMs: 1000, responder: probes.some((p) => p.responder) },
  );
  const unresolved = targets
    .filter((t) => t.error)
    .flatMap((t) =>
      expectations.map(
        (e): ExpectationVerdict => ({
          target: t.name,
          expectation: e.key,
          role: e.role,
          service: e.service,
          status: 'inconclusive',
          observations: [],
          explanation: 'not probed',
          caveat: null,
        }),
      ),
    );
  const verdicts = edit([...judged, ...unresolved]);
  const rolled = { expectations: verdicts, ...aggregate(expectations, verdicts, observations) };
  const list = computeRootCauses({ expectations, verdicts: rolled, observations, targets, timeoutMs: 1000 });
  return { list, headline: summarize({ ...rolled, rootCauses: list }, { failOn: [], incomplete: false }).headline };
}

const SMB = [
  row('netlogon/445', {}),
  row('server/445', {}),
  row('dfsr/445', {
    requirement: 'conditional',
    condition: 'Only with DFSR.',
    switches: [{ name: 'dfsr-sysvol', on: false }],
  }),
  row('kdc/88', { port: 88, application: 'Kerberos' }),
];

describe('root causes', () => {
  it('one blocked port is one outage with every row it breaks under it, required first', () => {
    const { list, headline } = causes(SMB, [
      { port: 445, state: 'filtered', reason: 'timeout' },
      { port: 88, state: 'open', reason: 'syn-ack' },
    ]);
    expect(list).to.have.length(1);
    const [smb] = list;
    expect(smb).to.deep.include({
      id: 'dc1 tcp/445',
      scope: 'port',
      severity: 'outage',
      requirement: 'required',
      state: 'filtered',
    });
    expect(smb?.affects.map((a) => [a.service, a.requirement, a.switchesOff ?? []])).to.deep.equal([
      ['netlogon', 'required', []],
      ['server', 'required', []],
      ['dfsr', 'conditional', ['dfsr-sysvol']],
    ]);
    expect(smb?.explanation).to.equal(
      'SMB 445/tcp on dc1 (10.0.0.5) is filtered (no answer in 1000 ms): it breaks NETLOGON and SERVER; optional here: DFSR.',
    );
    expect(headline).to.equal('1 blocked port on dc1 breaks NETLOGON and SERVER.');
  });

  it('a port only optional or switched-off rows use is a notice, naming the switch that would make it required', () => {
    const { list, headline } = causes(
      [row('dfsr/445', { requirement: 'conditional', switches: [{ name: 'dfsr-sysvol', on: false }] })],
      [{ port: 445, state: 'filtered', reason: 'timeout' }],
    );
    expect(list.map((c) => [c.severity, c.requirement])).to.deep.equal([['notice', 'conditional']]);
    expect(list[0]?.explanation).to.match(
      /only optional rows use it here \(DFSR\), so this is a notice, not an outage\. Turn it on with --with dfsr-sysvol/,
    );
    expect(headline).to.equal('Every required port answered as expected. Notices about optional parts: DFSR on dc1.');
  });

  it('a blocked range is one finding, whatever number of services and sampled ports', () => {
    const rpc = [
      row('lsass/rpc', { port: null, range: '49152-65535', application: 'RPC' }),
      row('netlogon/rpc', { port: null, range: '49152-65535', application: 'RPC' }),
    ];
    const { list } = causes(rpc, [
      { port: 49152, state: 'filtered', reason: 'timeout' },
      { port: 57344, state: 'filtered', reason: 'timeout' },
      { port: 65535, state: 'closed', reason: 'rst' },
    ]);
    expect(list.map((c) => [c.id, c.scope, c.severity, c.affects.length, c.observations.length])).to.deep.equal([
      ['dc1 tcp/49152-65535', 'range', 'outage', 2, 3],
    ]);
    expect(list[0]?.explanation).to.match(/is blocked \(3 sampled ports: 2 filtered, 1 closed\)/);
  });

  it('a host where nothing answered is one finding, not one per port', () => {
    const { list, headline } = causes(SMB, [
      { port: 445, state: 'filtered', reason: 'timeout' },
      { port: 88, state: 'filtered', reason: 'timeout' },
    ]);
    expect(list.map((c) => [c.id, c.scope, c.host, c.severity, c.affects.length])).to.deep.equal([
      ['dc1 host', 'host', 'no-answer', 'outage', 4],
    ]);
    expect(headline).to.equal('Nothing answered on dc1: this breaks NETLOGON, SERVER and KDC.');
  });

  it('one answering port is enough to tell a host from a dead one', () => {
    const { list } = causes(SMB, [
      { port: 445, state: 'filtered', reason: 'timeout' },
      { port: 88, state: 'closed', reason: 'rst' },
    ]);
    expect(list.map((c) => c.id)).to.deep.equal(['dc1 tcp/88', 'dc1 tcp/445']);
  });

  it('a target whose name did not resolve is one inconclusive finding', () => {
    const { list, headline } = causes(
      SMB,
      [],
      [{ name: 'gone.invalid', addresses: [], origin: 'test', error: '"gone.invalid" did not resolve (ENOTFOUND)' }],
    );
    expect(list.map((c) => [c.id, c.host, c.severity])).to.deep.equal([
      ['gone.invalid host', 'unresolved', 'inconclusive'],
    ]);
    expect(list[0]?.explanation).to.equal('"gone.invalid" did not resolve (ENOTFOUND): none of its 4 rows was probed.');
    expect(headline).to.match(/^Inconclusive: gone\.invalid did not resolve/);
  });

  it('a responder that rejected our token everywhere is one finding that says so', () => {
    const { list } = causes(SMB, [
      { port: 445, state: 'open', reason: 'unrecognised-reply', responder: 'wrong-token' },
      { port: 88, state: 'open', reason: 'unrecognised-reply', responder: 'wrong-token' },
    ]);
    expect(list.map((c) => [c.host, c.severity])).to.deep.equal([['wrong-token', 'inconclusive']]);
    expect(list[0]?.explanation).to.match(
      /^The portolan responder on dc1 \(10\.0\.0\.5\) rejected our token on 2 ports/,
    );
  });

  it('UDP silence while the responder sheds load is unsure, said as the verdict says it, not a blocked path', () => {
    const kerberos = [
      row('kdc/88', { port: 88, application: 'Kerberos' }),
      row('kdc/88u', { protocol: 'udp', port: 88, application: 'Kerberos' }),
    ];
    const { list } = causes(kerberos, [
      { port: 88, state: 'open', reason: 'syn-ack', responder: 'verified', responderShedding: true },
      { protocol: 'udp', port: 88, state: 'filtered', reason: 'no-reply' },
    ]);
    expect(list.map((c) => [c.id, c.severity])).to.deep.equal([['dc1 udp/88', 'inconclusive']]);
    expect(list[0]?.explanation).to.equal(
      "Kerberos 88/udp on dc1 (10.0.0.5) got no answer from the portolan responder, which said on 88/tcp that it was refusing UDP replies under load: the silence may be the responder's, not the path's; cannot tell whether KDC works. Check again when it is quiet.",
    );
  });

  it('with a rejected token, UDP silence is part of the one finding: the responder may have dropped the replies', () => {
    const { list } = causes(
      [...SMB, row('kdc/88u', { protocol: 'udp', port: 88, application: 'Kerberos' })],
      [
        { port: 445, state: 'open', reason: 'unrecognised-reply', responder: 'wrong-token' },
        { port: 88, state: 'open', reason: 'unrecognised-reply', responder: 'wrong-token' },
        { protocol: 'udp', port: 88, state: 'filtered', reason: 'no-reply' },
      ],
    );
    expect(list.map((c) => [c.host, c.severity, c.affects.length])).to.deep.equal([['wrong-token', 'inconclusive', 5]]);
    expect(list[0]?.explanation).to.match(
      /rejected our token on 2 ports: those paths are open, .*; the silence of 1 UDP port proves nothing either/,
    );
  });

  it('a port a plan requires blocked that answered is exposed: an outage to close, not to open', () => {
    const { list } = causes(
      [row('smb/445', {})],
      [
        { port: 445, state: 'open', reason: 'syn-ack' },
        { port: 1, state: 'closed', reason: 'rst' },
      ],
      undefined,
      (verdicts) =>
        verdicts.map((v) => ({
          ...v,
          status: 'fail' as const,
          negative: true as const,
          explanation: 'unexpected-open: close it',
        })),
    );
    expect(list.map((c) => [c.severity, c.exposed, c.state, c.explanation])).to.deep.equal([
      ['outage', true, 'open', 'unexpected-open: close it'],
    ]);
  });

  it('waived failures are waived findings, not outages', () => {
    const { list } = causes(
      [row('smb/445', {}), row('kdc/88', { port: 88 })],
      [
        { port: 445, state: 'filtered', reason: 'timeout' },
        { port: 88, state: 'open', reason: 'syn-ack' },
      ],
      undefined,
      (verdicts) =>
        verdicts.map((v) =>
          v.status === 'fail'
            ? { ...v, status: 'waived' as const, waiver: { reason: 'CHG-1', owner: 'netops', expires: '2027-01-31' } }
            : v,
        ),
    );
    expect(list.map((c) => c.severity)).to.deep.equal(['waived']);
    expect(list[0]?.explanation).to.match(/waived until 2027-01-31 \(owner netops\): CHG-1\.$/);
  });

  it('says a note that many targets share once', () => {
    const notes = describeNotes([
      { kind: 'epm-silent', target: 'dc1', address: '10.0.0.1', state: 'open', sample: 16 },
      { kind: 'epm-silent', target: 'dc2', address: '10.0.0.2', state: 'open', sample: 16 },
      { kind: 'epm-silent', target: 'dc3', address: '10.0.0.3', state: 'open', sample: 16 },
      { kind: 'epm-silent', target: 'dc4', address: '10.0.0.4', state: 'open', sample: 16 },
      { kind: 'no-app-probes' },
    ]);
    expect(notes).to.have.length(2);
    expect(notes[0]).to.equal(
      'On 4 targets (dc1 (10.0.0.1), dc2 (10.0.0.2) and 2 more) the endpoint mapper on 135/tcp listed no endpoints (open); their dynamic RPC ranges were judged from 16 sampled ports instead.',
    );
  });
});
