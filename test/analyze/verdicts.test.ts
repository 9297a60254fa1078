import { expect } from 'chai';
import { computeRootCauses } from '../../src/analyze/root-causes.js';
import { summarize } from '../../src/analyze/summary.js';
import { aggregate, type JudgeOptions, judgeExpectations } from '../../src/analyze/verdicts.js';
import type { Expectation, ExpectationVerdict, Observation, ProbeState, Reason, Requirement } from '../../src/model.js';
import { buildObservation } from '../../src/probe/observation.js';
import { moduleById } from '../../src/protocols/index.js';
import type { UdpProtocol } from '../../src/protocols/types.js';
import type { FailOn } from '../../src/run-options.js';
import { REASON } from '../plan/stub-check.js';

function expectation(key: string, over: Partial<Expectation> = {}): Expectation {
  return {
    key,
    role: 'domain-controller',
    service: 'group-policy',
    serviceName: 'Group Policy',
    impact: 'Group Policy will not apply',
    protocol: 'tcp',
    port: 389,
    range: null,
    portSet: null,
    ipProtocol: null,
    application: 'LDAP',
    requirement: 'required',
    condition: null,
    footnote: null,
    note: null,
    source: { table: 'section', section: 'Group Policy' },
    ...over,
  };
}

/** The verdicts with their root causes, as `summarize` takes them. */
function judged(
  expectations: Expectation[],
  observations: Observation[],
  verdicts: Pick<Parameters<typeof summarize>[0], 'expectations' | 'services' | 'targets'>,
) {
  const targets = [{ name: 'dc1', addresses: ['10.0.0.5'], origin: 'test', error: null }];
  const rootCauses = computeRootCauses({ expectations, verdicts, observations, targets, timeoutMs: 1000 });
  return { ...verdicts, rootCauses };
}

function obs(state: ProbeState, reason: Reason, over: Partial<Observation> = {}): Observation {
  return {
    target: 'dc1',
    address: '10.0.0.5',
    protocol: 'tcp',
    port: 389,
    state,
    reason,
    rttMs: null,
    attempts: 1,
    evidence: [],
    warnings: [],
    ...over,
  };
}

const LISTENING: JudgeOptions = { expect: 'listening', timeoutMs: 1500 };
const REACHABLE: JudgeOptions = { ...LISTENING, expect: 'reachable' };

function judge(e: Expectation, observations: Observation[], opts = LISTENING) {
  const links = new Map([[e.key, observations.map((_, i) => i)]]);
  const [v] = judgeExpectations([{ target: 'dc1', expectations: [e], links }], observations, opts);
  if (!v) throw new Error('no verdict');
  return v;
}

