import { expect } from 'chai';
import { aggregate, type JudgeOptions, judgeExpectations, summarize } from '../../src/analyze/verdicts.js';
import type { Expectation, ExpectationVerdict, Observation, ProbeState, Reason, Requirement } from '../../src/model.js';
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

const LISTENING: JudgeOptions = { expect: 'listening', timeoutMs: 1500, failOn: 'fail' };
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
    const udp = obs('open|filtered', 'no-reply', { protocol: 'udp', port: 88, module: 'kerberos-udp', attempts: 3 });
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
  });

  it('a responder that rejected our token is inconclusive, never a pass', () => {
    const responder = { ...LISTENING, responder: true };
    const wrong = obs('open', 'syn-ack', {
      confirmed: false,
      warnings: ['a portolan responder answered but rejected our token'],
    });
    expect(judge(expectation('k'), [wrong], responder).status).to.equal('inconclusive');
    expect(judge(expectation('k'), [obs('open', 'responder', { confirmed: true })], responder).status).to.equal('pass');
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

  it('filtered sampled ports mean it blocks the range', () => {
    const v = judge(range, [at(49152, 'filtered', 'timeout'), at(65535, 'closed', 'rst')]);
    expect(v.status).to.equal('fail');
    expect(v.explanation).to.match(/^Group Policy will not apply: .*blocks the range .*49152\/tcp filtered/);
  });
});

describe('verdicts: services, targets and exit codes', () => {
  function run(states: [Requirement, ProbeState, Reason][], failOn: 'fail' | 'inconclusive' = 'fail') {
    const expectations = states.map(([requirement], i) => expectation(`k${i}`, { requirement, port: 1000 + i }));
    const observations = states.map(([, state, reason], i) => obs(state, reason, { port: 1000 + i }));
    const links = new Map(expectations.map((e, i) => [e.key, [i]]));
    const ev = judgeExpectations([{ target: 'dc1', expectations, links }], observations, { ...LISTENING, failOn });
    const { services, targets } = aggregate(expectations, ev);
    return { services, targets, summary: summarize({ expectations: ev, services, targets }, { failOn }) };
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
    expect(run([['required', 'open|filtered', 'no-reply']], 'inconclusive').summary.exitCode).to.equal(1);
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
    const { services, targets } = aggregate([e], ev);
    const summary = summarize({ expectations: ev, services, targets }, { failOn: 'fail' });
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
  /** A UDP expectation on `port`, its silent observation by `module`, and a confirmed TCP twin. */
  function twin(module: string, port: number, tcpOver: Partial<Observation> = {}) {
    const e = expectation('u', { protocol: 'udp', port });
    const udp = obs('open|filtered', 'no-reply', { protocol: 'udp', port, module, attempts: 3 });
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

  it('a module that is silent by design (RDP UDP 3389) stays inconclusive even when RDP answers on TCP', () => {
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
        [obs('open|filtered', 'no-reply', { protocol: 'udp', port: 88, module: 'kerberos-udp', ...over }), tcp],
        LISTENING,
      )[0];
    expect(judgeUdp({ state: 'error', reason: 'local-error' })?.status).to.equal('inconclusive');
    expect(judgeUdp({ module: undefined })?.status, 'no module').to.equal('inconclusive');
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
    // A closed sampled range port passes in listening mode too, but is no pre-deployment caveat.
    expect(judgeWith(range, [obs('closed', 'rst', { port: 49152 })]).caveat).to.equal(null);
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
      obs('filtered', 'timeout', { port: 49667, evidence: ['endpoint mapper: DRSUAPI'] }),
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
    const { services, targets } = aggregate(expectations, ev);
    return { ev, services, targets, summary: summarize({ expectations: ev, services, targets }, { failOn: 'fail' }) };
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
    expect(r.summary.headline).to.equal('Every required port answered as expected. Degraded: KDC on dc1.');
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
    );
    expect(noRole.targets[0]?.summary).to.equal('dc1 is non-compliant (broken: kdc).');
  });

  it('headlines: broken services first, then inconclusive ones; more than six are counted', () => {
    const broken = runOf(Array.from({ length: 8 }, (_, i) => ({ service: `s${i}`, state: 'filtered' as const })));
    expect(broken.summary.headline).to.equal(
      'Broken: S0 on dc1, S1 on dc1, S2 on dc1, S3 on dc1, S4 on dc1, S5 on dc1 and 2 more.',
    );
    const six = runOf(Array.from({ length: 6 }, (_, i) => ({ service: `s${i}`, state: 'filtered' as const })));
    expect(six.summary.headline).to.equal('Broken: S0 on dc1, S1 on dc1, S2 on dc1, S3 on dc1, S4 on dc1, S5 on dc1.');
    const unsure = runOf([
      { service: 'kdc', state: 'open|filtered' },
      { service: 'dns', state: 'open' },
    ]);
    expect(unsure.summary.headline).to.equal('Inconclusive: KDC on dc1 (a required port gave no definite answer).');
    expect(runOf([{ service: 'dns', state: 'open' }]).summary.headline).to.equal(
      'Every required port answered as expected.',
    );
  });

  it('an incomplete run is never compliant (exit 3), and an incomplete failing run still fails', () => {
    const ok = runOf([{ service: 'dns', state: 'open' }]);
    const verdicts = { expectations: ok.ev, services: ok.services, targets: ok.targets };
    const incomplete = summarize(verdicts, { failOn: 'fail', incomplete: true });
    expect([incomplete.status, incomplete.exitCode]).to.deep.equal(['inconclusive', 3]);
    expect(incomplete.headline).to.equal(
      'Every required port answered as expected. Run incomplete: stopped before every probe finished.',
    );
    const bad = runOf([{ service: 'dns', state: 'filtered' }]);
    const failing = summarize(
      { expectations: bad.ev, services: bad.services, targets: bad.targets },
      { failOn: 'fail', incomplete: true },
    );
    expect([failing.status, failing.exitCode]).to.deep.equal(['non-compliant', 1]);
    expect(summarize(verdicts, { failOn: 'fail' }).status).to.equal('compliant');
  });
});
