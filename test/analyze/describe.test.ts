import { expect } from 'chai';
import { describeNote, reasonWords } from '../../src/analyze/describe.js';
import type { Observation, RunNote } from '../../src/model.js';

const waiver = {
  location: 'plan.yaml:30:5',
  target: 'dc1.test',
  service: null,
  port: '445/tcp',
  owner: 'netops',
  expires: '2026-12-31',
};

describe('describe: facts to words', () => {
  it('puts every kind of run note into one sentence', () => {
    const notes: [RunNote, RegExp][] = [
      [{ kind: 'expect-reachable' }, /^Pre-deployment check \(--expect reachable\)/],
      [{ kind: 'responder' }, /^Pre-deployment check with the portolan responder/],
      [{ kind: 'no-app-probes' }, /^Protocol conversations were off/],
      [
        { kind: 'dcs-discovered', domain: 'corp.test', query: 'q', via: 'dig', platform: 'linux' },
        /found with dig: q SRV\.$/,
      ],
      [
        { kind: 'dcs-discovered', domain: 'corp.test', query: 'q', via: 'node-resolver', platform: 'linux' },
        /^dig is not installed/,
      ],
      [
        { kind: 'epm-silent', target: 'dc1', address: '192.0.2.10', state: 'closed', sample: 16 },
        /^dc1 \(192\.0\.2\.10\): the endpoint mapper on 135\/tcp listed no endpoints \(closed\); .* 16 sampled/,
      ],
      [
        { kind: 'epm-none-in-range', target: 'dc1', address: '192.0.2.10', range: '49152-65535', sample: 4 },
        /no TCP endpoint in 49152-65535; sampled 4 ports/,
      ],
      [
        { kind: 'waiver-expired', waiver },
        /^Waiver at plan\.yaml:30:5 \(445\/tcp on dc1\.test, owner netops\) expired/,
      ],
      [{ kind: 'waiver-stale', waiver }, /is stale: it matches no failure/],
      [{ kind: 'waiver-expiring', waiver }, /expires on 2026-12-31\.$/],
      [
        { kind: 'wait-until-pass', passed: true, attempts: 3, waitedMs: 6000 },
        /^--wait-until-pass: no failures after 3 attempt\(s\) \(6\.0 s\)\.$/,
      ],
    ];
    for (const [note, words] of notes) expect(describeNote(note), note.kind).to.match(words);
  });

  it('says what settles an untestable IP protocol, and responder silence as a drop', () => {
    const o = (over: Partial<Observation>): Observation => ({
      target: 't',
      address: 'a',
      protocol: 'ip',
      port: null,
      state: 'untestable',
      reason: 'not-probed',
      rttMs: null,
      attempts: 0,
      evidence: [],
      warnings: [],
      ...over,
    });
    expect(reasonWords(o({ ipProtocol: 50 }), 1500)).to.match(/IKE 500\/udp and NAT-T 4500\/udp/);
    expect(reasonWords(o({ ipProtocol: 99 }), 1500)).to.match(/^IP protocol 99 cannot be tested/);
    const silence = o({ protocol: 'udp', port: 88, state: 'filtered', reason: 'no-reply', attempts: 3 });
    expect(reasonWords(silence, 1500)).to.equal(
      'no answer from the portolan responder to 3 datagrams: the path drops them',
    );
  });
});
