import { expect } from 'chai';
import { observationFacts, responderWords } from '../../src/analyze/describe.js';
import { buildObservation, untestableObservation } from '../../src/probe/observation.js';
import { recognized, rejected } from '../../src/protocols/recognition.js';

const tcp = { target: 'dc1.test', address: '192.0.2.10', protocol: 'tcp' as const, port: 389 };
const udp = { ...tcp, protocol: 'udp' as const, port: 88 };
const open = { state: 'open' as const, reason: 'syn-ack' as const, rttMs: 1.23456, attempts: 1, error: null };
const silent = { state: 'open|filtered' as const, reason: 'no-reply' as const, rttMs: null, attempts: 3, error: null };

describe('building an observation', () => {
  it("keeps a module's evidence, prefixes why a reply was not recognised, rounds the round trip", () => {
    const ok = buildObservation(tcp, open, {
      module: { id: 'ldap' },
      recognition: recognized(['LDAP rootDSE'], ['w']),
    });
    expect(ok).to.deep.include({ evidence: ['LDAP rootDSE'], warnings: ['w'], module: 'ldap', confirmed: true });
    expect(ok.rttMs).to.equal(1.235);
    const bad = buildObservation(tcp, open, { module: { id: 'ldap' }, recognition: rejected('not BER') });
    expect(bad.evidence).to.deep.equal(['ldap: no recognisable reply (not BER)']);
    expect(bad.confirmed).to.equal(false);
  });

  it('records how a range port was chosen, and the UDP module flag every server answers', () => {
    const chosen = buildObservation(tcp, open, null, { portChoice: { kind: 'discovered', interfaces: ['DRSUAPI'] } });
    expect(chosen.portChoice).to.deep.equal({ kind: 'discovered', interfaces: ['DRSUAPI'] });
    expect(observationFacts(chosen)).to.deep.equal(['endpoint mapper: DRSUAPI registered on 389/tcp']);
    const kerberos = { id: 'kerberos-udp', everyServerAnswers: true as const };
    expect(buildObservation(udp, silent, { module: kerberos, recognition: null }).everyServerAnswers).to.equal(true);
    expect(buildObservation(tcp, open, { module: kerberos, recognition: null })).not.to.have.property(
      'everyServerAnswers',
    );
  });

  it('responder mode: the outcome is a typed fact, never a sentence to match', () => {
    const facts = { responderMode: true };
    const verified = buildObservation(tcp, open, { module: { id: 'r' }, recognition: recognized(['ok']) }, facts);
    expect(verified).to.include({ reason: 'responder', responder: 'verified' });
    const wrong = rejected('wrong-token', { evidence: ['x'], responder: 'wrong-token' });
    expect(buildObservation(tcp, open, { module: { id: 'r' }, recognition: wrong }, facts)).to.include({
      reason: 'syn-ack',
      responder: 'wrong-token',
    });
    const other = buildObservation(tcp, open, { module: { id: 'r' }, recognition: rejected('garbage') }, facts);
    expect(other.responder).to.equal('other-service');
    expect(observationFacts(other)).to.deep.equal([responderWords('other-service')]);
    // The responder answers every well-formed probe: its silence is a drop on the path.
    const dropped = buildObservation(udp, silent, { module: { id: 'r' }, recognition: null }, facts);
    expect(dropped).to.include({ state: 'filtered', reason: 'no-reply' });
    expect(dropped).not.to.have.property('responder');
  });

  it('an IP protocol is untestable with no words of the engine', () => {
    expect(untestableObservation('vpn1.test', '192.0.2.40', 47)).to.deep.include({
      state: 'untestable',
      reason: 'not-probed',
      ipProtocol: 47,
      error: null,
      evidence: [],
    });
  });
});
