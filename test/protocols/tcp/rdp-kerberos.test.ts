import { expect } from 'chai';
import { kerberosTcp, kpasswdTcp } from '../../../src/protocols/tcp/kerberos-tcp.js';
import { CONNECTION_REQUEST, parseConnectionConfirm, rdp } from '../../../src/protocols/tcp/rdp.js';
import type { ProbeContext, TcpProtocol } from '../../../src/protocols/types.js';
import { isReadTimeout, openStream } from '../../support/stream-io.js';
import { fakeServer, fromHex, type Reply } from '../../support/tcp-fake-server.js';

const ctx: ProbeContext = {
  target: 'dc1.example.test',
  address: '127.0.0.1',
  port: 3389,
  domain: 'example.test',
  nonce: Uint8Array.of(1, 2, 3, 4),
};

async function run(module: TcpProtocol, replies: Reply[], timeoutMs = 500) {
  const server = await fakeServer({ replies });
  const stream = await openStream(server.port, { timeoutMs });
  try {
    return { result: await module.converse(stream.io, ctx), requests: server.requests };
  } finally {
    stream.close();
    await server.close();
  }
}

const expectTimeout = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('should time out'),
    (err: unknown) => expect(isReadTimeout(err), String(err)).to.equal(true),
  );

describe('tcp/rdp: X.224 Connection Request with RDP_NEG_REQ', () => {
  it('sends the 19-byte request asking for TLS | CredSSP | RDSTLS', () => {
    expect([...CONNECTION_REQUEST]).to.deep.equal([
      ...fromHex('03 00 00 13 0e e0 00 00 00 00 00 01 00 08 00 07 00 00 00'),
    ]);
  });

  it('reports the selected protocol from RDP_NEG_RSP (MS-RDPBCGR 2.2.1.2.1)', async () => {
    const { result, requests } = await run(rdp, [fromHex('03 00 00 13 0e d0 00 00 12 34 00 02 1f 08 00 02 00 00 00')]);
    expect(result).to.deep.equal({
      valid: true,
      evidence: ['RDP listener selected CredSSP (NLA)'],
    });
    expect(requests[0].length).to.equal(19);
  });

  it('reports RDP_NEG_FAILURE and a legacy Connection Confirm', async () => {
    const failure = await run(rdp, [fromHex('03 00 00 13 0e d0 00 00 12 34 00 03 00 08 00 05 00 00 00')]);
    expect(failure.result.evidence).to.deep.equal([
      'RDP listener (negotiation failure: HYBRID (CredSSP) required by server)',
    ]);
    const legacy = await run(rdp, [fromHex('03 00 00 0b 06 d0 00 00 12 34 00')]);
    expect(legacy.result.evidence[0]).to.match(/legacy/);
  });

  it('warns when standard RDP security is selected', () => {
    const parsed = parseConnectionConfirm(fromHex('03 00 00 13 0e d0 00 00 12 34 00 02 00 08 00 00 00 00 00'));
    expect(parsed).to.deep.equal({ ok: true, value: { kind: 'selected', protocol: 0, flags: 0 } });
  });

  it('rejects a wrong reply, a truncated reply, and times out on silence', async () => {
    expect((await run(rdp, [fromHex('03 00 00 0b 06 e0 00 00 00 00 00')])).result.reason).to.match(
      /not a Connection Confirm/,
    );
    expect((await run(rdp, [new TextEncoder().encode('SSH-2.0-x\r\n')])).result.valid).to.equal(false);
    expect((await run(rdp, [[fromHex('03 00 00 13 0e d0 00'), 'close']])).result.valid).to.equal(false);
    await expectTimeout(run(rdp, ['silent'], 200));
  });
});

// RFC 4120 §5.9.1 KRB-ERROR: pvno 5, msg-type 30, stime, susec, error-code 6, realm, sname krbtgt/EXAMPLE.TEST.
const KRB_ERROR =
  fromHex(`7e 5c 30 5a a0 03 02 01 05 a1 03 02 01 1e a4 11 18 0f 32 30 32 36 31 31 32 36 31 32 30 30 30 30 5a
  a5 03 02 01 00 a6 03 02 01 06 a9 0e 1b 0c 45 58 41 4d 50 4c 45 2e 54 45 53 54
  aa 21 30 1f a0 03 02 01 02 a1 18 30 16 1b 06 6b 72 62 74 67 74 1b 0c 45 58 41 4d 50 4c 45 2e 54 45 53 54`);
const framed = (b: Uint8Array) => Uint8Array.from([0, 0, b.length >> 8, b.length & 0xff, ...b]);

describe('tcp/kerberos-tcp: AS-REQ and kpasswd with a 4-byte length prefix', () => {
  it('frames the UDP module’s AS-REQ and recognises a framed KRB-ERROR', async () => {
    const { result, requests } = await run(kerberosTcp, [framed(KRB_ERROR)]);
    const req = requests[0];
    expect(((req[0] << 24) | (req[1] << 16) | (req[2] << 8) | req[3]) >>> 0).to.equal(req.length - 4);
    expect(req[4]).to.equal(0x6a); // [APPLICATION 10] AS-REQ
    expect(result.valid).to.equal(true);
    expect(result.evidence.join('\n')).to.include('(6)');
    expect(result.evidence.join('\n')).to.include('realm EXAMPLE.TEST');
  });

  it('recognises a framed kpasswd reply over TCP 464', async () => {
    const inner = Uint8Array.from([0, 6 + KRB_ERROR.length, 0, 1, 0, 0, ...KRB_ERROR]);
    const { result, requests } = await run(kpasswdTcp, [framed(inner)]);
    expect([...requests[0]]).to.deep.equal([0, 0, 0, 8, 0, 8, 0, 1, 0, 1, 0, 0]);
    expect(result.valid).to.equal(true);
    expect(result.evidence[0]).to.match(/^kpasswd service answered \(framed\)/);
  });

  it('rejects an unframed reply, a lying length, and times out on silence', async () => {
    expect((await run(kerberosTcp, [KRB_ERROR])).result.valid).to.equal(false);
    expect((await run(kerberosTcp, [[framed(KRB_ERROR).subarray(0, 30), 'close']])).result.valid).to.equal(false);
    await expectTimeout(run(kerberosTcp, ['silent'], 200));
  });
});
