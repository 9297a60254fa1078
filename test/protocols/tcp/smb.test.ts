import { expect } from 'chai';
import { encodeNetbiosName, encodeSessionRequest, netbiosSession } from '../../../src/protocols/tcp/nbss.js';
import { encodeNegotiate, negotiateEvidence, parseNegotiateResponse, smb2 } from '../../../src/protocols/tcp/smb2.js';
import type { ProbeContext, TcpProtocol } from '../../../src/protocols/types.js';
import { isReadTimeout, openStream } from '../../support/stream-io.js';
import { fakeServer, fromHex, type Reply } from '../../support/tcp-fake-server.js';
import { negotiateResponse } from './replies.js';

const ctx: ProbeContext = {
  target: 'fs1.example.test',
  address: '127.0.0.1',
  port: 445,
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

describe('tcp/smb2: SMB2 NEGOTIATE', () => {
  it('builds a request offering 2.0.2-3.1.1 with negotiate contexts at an 8-byte boundary', () => {
    const req = encodeNegotiate(Uint8Array.of(9));
    expect(req[0]).to.equal(0);
    expect((req[2] << 8) | req[3]).to.equal(req.length - 4);
    const body = 4 + 64;
    expect(req[body + 2]).to.equal(5); // DialectCount
    const ctxOffset = req[body + 28] | (req[body + 29] << 8);
    expect(ctxOffset % 8).to.equal(0);
    expect(req[4 + ctxOffset]).to.equal(1); // PREAUTH_INTEGRITY_CAPABILITIES first
    expect([...req.subarray(body + 36, body + 46)]).to.deep.equal([2, 2, 0x10, 2, 0, 3, 2, 3, 0x11, 3]);
  });

  it('reports dialect, signing, server GUID and clock skew', async () => {
    const { result } = await run(smb2, [negotiateResponse('11 03', '03 00')]);
    expect(result.valid).to.equal(true);
    expect(result.evidence).to.include('SMB 3.1.1 negotiated');
    expect(result.evidence).to.include('signing required');
    expect(result.evidence).to.include('server GUID 76543210-ba98-fedc-0123-456789abcdef');
    expect(result.evidence.join()).to.include('server time 2026-11-26T12:00:00.000Z');
  });

  it('warns when signing is not required and the clock is off', () => {
    const parsed = parseNegotiateResponse(negotiateResponse('02 02', '01 00'));
    expect(parsed.ok).to.equal(true);
    if (!parsed.ok) return;
    const r = negotiateEvidence(parsed.value, 1_795_694_400_000 + 600_000);
    expect(r.evidence).to.include('signing enabled, not required');
    expect(r.warnings).to.deep.equal([
      'SMB signing is not required',
      'server clock differs by -600 s (Kerberos allows 300 s)',
    ]);
  });

  it('treats an SMB2 error response as an SMB2 server with a warning', async () => {
    const err = negotiateResponse('00 00', '00 00', 'bb 00 00 c0');
    const { result } = await run(
      smb2,
      [err.subarray(0, 4 + 64 + 9)].map((b) => {
        const out = Uint8Array.from(b);
        out[3] = 64 + 9;
        return out;
      }),
    );
    expect(result.valid).to.equal(true);
    expect(result.warnings).to.deep.equal(['SMB2 NEGOTIATE failed: 0xc00000bb']);
  });

  it('recognises an SMB1-only reply', async () => {
    const smb1 = fromHex(
      '00 00 00 23 ff 53 4d 42 72 00 00 00 00 88 01 c8 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
    );
    const { result } = await run(smb2, [smb1]);
    expect(result.valid).to.equal(true);
    expect(result.evidence[0]).to.match(/^SMB1 only/);
  });

  it('rejects a wrong reply, a truncated reply, and times out on silence', async () => {
    const wrong = await run(smb2, [new TextEncoder().encode('SSH-2.0-OpenSSH_9.2\r\n')]);
    expect(wrong.result.valid).to.equal(false);
    const truncated = await run(smb2, [[negotiateResponse('11 03', '03 00').subarray(0, 80), 'close']]);
    expect(truncated.result.valid).to.equal(false);
    expect(truncated.result.reason).to.match(/length|truncated/);
    await run(smb2, ['silent'], 200).then(
      () => expect.fail('should time out'),
      (err: unknown) => expect(isReadTimeout(err), String(err)).to.equal(true),
    );
  });
});

describe('tcp/nbss: NetBIOS session service', () => {
  it('encodes *SMBSERVER<20> and PROBE<00> as RFC 1002 names (probes.md B2 bytes)', () => {
    expect(new TextDecoder().decode(encodeNetbiosName('*SMBSERVER', 0x20).subarray(1, 33))).to.equal(
      'CKFDENECFDEFFCFGEFFCCACACACACACA',
    );
    expect(new TextDecoder().decode(encodeNetbiosName('PROBE', 0).subarray(1, 33))).to.equal(
      'FAFCEPECEFCACACACACACACACACACAAA',
    );
    expect([...encodeSessionRequest().subarray(0, 4)]).to.deep.equal([0x81, 0, 0, 0x44]);
  });

  it('runs SMB2 NEGOTIATE after a positive session response', async () => {
    const { result, requests } = await run(netbiosSession, [
      fromHex('82 00 00 00'),
      negotiateResponse('10 02', '01 00'),
    ]);
    expect(result.valid).to.equal(true);
    expect(result.evidence[0]).to.include('positive session response');
    expect(result.evidence).to.include('SMB 2.1 negotiated');
    expect(requests[1][4]).to.equal(0xfe);
  });

  it('accepts a negative session response as proof of the session service', async () => {
    const { result } = await run(netbiosSession, [fromHex('83 00 00 01 82')]);
    expect(result.valid).to.equal(true);
    expect(result.evidence[0]).to.include('called name not present');
  });

  it('keeps the session evidence when SMB stays silent after it', async () => {
    const { result } = await run(netbiosSession, [fromHex('82 00 00 00'), 'silent'], 200);
    expect(result.valid).to.equal(true);
    expect(result.warnings?.[0]).to.match(/no reply/);
  });

  it('rejects garbage and a truncated response', async () => {
    expect((await run(netbiosSession, [new TextEncoder().encode('220 ftp ready\r\n')])).result.valid).to.equal(false);
    expect((await run(netbiosSession, [[fromHex('83 00'), 'close']])).result.valid).to.equal(false);
  });
});
