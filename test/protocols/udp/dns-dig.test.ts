/**
 * dns-dig through the real `dig` against a fake DNS server on 127.0.0.1 (UDP and TCP on
 * one ephemeral port, RFC 1035 §4.2 bytes from replies.ts), plus dig missing and a silent server.
 */

import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { expect } from 'chai';
import { digProbe } from '../../../src/protocols/udp/dns-dig.js';
import { type FakeUdpServer, startFakeUdpServer, testContext } from '../../support/udp-fake-server.js';
import { dnsReply } from './replies.js';

const DIG = '/usr/bin/dig';

/** A TCP DNS server on `port` (2-byte length framing, RFC 1035 §4.2.2). */
function startTcpDns(port: number): Promise<Server> {
  const server = createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
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

const ctxFor = (port: number) => ({
  ...testContext(port, { domain: 'example.test' }),
  signal: AbortSignal.timeout(10_000),
  timeoutMs: 3000,
});

describe('dns-dig (system dig)', () => {
  it('reports dig missing with the package to install', async () => {
    const got = await digProbe(ctxFor(53), { digPath: '/nonexistent/dig' });
    expect(got.valid).to.equal(false);
    expect(got.reason).to.equal('dig is not installed (apt-get install dnsutils)');
  });

  describe('with dig installed', () => {
    let udp: FakeUdpServer | undefined;
    let tcp: Server | undefined;
    before(async function () {
      if (!existsSync(DIG)) {
        console.log(`      skipped: ${DIG} not found (apt-get install dnsutils)`);
        this.skip();
      }
      udp = await startFakeUdpServer(dnsReply);
      tcp = await startTcpDns(udp.port);
    });
    after(async () => {
      await udp?.close();
      await new Promise<void>((resolve) => (tcp ? tcp.close(() => resolve()) : resolve()));
    });

    it('answers over UDP and TCP with status and AA', async () => {
      const got = await digProbe(ctxFor(udp?.port ?? 0));
      expect(got.valid, got.reason).to.equal(true);
      expect(got.evidence).to.deep.equal([
        'DNS over UDP answered SOA example.test: NOERROR, authoritative (AA), 1 answers',
        'DNS over TCP answered SOA example.test: NOERROR, authoritative (AA), 1 answers',
      ]);
      expect(udp?.received.length).to.be.greaterThan(0);
    });

    it('a silent server fails within about a second per leg', async () => {
      const silent = await startFakeUdpServer(() => null);
      try {
        const start = Date.now();
        const got = await digProbe(ctxFor(silent.port));
        expect(got.valid).to.equal(false);
        expect(got.reason).to.match(/^DNS over UDP: /);
        expect(Date.now() - start).to.be.lessThan(5000);
      } finally {
        await silent.close();
      }
    });
  });
});
