/**
 * DNS over TCP 53 against a fake DNS server on 127.0.0.1 (RFC 1035 §4.2 bytes from the UDP
 * replies, with the 2-byte TCP length prefix): through the real `dig` where installed, and
 * our own query when dig is missing; plus a server that accepts and never answers.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { expect } from 'chai';
import { digLeg } from '../../../src/protocols/clients/dig.js';
import { dnsOverTcp } from '../../../src/protocols/tcp/dns-tcp.js';
import { type FakeUdpServer, startFakeUdpServer, testContext } from '../../support/udp-fake-server.js';
import { dnsReply } from '../udp/replies.js';

const DIG = '/usr/bin/dig';

/** A TCP DNS server (2-byte length framing, RFC 1035 §4.2.2); `silent` accepts and never answers. */
function startTcpDns(port: number, silent = false): Promise<Server> {
  const server = createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (silent || buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      const reply = dnsReply(new Uint8Array(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
      socket.end(Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 0xff]), reply]));
    });
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const ctxFor = (port: number, ms = 3000) => ({
  ...testContext(port, { domain: 'example.test' }),
  signal: AbortSignal.timeout(ms),
  timeoutMs: ms,
});

describe('dns-tcp: DNS over TCP 53', () => {
  let udp: FakeUdpServer;
  let tcp: Server;
  before(async () => {
    udp = await startFakeUdpServer(dnsReply);
    tcp = await startTcpDns(udp.port);
  });
  after(async () => {
    await udp.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  });

  it('without dig, sends its own length-prefixed query and recognises the reply', async () => {
    const got = await dnsOverTcp(ctxFor(udp.port), '/nonexistent/dig');
    expect(got.valid, got.reason).to.equal(true);
    expect(got.evidence.at(-1)).to.equal('over TCP (own query: dig is not installed)');
  });

  it('a server that accepts and never answers is not recognised, within the deadline', async () => {
    const silent = await startTcpDns(0, true);
    try {
      const port = (silent.address() as { port: number }).port;
      const started = Date.now();
      let caught: unknown;
      await dnsOverTcp(ctxFor(port, 800), '/nonexistent/dig').catch((err) => (caught = err));
      expect((caught as Error).message).to.match(/no DNS reply over TCP/);
      expect(Date.now() - started).to.be.lessThan(2000);
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  describe('with dig installed', () => {
    before(function () {
      if (!existsSync(DIG)) {
        console.log(`      skipped: ${DIG} not found (apt-get install dnsutils; CI installs it)`);
        this.skip();
      }
    });

    it('asks through dig +tcp and reports status and AA', async () => {
      const got = await dnsOverTcp(ctxFor(udp.port));
      expect(got.valid, got.reason).to.equal(true);
      expect(got.evidence).to.deep.equal([
        'DNS over TCP answered SOA example.test: NOERROR, authoritative (AA), 1 answers',
      ]);
    });

    it('the UDP leg answers too, and a silent UDP server fails within about a second', async () => {
      const leg = await digLeg(ctxFor(udp.port), false);
      expect(leg).to.deep.equal({
        ok: true,
        text: 'DNS over UDP answered SOA example.test: NOERROR, authoritative (AA), 1 answers',
      });
      const silent = await startFakeUdpServer(() => null);
      try {
        const started = Date.now();
        const quiet = await digLeg(ctxFor(silent.port), false);
        expect(quiet.ok).to.equal(false);
        expect(Date.now() - started).to.be.lessThan(5000);
      } finally {
        await silent.close();
      }
    });
  });
});