describe('verdicts: one port', () => {
  const table: [ProbeState, Reason, JudgeOptions, string, RegExp][] = [
    ['open', 'syn-ack', LISTENING, 'pass', /LDAP 389\/tcp on dc1 \(10\.0\.0\.5\) is open \(handshake completed\)/],
    [
      'closed',
      'rst',
      LISTENING,
      'fail',
      /^Group Policy will not apply: LDAP 389\/tcp on dc1 \(10\.0\.0\.5\) is closed/,
    ],
    [
      'filtered',
      'timeout',
      LISTENING,
      'fail',
      /^Group Policy will not apply: LDAP 389\/tcp on dc1 \(10\.0\.0\.5\) is filtered \(no answer in 1500 ms\)\.$/,
    ],
    ['filtered', 'icmp-admin-prohibited', LISTENING, 'fail', /administratively prohibited/],
    ['open|filtered', 'no-reply', LISTENING, 'inconclusive', /would settle it/],
    ['error', 'local-error', LISTENING, 'inconclusive', /cannot tell/],
    ['untestable', 'not-probed', LISTENING, 'untestable', /untestable/],
    ['closed', 'rst', REACHABLE, 'pass', /is closed/],
    ['filtered', 'timeout', REACHABLE, 'fail', /filtered/],
  ];
  for (const [state, reason, opts, status, words] of table) {
    it(`${state}/${reason} with --expect ${opts.expect} -> ${status}`, () => {
      const v = judge(expectation('k'), [obs(state, reason)], opts);
      expect(v.status).to.equal(status);
      expect(v.explanation).to.match(words);
    });
  }

  it('--expect reachable carries the host-firewall caveat when closed passes', () => {
    expect(judge(expectation('k'), [obs('closed', 'rst')], REACHABLE).caveat).to.match(/host firewall/);
    expect(judge(expectation('k'), [obs('open', 'syn-ack')], REACHABLE).caveat).to.equal(null);
  });

  it('the worst address decides (--all-addresses)', () => {
    const v = judge(expectation('k'), [obs('open', 'syn-ack'), obs('filtered', 'timeout', { address: 'fd00::5' })]);
    expect(v.status).to.equal('fail');
    expect(v.explanation).to.match(/fd00::5/);
  });

  it('UDP silence to Kerberos while Kerberos answers on 88/tcp is a filtered path, not inconclusive', () => {
    const kdc = expectation('k', {
      service: 'kdc',
      impact: 'Kerberos sign-in fails',
      protocol: 'udp',
      port: 88,
      application: 'Kerberos',
    });
    const udp = obs('open|filtered', 'no-reply', {
      protocol: 'udp',
      port: 88,
      module: 'kerberos-udp',
      attempts: 3,
      everyServerAnswers: true,
    });
    const tcp = obs('open', 'syn-ack', { port: 88, module: 'kerberos-tcp', confirmed: true });
    const links = new Map([[kdc.key, [0]]]);
    const [v] = judgeExpectations([{ target: 'dc1', expectations: [kdc], links }], [udp, tcp], LISTENING);
    expect(v?.status).to.equal('fail');
    expect(v?.explanation).to.match(/while the same service answers on 88\/tcp: the UDP path is most likely filtered/);
    // A TCP handshake alone (no protocol confirmed) does not settle it.
    const [u] = judgeExpectations(
      [{ target: 'dc1', expectations: [kdc], links }],
      [udp, { ...tcp, confirmed: false }],
      LISTENING,
    );
    expect(u?.status).to.equal('inconclusive');
    // Nor does silence to a request a listener may ignore (the module does not say every server answers it).
    const { everyServerAnswers: _, ...mayIgnore } = udp;
    const [w] = judgeExpectations([{ target: 'dc1', expectations: [kdc], links }], [mayIgnore, tcp], LISTENING);
    expect(w?.status).to.equal('inconclusive');
  });

  it('UDP silence seen from Windows says the platform cannot see port unreachable and what settles it', () => {
    const dns = expectation('d', { protocol: 'udp', port: 53, application: 'DNS' });
    const windows = obs('open|filtered', 'no-reply', {
      protocol: 'udp',
      port: 53,
      attempts: 3,
      platformLimit: 'icmp-port-unreachable-unseen',
    });
    const v = judge(dns, [windows]);
    expect(v.status).to.equal('inconclusive');
    expect(v.explanation).to.include('a drop, or a closed port (this platform cannot see ICMP port unreachable)');
    expect(v.explanation).to.include('`portolan listen` on the target, or the same check from a Linux or macOS agent');
    // The same silence seen from Linux, where a closed port would have said so: no platform words.
    const linux = judge(dns, [{ ...windows, platformLimit: undefined }]);
    expect(linux.explanation).to.not.include('platform');
    expect(linux.explanation).to.include('`portolan listen` on the target before deployment, would settle it');
    // A sampled range seen from Windows says it too.
    const range = expectation('r', { protocol: 'udp', port: null, range: '49152-65535', application: 'RPC' });
    const ranged = judge(range, [windows, { ...windows, port: 50000 }]);
    expect(ranged.status).to.equal('inconclusive');
    expect(ranged.explanation).to.include('from a Linux or macOS agent');
  });

  it('a responder that rejected our token is inconclusive, never a pass', () => {
    const responder = { ...LISTENING, responder: true };
    const wrong = obs('open', 'syn-ack', { confirmed: false, responder: 'wrong-token' });
    const v = judge(expectation('k'), [wrong], responder);
    expect(v.status).to.equal('inconclusive');
    expect(v.explanation).to.match(/rejected our token/);
    const verified = obs('open', 'responder', { confirmed: true, responder: 'verified' });
    expect(judge(expectation('k'), [verified], responder).status).to.equal('pass');
  });
});

describe('verdicts: sampled ranges', () => {
  const range = expectation('r', {
    port: null,
    range: '49152-65535',
    portSet: 'rpc-dynamic',
    application: 'RPC dynamic',
  });
  const at = (port: number, state: ProbeState, reason: Reason) => obs(state, reason, { port });

  it('open or closed sampled ports mean the firewall passes the range', () => {
    const v = judge(range, [at(49152, 'closed', 'rst'), at(65535, 'open', 'syn-ack')]);
    expect(v.status).to.equal('pass');
    expect(v.explanation).to.match(/passes the range \(2 sampled ports: 1 open, 1 closed\)/);
  });

  it('a range that only answers with resets passes under --expect listening, with a caveat said', () => {
    const v = judge(range, [at(49152, 'closed', 'rst'), at(65535, 'closed', 'rst')]);
    expect(v.status).to.equal('pass');
    expect(v.caveat).to.match(
      /^every probed port of the range answered with a reset: the path lets the range through unless a firewall itself resets/,
    );
    // one answer that is not a reset: no caveat needed
    expect(judge(range, [at(49152, 'closed', 'rst'), at(65535, 'open', 'syn-ack')]).caveat).to.equal(null);
  });

  it('filtered sampled ports mean it blocks the range', () => {
    const v = judge(range, [at(49152, 'filtered', 'timeout'), at(65535, 'closed', 'rst')]);
    expect(v.status).to.equal('fail');
    expect(v.explanation).to.match(/^Group Policy will not apply: .*blocks the range .*49152\/tcp filtered/);
  });
});

