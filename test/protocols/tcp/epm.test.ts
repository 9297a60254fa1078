import { expect } from 'chai';
import { epm, msrpcBind } from '../../../src/protocols/tcp/epm.js';
import type { ProbeContext } from '../../../src/protocols/types.js';
import { isReadTimeout, openStream } from '../../support/stream-io.js';
import { type FakeServer, fakeServer, fromHex, type Reply } from '../../support/tcp-fake-server.js';
import {
  BIND_ACK,
  BIND_NAK,
  DRSUAPI_49667,
  HANDLE_1,
  lookupStub,
  NETLOGON_49668,
  NETLOGON_HTTP,
  NETLOGON_NP,
  NETLOGON_UDP,
  responsePdus,
  ZERO,
} from './replies.js';

const ctx: ProbeContext = { target: 'dc1.example.test', address: '127.0.0.1', port: 135, nonce: new Uint8Array(8) };

async function converse(replies: Reply[], module = epm, timeoutMs = 500) {
  const server = await fakeServer({ replies });
  const stream = await openStream(server.port, { timeoutMs });
  try {
    return { result: await module.converse(stream.io, ctx), server };
  } finally {
    stream.close();
    await server.close();
  }
}

describe('tcp/epm: DCE/RPC endpoint mapper', () => {
  it('lists endpoints over two pages (Windows: zero handle ends) with a fragmented first page', async () => {
    const page1 = lookupStub(
      HANDLE_1,
      [
        { annotation: 'MS NT Directory DRS Interface', tower: DRSUAPI_49667 },
        { annotation: '', tower: NETLOGON_49668 },
        { annotation: 'no tower', tower: null },
      ],
      0,
    );
    const page2 = lookupStub(
      ZERO,
      [
        { annotation: '', tower: NETLOGON_UDP },
        { annotation: '', tower: NETLOGON_HTTP },
        { annotation: '', tower: NETLOGON_NP },
      ],
      0,
    );
    const { result, server } = await converse([BIND_ACK, responsePdus(page1, 2, 100), responsePdus(page2, 3)]);
    expect(result.valid).to.equal(true);
    expect(result.warnings).to.equal(undefined);
    expect(result.endpoints).to.deep.include({
      interfaceUuid: 'e3514235-4b06-11d1-ab04-00c04fc2dcd2',
      interfaceName: 'DRSUAPI (AD replication, MS-DRSR)',
      annotation: 'MS NT Directory DRS Interface',
      protocol: 'tcp',
      port: 49667,
      address: '0.0.0.0',
    });
    const netlogon = result.endpoints?.filter((e) => e.interfaceName?.startsWith('Netlogon')) ?? [];
    expect(netlogon.map((e) => [e.protocol, e.port, e.address])).to.deep.equal([
      ['tcp', 49668, '10.0.0.5'],
      ['udp', 49680, '0.0.0.0'],
      ['http', 49674, '0.0.0.0'],
      ['np', null, '\\\\DC1\\PIPE\\lsass'],
    ]);
    expect(result.evidence.join('\n')).to.include('EPM: 5 endpoints; 2 TCP ports: 49667, 49668');
    expect(result.evidence.join('\n')).to.include('DRSUAPI on 49667/tcp, Netlogon on 49668/tcp');
    expect(result.evidence.join('\n')).to.include('1 of 6 entries had no decodable tower');
    // The second ept_lookup sends the handle of the first page back unchanged (stub offset 16).
    expect([...server.requests[2].subarray(24 + 16, 24 + 36)]).to.deep.equal(HANDLE_1);
    expect([...server.requests[1].subarray(24 + 16, 24 + 36)]).to.deep.equal(ZERO);
  });

  it('stops on EPT_S_NOT_REGISTERED (Samba end of list)', async () => {
    const page1 = lookupStub(HANDLE_1, [{ annotation: '', tower: DRSUAPI_49667 }], 0);
    const page2 = lookupStub(HANDLE_1, [], 0x16c9a0d6);
    const { result, server } = await converse([BIND_ACK, responsePdus(page1, 2), responsePdus(page2, 3)]);
    expect(result.valid).to.equal(true);
    expect(result.warnings).to.equal(undefined);
    expect(result.endpoints).to.have.length(1);
    expect(server.requests).to.have.length(3);
  });

  it('keeps the bind evidence and warns when ept_lookup faults', async () => {
    const fault = fromHex(
      '05 00 03 03 10 00 00 00 20 00 00 00 02 00 00 00 20 00 00 00 00 00 00 00 03 00 01 1c 00 00 00 00',
    );
    const { result } = await converse([BIND_ACK, fault]);
    expect(result.valid).to.equal(true);
    expect(result.evidence[0]).to.include('bind_ack accepted');
    expect(result.warnings?.[0]).to.include('nca_s_op_rng_error');
    expect(result.endpoints).to.deep.equal([]);
  });

  it('warns (and stays valid) when the lookup reply is silent', async () => {
    const { result } = await converse([BIND_ACK, 'silent'], epm, 200);
    expect(result.valid).to.equal(true);
    expect(result.warnings?.[0]).to.match(/no complete reply/);
  });

  it('accepts a bind_nak as proof of a DCE/RPC server', async () => {
    const { result } = await converse([BIND_NAK], msrpcBind);
    expect(result.valid).to.equal(true);
    expect(result.evidence[0]).to.include('bind_nak');
  });

  it('rejects a reply that is not DCE/RPC', async () => {
    const { result } = await converse([new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\n\r\n')]);
    expect(result.valid).to.equal(false);
    expect(result.reason).to.match(/not DCE\/RPC/);
  });

  it('rejects a truncated bind_ack followed by close', async () => {
    const { result } = await converse([[BIND_ACK.subarray(0, 30), 'close']]);
    expect(result.valid).to.equal(false);
  });

  it('rejects a bind_ack whose frag_length lies', async () => {
    const lying = Uint8Array.from(BIND_ACK);
    lying[8] = 20; // frag_length 20: the results list is cut off
    const { result } = await converse([lying]);
    expect(result.valid).to.equal(false);
    expect(result.reason).to.match(/truncated/);
  });

  it('lets a silent server time out (the engine maps the rejection)', async () => {
    let server: FakeServer | undefined;
    try {
      server = await fakeServer({ replies: ['silent'] });
      const stream = await openStream(server.port, { timeoutMs: 200 });
      await epm.converse(stream.io, ctx).then(
        () => expect.fail('should time out'),
        (err: unknown) => expect(isReadTimeout(err), String(err)).to.equal(true),
      );
      stream.close();
    } finally {
      await server?.close();
    }
  });
});
