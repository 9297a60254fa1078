import { expect } from 'chai';
import {
  encodeRootDseSearch,
  ldap,
  ldapGc,
  ldapMessageLength,
  ldaps,
  parseLdapMessage,
} from '../../../src/protocols/tcp/ldap.js';
import type { ProbeContext, TcpProtocol } from '../../../src/protocols/types.js';
import { isReadTimeout, openStream } from '../../support/stream-io.js';
import { fakeServer, fromHex, makeCertificates, type Reply } from '../../support/tcp-fake-server.js';
import { DONE, DONE_ERR, ENTRY } from './replies.js';

const ctx: ProbeContext = { target: 'localhost', address: '127.0.0.1', port: 389, nonce: new Uint8Array(4) };
async function run(
  module: TcpProtocol,
  replies: Reply[],
  opts: { tls?: { key: string; cert: string }; target?: string; timeoutMs?: number } = {},
) {
  const server = await fakeServer({ replies, tls: opts.tls });
  const stream = await openStream(server.port, { tls: Boolean(opts.tls), timeoutMs: opts.timeoutMs ?? 500 });
  try {
    return {
      result: await module.converse(stream.io, { ...ctx, target: opts.target ?? ctx.target }),
      requests: server.requests,
    };
  } finally {
    stream.close();
    await server.close();
  }
}

describe('tcp/ldap: rootDSE', () => {
  it('encodes the search with base "", scope base and (objectClass=*)', () => {
    const req = encodeRootDseSearch();
    expect(ldapMessageLength(req)).to.equal(req.length);
    const text = new TextDecoder().decode(req);
    expect(text)
      .to.include('objectClass')
      .and.include('domainControllerFunctionality')
      .and.include('isGlobalCatalogReady');
    expect(parseLdapMessage(req)).to.deep.equal({ ok: true, value: { kind: 'other', tag: 0x63, messageId: 1 } });
  });

  it('reads a Windows-style entry (0x84 lengths) split across TCP segments, then searchResDone', async () => {
    const { result } = await run(ldap, [[ENTRY.subarray(0, 17), ENTRY.subarray(17), DONE]]);
    expect(result.valid).to.equal(true);
    expect(result.evidence).to.include('LDAP rootDSE answered by Active Directory');
    expect(result.evidence).to.include('dnsHostName DC1.example.test');
    expect(result.evidence).to.include('functional levels: domain 2016, forest 2016, DC 2025');
    expect(result.evidence).to.include('supportedLDAPVersion 3, 2');
    expect(result.warnings).to.equal(undefined);
  });

  it('warns on the GC port when isGlobalCatalogReady is not TRUE', async () => {
    const entry = fromHex(
      '30 2a 02 01 01 64 25 04 00 30 21 30 1f 04 14 69 73 47 6c 6f 62 61 6c 43 61 74 61 6c 6f 67 52 65 61 64 79 31 07 04 05 46 41 4c 53 45',
    );
    const { result } = await run(ldapGc, [[entry, DONE]]);
    expect(result.valid).to.equal(true);
    expect(result.evidence).to.include('isGlobalCatalogReady FALSE');
    expect(result.warnings).to.deep.equal(['the server does not say it is a ready global catalog']);
  });

  it('accepts an error result as an LDAP server, with a warning', async () => {
    const { result } = await run(ldap, [DONE_ERR]);
    expect(result.valid).to.equal(true);
    expect(result.warnings?.[0]).to.include('result code 1');
  });

  it('rejects a wrong reply, a truncated reply, and times out on silence', async () => {
    expect((await run(ldap, [fromHex('48 54 54 50 2f 31 2e 31')])).result.valid).to.equal(false);
    const cut = await run(ldap, [[ENTRY.subarray(0, 40), 'close']]);
    expect(cut.result.valid).to.equal(false);
    expect(cut.result.reason).to.match(/not a BER|closed/);
    const wrongId = Uint8Array.from(DONE);
    wrongId[8] = 7;
    expect((await run(ldap, [wrongId])).result.reason).to.match(/unexpected LDAP operation/);
    await run(ldap, ['silent'], { timeoutMs: 200 }).then(
      () => expect.fail('should time out'),
      (err: unknown) => expect(isReadTimeout(err), String(err)).to.equal(true),
    );
  });

  it('frames by the BER length', () => {
    expect(ldapMessageLength(ENTRY.subarray(0, 5))).to.equal(0);
    expect(ldapMessageLength(Uint8Array.from([...ENTRY, ...DONE]))).to.equal(ENTRY.length);
    expect(ldapMessageLength(fromHex('30 85 00'))).to.equal(3);
  });
});

describe('tcp/ldaps: rootDSE over TLS with certificate evidence', () => {
  const certs = makeCertificates();
  before(function () {
    if (!certs) {
      console.log('      (skipped: needs the openssl command, Debian package openssl)');
      this.skip();
    }
  });

  it('adds the certificate facts to the LDAP evidence', async () => {
    if (!certs) return;
    const { result } = await run(ldaps, [[ENTRY, DONE]], { tls: certs.current });
    expect(result.valid).to.equal(true);
    expect(result.evidence).to.include('LDAP rootDSE answered by Active Directory');
    expect(result.evidence).to.include('certificate is self-signed');
    expect(result.evidence.join('\n')).to.match(/TLS TLSv1\.[23]/);
    expect(result.warnings).to.equal(undefined);
  });

  it('warns about an expired certificate that does not name the target, and keeps it when LDAP fails', async () => {
    if (!certs) return;
    const { result } = await run(ldaps, [[fromHex('00 01 02'), 'close']], {
      tls: certs.expired,
      target: 'dc1.example.test',
    });
    expect(result.valid).to.equal(false);
    expect(result.evidence.join('\n')).to.include('CN=old.example.test');
    expect(result.warnings).to.have.length(2);
    expect(result.warnings?.[0]).to.match(/^certificate expired \d+ day\(s\) ago/);
    expect(result.warnings?.[1]).to.equal('certificate does not name dc1.example.test');
  });
});