describe('verdicts: services, targets and exit codes', () => {
  function run(states: [Requirement, ProbeState, Reason][], failOn: FailOn[] = []) {
    const expectations = states.map(([requirement], i) => expectation(`k${i}`, { requirement, port: 1000 + i }));
    const observations = states.map(([, state, reason], i) => obs(state, reason, { port: 1000 + i }));
    const links = new Map(expectations.map((e, i) => [e.key, [i]]));
    const ev = judgeExpectations([{ target: 'dc1', expectations, links }], observations, LISTENING);
    const { services, targets } = aggregate(expectations, ev, observations);
    return {
      services,
      targets,
      summary: summarize(judged(expectations, observations, { expectations: ev, services, targets }), {
        failOn,
        incomplete: false,
      }),
    };
  }

  const cases: [string, [Requirement, ProbeState, Reason][], string, string, number][] = [
    ['all required pass', [['required', 'open', 'syn-ack']], 'ok', 'compliant', 0],
    [
      'a required row fails',
      [
        ['required', 'filtered', 'timeout'],
        ['required', 'open', 'syn-ack'],
      ],
      'broken',
      'non-compliant',
      1,
    ],
    [
      'only an optional row fails',
      [
        ['required', 'open', 'syn-ack'],
        ['optional', 'filtered', 'timeout'],
      ],
      'degraded',
      'compliant',
      0,
    ],
    ['a required row is inconclusive', [['required', 'open|filtered', 'no-reply']], 'inconclusive', 'inconclusive', 3],
    [
      'a conditional row fails',
      [
        ['required', 'open', 'syn-ack'],
        ['conditional', 'closed', 'rst'],
      ],
      'degraded',
      'compliant',
      0,
    ],
  ];
  for (const [name, states, service, target, exitCode] of cases) {
    it(`${name}: service ${service}, target ${target}, exit ${exitCode}`, () => {
      const r = run(states);
      expect(r.services[0]?.status).to.equal(service);
      expect(r.targets[0]?.status).to.equal(target);
      expect(r.summary.exitCode).to.equal(exitCode);
    });
  }

  it('--fail-on inconclusive turns exit 3 into 1', () => {
    expect(run([['required', 'open|filtered', 'no-reply']], ['inconclusive']).summary.exitCode).to.equal(1);
  });

  it('the explanation chain lists required failures first, optional ones marked', () => {
    const r = run([
      ['optional', 'filtered', 'timeout'],
      ['required', 'closed', 'rst'],
    ]);
    expect(r.services[0]?.explanations[0]).to.match(/^Group Policy will not apply: LDAP 1001\/tcp/);
    expect(r.services[0]?.explanations[1]).to.match(/^\(optional\) /);
    expect(r.targets[0]?.summary).to.equal('dc1 as domain-controller is non-compliant (broken: Group Policy).');
  });
});

describe('verdicts: optional services that are not installed (absent)', () => {
  /** One target, several services, each row with the observations given; returns service and target verdicts. */
  function scenario(
    rows: { service: string; requirement: Requirement; protocol?: 'tcp' | 'udp' | 'icmp'; states: ProbeState[] }[],
    opts: JudgeOptions = LISTENING,
  ) {
    const observations: Observation[] = [];
    const expectations = rows.map((r, i) =>
      expectation(`k${i}`, {
        service: r.service,
        serviceName: r.service.toUpperCase(),
        requirement: r.requirement,
        protocol: r.protocol ?? 'tcp',
        port: r.protocol === 'icmp' ? null : 1000 + i,
      }),
    );
    const links = new Map<string, number[]>();
    rows.forEach((r, i) => {
      const indexes = r.states.map((state) => {
        const reasons: Partial<Record<ProbeState, Reason>> = { open: 'syn-ack', closed: 'rst', filtered: 'timeout' };
        const reason = reasons[state] ?? 'no-reply';
        observations.push(
          obs(state, reason, { protocol: r.protocol ?? 'tcp', port: r.protocol === 'icmp' ? null : 1000 + i }),
        );
        return observations.length - 1;
      });
      links.set(`k${i}`, indexes);
    });
    const ev = judgeExpectations([{ target: 'dc1', expectations, links }], observations, opts);
    const { services, targets } = aggregate(expectations, ev, observations);
    const status = (id: string) => services.find((s) => s.service === id)?.status;
    return {
      services,
      targets,
      status,
      summary: summarize(judged(expectations, observations, { expectations: ev, services, targets }), {
        failOn: [],
        incomplete: false,
      }),
    };
  }

  it('a DC that serves every required port, without WINS and SMTP, is compliant and names nothing degraded', () => {
    const r = scenario([
      { service: 'kdc', requirement: 'required', states: ['open'] },
      { service: 'wins', requirement: 'optional', protocol: 'udp', states: ['closed'] },
      { service: 'wins', requirement: 'conditional', states: ['closed'] },
      { service: 'smtp', requirement: 'optional', states: ['closed'] },
    ]);
    expect([r.status('kdc'), r.status('wins'), r.status('smtp')]).to.deep.equal(['ok', 'absent', 'absent']);
    expect(r.targets[0]?.status).to.equal('compliant');
    expect(r.targets[0]?.summary).to.equal('dc1 as domain-controller is compliant.');
    expect(r.summary.headline).to.equal('Every required port answered as expected.');
    const wins = r.services.find((s) => s.service === 'wins');
    expect(wins?.explanations).to.have.length(1);
    expect(wins?.explanations[0]).to.match(
      /^WINS is not installed on dc1: every port refused the connection \(LDAP 1001\/udp, LDAP 1002\/tcp\)/,
    );
    expect(wins?.explanations[0]).to.match(/a host firewall that rejects connections looks the same/);
  });

  it('one filtered port still degrades the optional service: a drop is not a refusal', () => {
    const r = scenario([
      { service: 'smtp', requirement: 'optional', states: ['closed'] },
      { service: 'smtp', requirement: 'optional', states: ['filtered'] },
    ]);
    expect(r.status('smtp')).to.equal('degraded');
    expect(r.summary.headline).to.equal(
      'Every required port answered as expected. Notices about optional parts: SMTP on dc1.',
    );
  });

  it('a port that answers means the service is there: degraded, not absent', () => {
    expect(
      scenario([
        { service: 'smtp', requirement: 'optional', states: ['open'] },
        { service: 'smtp', requirement: 'optional', states: ['closed'] },
      ]).status('smtp'),
    ).to.equal('degraded');
  });

  it('a required service that refuses is broken, never absent', () => {
    const r = scenario([{ service: 'kdc', requirement: 'required', states: ['closed'] }]);
    expect([r.status('kdc'), r.targets[0]?.status]).to.deep.equal(['broken', 'non-compliant']);
    // an optional row beside a refused required row does not make the service absent either
    expect(
      scenario([
        { service: 'dns', requirement: 'required', states: ['closed'] },
        { service: 'dns', requirement: 'optional', states: ['closed'] },
      ]).status('dns'),
    ).to.equal('broken');
  });

  it('an unanswered echo request still degrades an optional service whose ports all refused', () => {
    expect(
      scenario([
        { service: 'cluster', requirement: 'conditional', states: ['closed'] },
        { service: 'cluster', requirement: 'conditional', protocol: 'icmp', states: ['filtered'] },
      ]).status('cluster'),
    ).to.equal('degraded');
  });

  it('before deployment (--expect reachable) refused ports pass, so the service is ok', () => {
    expect(
      scenario([{ service: 'smtp', requirement: 'optional', states: ['closed'] }], REACHABLE).status('smtp'),
    ).to.equal('ok');
  });
});

