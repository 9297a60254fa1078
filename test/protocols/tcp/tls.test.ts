import { expect } from 'chai';
import { tlsHandshake } from '../../../src/protocols/tcp/tls.js';
import { certificateEvidence, certificateNamesTarget } from '../../../src/protocols/tls/certificate.js';
import type { ProbeContext, TlsInfo } from '../../../src/protocols/types.js';
import { openStream } from '../../support/stream-io.js';
import { fakeServer, makeCertificates } from '../../support/tcp-fake-server.js';

const base: TlsInfo = {
  protocol: 'TLSv1.3',
  subject: 'CN=dc1.example.test',
  subjectAltNames: ['DNS:dc1.example.test', 'DNS:*.web.example.test', 'IP Address:192.0.2.10'],
  issuer: 'DC=test, DC=example, CN=Example Issuing CA',
  validTo: 'Jan  1 00:00:00 2030 GMT',
  selfSigned: false,
};

describe('tls/certificate: evidence from TlsInfo', () => {
  it('matches DNS SANs, one-label wildcards and IP SANs; CN only without DNS SANs', () => {
    expect(certificateNamesTarget(base, 'DC1.example.test')).to.equal(true);
    expect(certificateNamesTarget(base, 'a.web.example.test')).to.equal(true);
    expect(certificateNamesTarget(base, 'a.b.web.example.test')).to.equal(false);
    expect(certificateNamesTarget(base, '192.0.2.10')).to.equal(true);
    expect(certificateNamesTarget(base, '192.0.2.11')).to.equal(false);
    expect(certificateNamesTarget({ ...base, subjectAltNames: [] }, 'dc1.example.test')).to.equal(true);
  });

  it('counts days to expiry with an injected clock, and warns once expired', () => {
    const ok = certificateEvidence(base, 'dc1.example.test', new Date('2029-12-01T00:00:00Z'));
    expect(ok.evidence).to.include('certificate expires in 31 day(s) (Jan  1 00:00:00 2030 GMT)');
    expect(ok.warnings).to.deep.equal([]);
    const late = certificateEvidence(base, 'dc1.example.test', new Date('2030-01-03T00:00:00Z'));
    expect(late.warnings).to.deep.equal(['certificate expired 2 day(s) ago (Jan  1 00:00:00 2030 GMT)']);
  });

  it('reports a missing certificate and an unreadable date without throwing', () => {
    expect(certificateEvidence({ ...base, subject: null }, 'x.test').evidence).to.include('no server certificate');
    expect(certificateEvidence({ ...base, validTo: 'garbage' }, 'dc1.example.test').warnings[0]).to.match(/unreadable/);
  });
});

describe('tcp/tls: handshake-only module', () => {
  const certs = makeCertificates();
  const ctx = (target: string): ProbeContext => ({ target, address: '127.0.0.1', port: 443, nonce: new Uint8Array(4) });
  before(function () {
    if (!certs) {
      console.log('      (skipped: needs the openssl command, Debian package openssl)');
      this.skip();
    }
  });

  async function handshake(pair: { key: string; cert: string }, target: string) {
    const server = await fakeServer({ tls: pair });
    const stream = await openStream(server.port, { tls: true });
    try {
      return await tlsHandshake.converse(stream.io, ctx(target));
    } finally {
      stream.close();
      await server.close();
    }
  }

  it('reports version, subject, SANs, self-signed and days left for a current certificate', async () => {
    if (!certs) return;
    const r = await handshake(certs.current, 'localhost');
    expect(r.valid).to.equal(true);
    expect(r.evidence[0]).to.match(/^TLS TLSv1\.[23]$/);
    expect(r.evidence).to.include('certificate subject CN=localhost; issuer CN=localhost');
    expect(r.evidence).to.include('subject alternative names: DNS:localhost, IP Address:127.0.0.1');
    expect(r.evidence).to.include('certificate is self-signed');
    expect(r.evidence.join('\n')).to.match(/expires in (29|30) day\(s\)/);
    expect(r.warnings).to.equal(undefined);
    expect((await handshake(certs.current, '127.0.0.1')).warnings).to.equal(undefined);
  });

  it('warns (never fails) for an expired certificate and a name mismatch', async () => {
    if (!certs) return;
    const r = await handshake(certs.expired, 'dc1.example.test');
    expect(r.valid).to.equal(true);
    expect(r.warnings?.[0]).to.match(/^certificate expired/);
    expect(r.warnings?.[1]).to.equal('certificate does not name dc1.example.test');
  });

  it('says so when the stream carries no TLS', async () => {
    const r = await tlsHandshake.converse({ write() {}, read: async () => new Uint8Array(0) }, ctx('x.test'));
    expect(r).to.deep.equal({ valid: false, evidence: [], reason: 'the stream carries no TLS session' });
  });
});
