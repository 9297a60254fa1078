import { expect } from 'chai';
import { computeRootCauses } from '../../src/analyze/root-causes.js';
import { summarize } from '../../src/analyze/summary.js';
import { aggregate, type JudgeOptions, judgeExpectations } from '../../src/analyze/verdicts.js';
import type { Expectation, Observation, ProbeState, Reason, Requirement } from '../../src/model.js';
import type { FailOn } from '../../src/run-options.js';

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