describe('verdicts: an address where no host answered', () => {
  /** Two targets: dc1 answers nothing (every probe host-unreachable unless said), dc2 resets. */
  function run(dc1: [Observation['protocol'], ProbeState, Reason][]) {
    const rows = dc1.map(([protocol], i) =>
      expectation(`k${i}`, {
        protocol,
        port: protocol === 'icmp' ? null : 1000 + i,
        service: `s${i}`,
        serviceName: `S${i}`,
      }),
    );
    const observations = [
      ...dc1.map(([protocol, state, reason], i) =>
        obs(state, reason, { protocol, port: protocol === 'icmp' ? null : 1000 + i }),
      ),
      ...rows.map((e) => obs('closed', 'rst', { target: 'dc2', address: '10.0.0.6', port: e.port })),
    ];
    const targets = ['dc1', 'dc2'].map((target, t) => ({
      target,
      expectations: rows,
      links: new Map(rows.map((e, i) => [e.key, [t * rows.length + i]])),
    }));
    const ev = judgeExpectations(targets, observations, LISTENING);
    const rolled = { expectations: ev, ...aggregate(rows, ev, observations) };
    const infos = ['dc1', 'dc2'].map((name, t) => ({
      name,
      addresses: [`10.0.0.${5 + t}`],
      origin: 'test',
      error: null,
    }));
    const rootCauses = computeRootCauses({
      expectations: rows,
      verdicts: rolled,
      observations,
      targets: infos,
      timeoutMs: LISTENING.timeoutMs,
    });
    const verdicts = { ...rolled, rootCauses };
    return { ...verdicts, summary: summarize(verdicts, { failOn: [], incomplete: false }) };
  }

  it('is one fact on the target and one sentence in the headline, not a failure per service', () => {
    const r = run([
      ['tcp', 'filtered', 'host-unreachable'],
      ['udp', 'filtered', 'host-unreachable'],
      ['icmp', 'filtered', 'host-unreachable'],
    ]);
    const [dc1, dc2] = r.targets;
    expect(dc1).to.deep.include({ status: 'non-compliant', unreachable: ['10.0.0.5'] });
    expect(dc1?.summary).to.equal(
      'No host answered at dc1 (10.0.0.5): every probe got host unreachable (nothing answered neighbour discovery, or no route leads there). dc1 as domain-controller is non-compliant.',
    );
    expect(dc2).not.to.have.property('unreachable');
    // One root cause for dc1, whatever it breaks, and no firewall rule to propose for it; dc2's
    // refused ports are still one finding each.
    expect(r.rootCauses.map((c) => [c.id, c.host, c.severity])).to.deep.equal([
      ['dc1 host', 'unreachable', 'outage'],
      ['dc2 tcp/1000', null, 'outage'],
      ['dc2 udp/1001', null, 'outage'],
      ['dc2 icmp', null, 'outage'],
    ]);
    expect(r.rootCauses[0]?.explanation).to.equal(
      'No host answered at dc1 (10.0.0.5): every probe got host unreachable (nothing answered neighbour discovery, or no route leads there). It breaks S0, S1 and S2.',
    );
    expect(r.summary.headline).to.equal('3 refused ports on dc2; no host answered at dc1: this breaks S0, S1 and S2.');
  });

  it('is not claimed when anything at the address answered, or a probe failed some other way', () => {
    for (const other of [
      ['tcp', 'closed', 'rst'],
      ['udp', 'open|filtered', 'no-reply'],
      ['tcp', 'filtered', 'icmp-unreachable'],
    ] as [Observation['protocol'], ProbeState, Reason][]) {
      const r = run([['tcp', 'filtered', 'host-unreachable'], other]);
      expect(r.targets[0], other.join(' ')).not.to.have.property('unreachable');
      expect(r.summary.headline).not.to.match(/no host answered/i);
      expect(r.rootCauses.some((c) => c.host === 'unreachable')).to.equal(false);
    }
  });
});

