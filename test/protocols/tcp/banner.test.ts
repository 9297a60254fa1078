import { expect } from 'chai';
import {
  adws,
  adwsPreamble,
  ftp,
  imap,
  msmq,
  msmqEstablishConnection,
  nmfSize,
  nntp,
  pop3,
  rpcOverHttp,
  smtp,
  telnet,
} from '../../../src/protocols/tcp/banner.js';
import type { ProbeContext, TcpProtocol } from '../../../src/protocols/types.js';
import { isReadTimeout, openStream } from '../../support/stream-io.js';
import { fakeServer, fromHex, type Reply } from '../../support/tcp-fake-server.js';

const ctx: ProbeContext = { target: 'dc1.example.test', address: '127.0.0.1', port: 9389, nonce: new Uint8Array(4) };
const text = (s: string) => new TextEncoder().encode(s);

async function run(module: TcpProtocol, opts: { greeting?: Reply; replies?: Reply[] }, timeoutMs = 500) {
  const server = await fakeServer(opts);
  const stream = await openStream(server.port, { timeoutMs });
  try {
    const result = await module.converse(stream.io, ctx);
    await new Promise((r) => setTimeout(r, 20)); // let a QUIT reach the server
    return { result, requests: server.requests.map((b) => new TextDecoder().decode(b)) };
  } finally {
    stream.close();
    await server.close();
  }
}

describe('tcp/banner: greeting services', () => {
  const cases: [TcpProtocol, string, string][] = [
    [ftp, '220 Microsoft FTP Service\r\n', 'FTP greeting: 220 Microsoft FTP Service'],
    [ftp, '220-Welcome\r\n220 ready\r\n', 'FTP greeting: 220-Welcome'],
    [
      smtp,
      '220 mail.example.test Microsoft ESMTP MAIL Service ready\r\n',
      'SMTP greeting: 220 mail.example.test Microsoft ESMTP MAIL Service ready',
    ],
    [
      pop3,
      '+OK The Microsoft Exchange POP3 service is ready.\r\n',
      'POP3 greeting: +OK The Microsoft Exchange POP3 service is ready.',
    ],
    [nntp, '200 NNTP Service Ready, posting allowed\r\n', 'NNTP greeting: 200 NNTP Service Ready, posting allowed'],
    [imap, '* OK IMAP4rev1 ready\r\n', 'IMAP greeting: * OK IMAP4rev1 ready'],
  ];
  for (const [module, greeting, evidence] of cases) {
    it(`${module.id}: recognises ${JSON.stringify(greeting.slice(0, 12))} and says goodbye`, async () => {
      const { result, requests } = await run(module, { greeting: text(greeting) });
      expect(result).to.deep.equal({ valid: true, evidence: [evidence] });
      expect(requests[0]).to.match(/QUIT|LOGOUT/);
    });
  }

  it('accepts a refusing greeting (421) with a warning', async () => {
    const { result } = await run(smtp, { greeting: text('421 4.3.2 Service not available\r\n') });
    expect(result.valid).to.equal(true);
    expect(result.warnings).to.deep.equal(['SMTP server refuses sessions (421)']);
  });

  it('rejects another service’s greeting, a closed connection, and times out on silence', async () => {
    expect((await run(ftp, { greeting: text('+OK POP3 ready\r\n') })).result.valid).to.equal(false);
    expect((await run(pop3, { greeting: text('220 ftp\r\n') })).result.valid).to.equal(false);
    expect((await run(imap, { greeting: 'close' })).result.reason).to.equal('connection closed without a greeting');
    await run(smtp, { greeting: 'silent' }, 200).then(
      () => expect.fail('should time out'),
      (err: unknown) => expect(isReadTimeout(err), String(err)).to.equal(true),
    );
  });

  it('telnet: IAC negotiation proves Telnet, plain text is reported as such', async () => {
    const iac = await run(telnet, { greeting: fromHex('ff fd 25 ff fb 01 ff fb 03 ff fd 27 ff fd 1f') });
    expect(iac.result.evidence[0]).to.equal('Telnet option negotiation (15 bytes of IAC commands)');
    const plain = await run(telnet, { greeting: text('Welcome to Microsoft Telnet Service \r\n') });
    expect(plain.result.evidence[0]).to.match(/^text banner without Telnet negotiation/);
    expect((await run(telnet, { greeting: fromHex('ff 01 00') })).result.valid).to.equal(false);
  });
});