describe('verdicts: the worst address decides, in this order: fail > inconclusive > untestable > pass', () => {
  const pairs: [ProbeState, Reason, ProbeState, Reason, string][] = [
    ['filtered', 'timeout', 'open|filtered', 'no-reply', 'fail'],
    ['open|filtered', 'no-reply', 'filtered', 'timeout', 'fail'],
    ['closed', 'rst', 'error', 'local-error', 'fail'],
    ['open|filtered', 'no-reply', 'untestable', 'not-probed', 'inconclusive'],
    ['untestable', 'not-probed', 'error', 'local-error', 'inconclusive'],
    ['open', 'syn-ack', 'untestable', 'not-probed', 'untestable'],
    ['untestable', 'not-probed', 'open', 'syn-ack', 'untestable'],
    ['open', 'syn-ack', 'open|filtered', 'no-reply', 'inconclusive'],
  ];
  for (const [s1, r1, s2, r2, status] of pairs) {
    it(`${s1} on one address and ${s2} on the other -> ${status}`, () => {
      const v = judge(expectation('k'), [obs(s1, r1), obs(s2, r2, { address: 'fd00::5' })]);
      expect(v.status).to.equal(status);
    });
  }

  it('filtered on one address and open|filtered on the other: a blocked port, exit 1, not 3', () => {
    const e = expectation('k');
    const observations = [obs('filtered', 'timeout'), obs('open|filtered', 'no-reply', { address: 'fd00::5' })];
    const ev = judgeExpectations(
      [{ target: 'dc1', expectations: [e], links: new Map([['k', [0, 1]]]) }],
      observations,
      LISTENING,
    );
    const { services, targets } = aggregate([e], ev, observations);
    const summary = summarize(judged([e], observations, { expectations: ev, services, targets }), {
      failOn: [],
      incomplete: false,
    });
    expect([ev[0]?.status, services[0]?.status, targets[0]?.status, summary.exitCode]).to.deep.equal([
      'fail',
      'broken',
      'non-compliant',
      1,
    ]);
    expect(ev[0]?.explanation).to.match(/10\.0\.0\.5\) is filtered/);
  });
});

describe('verdicts: the TCP-twin rule (UDP silence while the same service answers over TCP)', () => {
  /**
   * A UDP expectation on `port`, the silent observation the engine builds for the registry's
   * `module` (so the module's own flag decides), and a confirmed TCP twin.
   */
  function twin(module: string, port: number, tcpOver: Partial<Observation> = {}) {
    const e = expectation('u', { protocol: 'udp', port });
    const mod = moduleById(module) as UdpProtocol;
    expect(mod?.transport, module).to.equal('udp');
    const udp = buildObservation(
      { target: 'dc1', address: '10.0.0.5', protocol: 'udp', port },
      { state: 'open|filtered', reason: 'no-reply', rttMs: null, attempts: 3, error: null },
      { module: mod, recognition: null },
    );
    const tcp = obs('open', 'syn-ack', { port, module: `${module}-tcp`, confirmed: true, ...tcpOver });
    const [v] = judgeExpectations(
      [{ target: 'dc1', expectations: [e], links: new Map([['u', [0]]]) }],
      [udp, tcp],
      LISTENING,
    );
    return v;
  }

  for (const [module, port] of [
    ['kerberos-udp', 88],
    ['kpasswd-udp', 464],
    ['dns', 53],
    ['cldap', 389],
  ] as const) {
    it(`${module}: silence on ${port}/udp while ${port}/tcp is confirmed is a fail (filtered path)`, () => {
      const v = twin(module, port);
      expect(v?.status).to.equal('fail');
      expect(v?.explanation).to.match(new RegExp(`answers on ${port}/tcp: the UDP path is most likely filtered`));
    });
  }

  it('a module a server may leave unanswered (RDP UDP 3389, NTP) stays inconclusive even when TCP answers', () => {
    expect(twin('rdp-udp', 3389)?.status).to.equal('inconclusive');
    expect(twin('ntp', 123)?.status).to.equal('inconclusive');
  });

  it('needs the twin on the same address and port, open over TCP, and confirmed', () => {
    expect(twin('kerberos-udp', 88, { address: '10.0.0.6' })?.status, 'other address').to.equal('inconclusive');
    expect(twin('kerberos-udp', 88, { port: 89 })?.status, 'other port').to.equal('inconclusive');
    expect(twin('kerberos-udp', 88, { state: 'closed', reason: 'rst' })?.status, 'closed').to.equal('inconclusive');
    expect(twin('kerberos-udp', 88, { confirmed: false })?.status, 'unconfirmed').to.equal('inconclusive');
    expect(twin('kerberos-udp', 88, { protocol: 'udp' })?.status, 'not TCP').to.equal('inconclusive');
  });

  it('only plain silence counts: an ICMP-closed or errored UDP probe is judged on its own', () => {
    const e = expectation('u', { protocol: 'udp', port: 88 });
    const tcp = obs('open', 'syn-ack', { port: 88, module: 'kerberos-tcp', confirmed: true });
    const judgeUdp = (over: Partial<Observation>) =>
      judgeExpectations(
        [{ target: 'dc1', expectations: [e], links: new Map([['u', [0]]]) }],
        [
          obs('open|filtered', 'no-reply', {
            protocol: 'udp',
            port: 88,
            module: 'kerberos-udp',
            everyServerAnswers: true,
            ...over,
          }),
          tcp,
        ],
        LISTENING,
      )[0];
    expect(judgeUdp({})?.status, 'plain silence').to.equal('fail');
    expect(judgeUdp({ state: 'error', reason: 'local-error' })?.status).to.equal('inconclusive');
    expect(judgeUdp({ reason: 'aborted' })?.status, 'not no-reply').to.equal('inconclusive');
  });
});