describe('tcp/banner: RPC over HTTP v1 (593)', () => {
  it('recognises the 14-byte ncacn_http/1.0 banner (no CR/LF)', async () => {
    const { result } = await run(rpcOverHttp, { greeting: text('ncacn_http/1.0') });
    expect(result).to.deep.equal({ valid: true, evidence: ['RPC over HTTP endpoint (ncacn_http/1.0)'] });
  });

  it('rejects another banner at once, and a cut banner on close', async () => {
    expect((await run(rpcOverHttp, { greeting: text('HTTP/1.1 400 Bad Request\r\n') })).result.valid).to.equal(false);
    expect((await run(rpcOverHttp, { greeting: [text('ncacn_ht'), 'close'] })).result.valid).to.equal(false);
  });
});

describe('tcp/banner: ADWS .NET Message Framing (9389)', () => {
  it('sends the MC-NMF preamble with the Via for the target', () => {
    const p = adwsPreamble(ctx);
    const via = 'net.tcp://dc1.example.test:9389/ActiveDirectoryWebServices/Windows/Enumeration';
    expect([...p.subarray(0, 7)]).to.deep.equal([0, 1, 0, 1, 2, 2, via.length]);
    expect(new TextDecoder().decode(p.subarray(7, 7 + via.length))).to.equal(via);
    expect([...p.subarray(7 + via.length, 11 + via.length)]).to.deep.equal([3, 8, 9, 21]);
    expect(nmfSize(300)).to.deep.equal([0xac, 0x02]);
  });

  it('recognises an Upgrade Response and a Fault record', async () => {
    const up = await run(adws, { replies: [fromHex('0a')] });
    expect(up.result.valid).to.equal(true);
    // Any fault URI will do; a real server sends the MC-NMF EndpointNotFound fault.
    const faultText = 'http://schemas.example.test/framing/faults/EndpointNotFound';
    const fault = await run(adws, { replies: [Uint8Array.from([8, faultText.length, ...text(faultText)])] });
    expect(fault.result.evidence[0]).to.equal(`.NET net.tcp listener answered with a fault: ${faultText}`);
  });

  it('rejects other bytes and a cut fault', async () => {
    expect((await run(adws, { replies: [fromHex('15 03 03 00 02 02 28')] })).result.valid).to.equal(false);
    expect((await run(adws, { replies: [[fromHex('08 40 68 74'), 'close']] })).result.valid).to.equal(false);
  });
});

describe('tcp/banner: MSMQ EstablishConnection (1801)', () => {
  it('sends a 572-byte packet with the LIOR signature and packet type 2', () => {
    const p = msmqEstablishConnection(ctx);
    expect(p.length).to.equal(572);
    expect([...p.subarray(0, 20)]).to.deep.equal([
      ...fromHex('10 00 0b 00 4c 49 4f 52 3c 02 00 00 ff ff ff ff 00 00 02 00'),
    ]);
  });

  it('recognises a LIOR reply and reports the queue manager GUID', async () => {
    const reply = new Uint8Array(572);
    reply.set(fromHex('10 00 0b 00 4c 49 4f 52 3c 02 00 00 ff ff ff ff 00 00 02 00'));
    reply.set(fromHex('33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff'), 36);
    const { result } = await run(msmq, { replies: [[reply.subarray(0, 100), reply.subarray(100)]] });
    expect(result.evidence[0]).to.equal(
      'MSMQ queue manager answered EstablishConnection (572 bytes); queue manager GUID 00112233-4455-6677-8899-aabbccddeeff',
    );
  });

  it('rejects a reply without the signature and a cut one', async () => {
    expect((await run(msmq, { replies: [fromHex('10 00 0b 00 58 58 58 58 0c 00 00 00')] })).result.valid).to.equal(
      false,
    );
    expect((await run(msmq, { replies: [[fromHex('15 03 01'), 'close']] })).result.valid).to.equal(false);
  });
});