describe('verdicts: rules a user sees in the exit code, the service verdict and the words', () => {
  const judgeWith = (e: Expectation, observations: Observation[], opts = LISTENING) => judge(e, observations, opts);

  it('an expectation nothing probed is inconclusive, and says so', () => {
    const e = expectation('k');
    const [v] = judgeExpectations([{ target: 'dc1', expectations: [e], links: new Map() }], [], LISTENING);
    expect([v?.status, v?.explanation]).to.deep.equal(['inconclusive', 'LDAP 389/tcp on dc1 was not probed.']);
  });

  it('ICMP (no port, no range) is judged as one port, not as a range', () => {
    const icmp = expectation('i', { protocol: 'icmp', port: null, application: 'ICMP echo' });
    const v = judgeWith(icmp, [obs('filtered', 'no-reply', { protocol: 'icmp', port: null })]);
    expect(v.status).to.equal('fail');
    expect(v.explanation).to.match(/^Group Policy will not apply: .* is filtered/);
    expect(v.explanation).not.to.match(/range/);
  });

  it('ties name the first address: the explanation is stable', () => {
    const v = judgeWith(expectation('k'), [
      obs('filtered', 'timeout'),
      obs('filtered', 'timeout', { address: 'fd00::5' }),
    ]);
    expect(v.explanation).to.match(/dc1 \(10\.0\.0\.5\)/);
  });

  it('responder mode: ICMP echo passes without a token (there is nothing to verify)', () => {
    const responder = { ...LISTENING, responder: true };
    const icmp = expectation('i', { protocol: 'icmp', port: null });
    expect(judgeWith(icmp, [obs('open', 'reply', { protocol: 'icmp', port: null })], responder).status).to.equal(
      'pass',
    );
  });

  it('explains untestable with the error, inconclusive with what would settle it, pass with the first evidence', () => {
    const bare = judgeWith(expectation('k'), [obs('untestable', 'not-probed')]);
    expect(bare.explanation).to.match(/^LDAP 389\/tcp on dc1 \(10\.0\.0\.5\) is untestable: (?!null)\S/);
    const untestable = judgeWith(expectation('k'), [obs('untestable', 'not-probed', { error: 'IP protocol 47: GRE' })]);
    expect(untestable.explanation).to.equal('LDAP 389/tcp on dc1 (10.0.0.5) is untestable: IP protocol 47: GRE');
    const silent = judgeWith(expectation('k'), [obs('open|filtered', 'no-reply')]);
    expect(silent.explanation).to.match(/cannot tell whether it passes\. A protocol probe that draws a reply/);
    const errored = judgeWith(expectation('k'), [obs('error', 'local-error', { error: 'EMFILE' })]);
    expect(errored.explanation).to.match(/cannot tell whether it passes\.$/);
    const passed = judgeWith(expectation('k'), [obs('open', 'syn-ack', { evidence: ['LDAP rootDSE: dc1', 'second'] })]);
    expect(passed.explanation).to.match(/is open \(handshake completed\)\. LDAP rootDSE: dc1$/);
    expect(judgeWith(expectation('k'), [obs('open', 'syn-ack')]).explanation).to.match(
      /is open \(handshake completed\)\.$/,
    );
  });

  it('something that answered in another protocol passes with a caveat saying so', () => {
    const v = judgeWith(expectation('k'), [obs('open', 'unrecognised-reply')]);
    expect([v.status, v.caveat]).to.deep.equal([
      'pass',
      'something answered, but it did not speak the protocol the catalog names.',
    ]);
    expect(judgeWith(expectation('k'), [obs('open', 'reply')]).caveat).to.equal(null);
    expect(judgeWith(expectation('k'), [obs('closed', 'unrecognised-reply')]).caveat).to.equal(null);
  });

  it('the pre-deployment caveat needs --expect reachable and a closed port among the addresses', () => {
    const range = expectation('r', { port: null, range: '49152-65535', portSet: 'rpc-dynamic' });
    // A closed sampled range port passes in listening mode too, but is no pre-deployment caveat
    // (the caveat it gets says only resets came back).
    const resets = judgeWith(range, [obs('closed', 'rst', { port: 49152 })]);
    expect(resets.status).to.equal('pass');
    expect(resets.caveat).not.to.match(/host firewall/);
    expect(resets.caveat).to.match(/^every probed port of the range answered with a reset/);
    const mixed = [obs('open', 'syn-ack'), obs('closed', 'rst', { address: 'fd00::5' })];
    expect(judgeWith(expectation('k'), mixed, REACHABLE).caveat).to.match(/host firewall/);
  });

  it('a UDP range is judged as a range even when a TCP twin answers', () => {
    const range = expectation('r', { protocol: 'udp', port: null, range: '50-60' });
    const udp = obs('open|filtered', 'no-reply', { protocol: 'udp', port: 53, module: 'dns' });
    const tcp = obs('open', 'syn-ack', { port: 53, module: 'dns-tcp', confirmed: true });
    const [v] = judgeExpectations(
      [{ target: 'dc1', expectations: [range], links: new Map([['r', [0]]]) }],
      [udp, tcp],
      LISTENING,
    );
    expect(v?.status).to.equal('inconclusive');
  });

  it('range words: the tally, the basis (sampled or listed by the endpoint mapper), and blocked examples', () => {
    const range = expectation('r', { port: null, range: '49152-65535', portSet: 'rpc-dynamic', application: 'RPC' });
    const sampled = judgeWith(range, [
      obs('open|filtered', 'no-reply', { port: 49152, evidence: ['something else answered'] }),
      obs('error', 'local-error', { port: 49153 }),
      obs('open', 'syn-ack', { port: 49154 }),
    ]);
    expect(sampled.explanation).to.equal(
      'RPC 49152-65535/tcp on dc1: cannot tell whether the range passes (3 sampled ports: 1 open, 1 open|filtered, 1 error).',
    );
    const listed = judgeWith(range, [
      obs('filtered', 'timeout', { port: 49667, portChoice: { kind: 'discovered', interfaces: ['DRSUAPI'] } }),
      obs('open', 'syn-ack', { port: 49668 }),
      obs('filtered', 'timeout', { port: 49669 }),
    ]);
    expect(listed.explanation).to.equal(
      'Group Policy will not apply: RPC 49152-65535/tcp on dc1: the firewall blocks the range (ports the endpoint mapper listed: 1 open, 2 filtered; e.g. 49667/tcp filtered, 49669/tcp filtered).',
    );
  });
});

describe('verdicts: services and targets across roles and services', () => {
  function runOf(rows: { service: string; role?: string; requirement?: Requirement; state: ProbeState }[]) {
    const expectations = rows.map((r, i) =>
      expectation(`k${i}`, {
        service: r.service,
        serviceName: r.service.toUpperCase(),
        role: r.role ?? 'domain-controller',
        requirement: r.requirement ?? 'required',
        port: 1000 + i,
      }),
    );
    const observations = rows.map((r, i) => obs(r.state, REASON[r.state], { port: 1000 + i }));
    const links = new Map(expectations.map((e, i) => [e.key, [i]]));
    const ev = judgeExpectations([{ target: 'dc1', expectations, links }], observations, LISTENING);
    const { services, targets } = aggregate(expectations, ev, observations);
    const verdicts = judged(expectations, observations, { expectations: ev, services, targets });
    return {
      ev,
      observations,
      expectations,
      verdicts,
      services,
      targets,
      summary: summarize(verdicts, { failOn: [], incomplete: false }),
    };
  }

  it('the worst service decides the target, whatever the order', () => {
    for (const rows of [
      [
        { service: 'kdc', state: 'filtered' as const },
        { service: 'dns', state: 'open' as const },
      ],
      [
        { service: 'dns', state: 'open' as const },
        { service: 'kdc', state: 'filtered' as const },
      ],
    ]) {
      const r = runOf(rows);
      expect([r.targets[0]?.status, r.summary.exitCode]).to.deep.equal(['non-compliant', 1]);
    }
    const unsure = runOf([
      { service: 'kdc', state: 'open|filtered' },
      { service: 'dns', state: 'open' },
    ]);
    expect([unsure.targets[0]?.status, unsure.summary.exitCode]).to.deep.equal(['inconclusive', 3]);
  });

  it('optional rows that pass leave the service ok', () => {
    const r = runOf([
      { service: 'kdc', state: 'open' },
      { service: 'kdc', requirement: 'optional', state: 'open' },
      { service: 'kdc', requirement: 'conditional', state: 'open' },
    ]);
    expect([r.services[0]?.status, r.services[0]?.explanations]).to.deep.equal(['ok', []]);
    expect(r.summary.headline).to.equal('Every required port answered as expected.');
  });

  it('an optional row that is inconclusive degrades the service; the run still passes (exit 0)', () => {
    const r = runOf([
      { service: 'kdc', state: 'open' },
      { service: 'kdc', requirement: 'optional', state: 'open|filtered' },
    ]);
    expect([r.services[0]?.status, r.targets[0]?.status, r.summary.exitCode]).to.deep.equal([
      'degraded',
      'compliant',
      0,
    ]);
    expect(r.services[0]?.explanations[0]).to.match(/^\(optional\) .*cannot tell/);
    expect(r.summary.headline).to.equal(
      'Every required port answered as expected. Notices about optional parts: KDC on dc1.',
    );
  });

  it('the same service under two roles is two service verdicts and two target verdicts', () => {
    const r = runOf([
      { service: 'dns', role: 'domain-controller', state: 'filtered' },
      { service: 'dns', role: 'dns-server', state: 'open' },
    ]);
    expect(r.services.map((s) => [s.role, s.status])).to.deep.equal([
      ['domain-controller', 'broken'],
      ['dns-server', 'ok'],
    ]);
    expect(r.targets.map((t) => [t.role, t.status])).to.deep.equal([
      ['domain-controller', 'non-compliant'],
      ['dns-server', 'compliant'],
    ]);
  });

  it('untestable and waived rows are listed in the service explanations, after the failures', () => {
    const r = runOf([
      { service: 'kdc', state: 'untestable' },
      { service: 'kdc', state: 'filtered' },
    ]);
    expect(r.services[0]?.explanations.map((x) => x.split(':')[0])).to.deep.equal([
      'Group Policy will not apply',
      'LDAP 1000/tcp on dc1 (10.0.0.5) is untestable',
    ]);
    const waived = { ...(r.ev[1] as ExpectationVerdict), status: 'waived' as const, explanation: 'Waived until x' };
    const again = aggregate(
      r.ev.map((_, i) => expectation(`k${i}`, { service: 'kdc', serviceName: 'KDC', port: 1000 + i })),
      [r.ev[0] as ExpectationVerdict, waived],
      r.observations,
    );
    expect(again.services[0]?.explanations).to.deep.equal([r.services[0]?.explanations[1], 'Waived until x']);
    expect(again.services[0]?.status).to.equal('ok');
  });

  it('the target summary names broken, inconclusive and degraded services', () => {
    const r = runOf([
      { service: 'kdc', state: 'filtered' },
      { service: 'dns', state: 'open|filtered' },
      { service: 'ntp', requirement: 'optional', state: 'filtered' },
      { service: 'ldap', state: 'open' },
    ]);
    expect(r.targets[0]?.summary).to.equal(
      'dc1 as domain-controller is non-compliant (broken: KDC; inconclusive: DNS; degraded: NTP).',
    );
    expect(runOf([{ service: 'ldap', state: 'open' }]).targets[0]?.summary).to.equal(
      'dc1 as domain-controller is compliant.',
    );
    const two = runOf([
      { service: 'kdc', state: 'filtered' },
      { service: 'dns', state: 'closed' },
    ]);
    expect(two.targets[0]?.summary).to.equal('dc1 as domain-controller is non-compliant (broken: KDC, DNS).');
    const noRole = aggregate(
      [expectation('k', { role: null })],
      [{ ...(two.ev[0] as ExpectationVerdict), role: null }],
      two.observations,
    );
    expect(noRole.targets[0]?.summary).to.equal('dc1 is non-compliant (broken: kdc).');
  });

  it('headlines: the outages and what they break, before anything unsure; more than three services are counted', () => {
    // One port that answered: the others are blocked ports, not a host where nothing answered.
    const answered = { service: 'ldap', state: 'open' as const };
    const blocked = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ service: `s${i}`, state: 'filtered' as const }));
    expect(runOf([answered, ...blocked(8)]).summary.headline).to.equal(
      '8 blocked ports on dc1 break S0, S1 and 6 more.',
    );
    expect(runOf([answered, ...blocked(3)]).summary.headline).to.equal('3 blocked ports on dc1 break S0, S1 and S2.');
    // A failing run's headline names what fails; the unsure DNS row waits in the report.
    const failing = runOf([
      answered,
      { service: 'kdc', state: 'filtered' },
      { service: 'dns', state: 'open|filtered' },
    ]);
    expect(failing.summary.headline).to.equal('1 blocked port on dc1 breaks KDC.');
    const unsure = runOf([
      { service: 'kdc', state: 'open|filtered' },
      { service: 'dns', state: 'open' },
    ]);
    expect(unsure.summary.headline).to.equal(
      'Inconclusive: 1 required port on dc1 gave no definite answer (KDC cannot be judged).',
    );
    expect(runOf([{ service: 'dns', state: 'open' }]).summary.headline).to.equal(
      'Every required port answered as expected.',
    );
  });

  it('an incomplete run is never compliant (exit 3), and an incomplete failing run still fails', () => {
    const ok = runOf([{ service: 'dns', state: 'open' }]);
    const verdicts = ok.verdicts;
    const incomplete = summarize(verdicts, { failOn: [], incomplete: true });
    expect([incomplete.status, incomplete.exitCode]).to.deep.equal(['inconclusive', 3]);
    expect(incomplete.headline).to.equal(
      'Every required port answered as expected. Run incomplete: stopped before every probe finished.',
    );
    const bad = runOf([{ service: 'dns', state: 'filtered' }]);
    const failing = summarize(bad.verdicts, { failOn: [], incomplete: true });
    expect([failing.status, failing.exitCode]).to.deep.equal(['non-compliant', 1]);
    expect(summarize(verdicts, { failOn: [], incomplete: false }).status).to.equal('compliant');
  });
});
