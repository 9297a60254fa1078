/**
 * `udpProbe` itself, on 127.0.0.0/8 without root: which datagrams count, from whom, and
 * when. A datagram from a host other than the target must never make a port open; a
 * reply late for one attempt still counts; a confirmed reply is final; a parser that
 * throws cannot take the probe down.
 */
import { expect } from 'chai';
import { udpProbe } from '../../src/probe/udp.js';
import { UdpPacer } from '../../src/probe/udp-pacer.js';
import type { ProbeContext, UdpProtocol } from '../../src/protocols/types.js';
import { tftp } from '../../src/protocols/udp/tftp.js';
import { tftpError } from '../protocols/udp/replies.js';
import { closedUdpPort } from '../support/fake-servers.js';
import { nonceEcho, probeFake, startFakeUdpServer, testContext } from '../support/udp-fake-server.js';

const echo = nonceEcho;

const garbage = Uint8Array.of(0xde, 0xad);

describe('udpProbe: which datagrams count', () => {
  it('TFTP (unconnected socket): a reply from another port of the target is open/reply', async () => {
    const server = await startFakeUdpServer(tftpError, { fromOtherPort: true });
    try {
      const r = await probeFake(tftp, testContext(server.port));
      expect([r.state, r.reason]).to.deep.equal(['open', 'reply']);
      expect(r.recognition?.evidence[0]).to.match(/TFTP server answered with ERROR 1/);
    } finally {
      await server.close();
    }
  });

  it('TFTP (unconnected socket): the same reply from another host (127.0.0.2) is ignored, never open', async () => {
    const server = await startFakeUdpServer(tftpError, { fromAddress: '127.0.0.2' });
    try {
      const r = await probeFake(tftp, testContext(server.port), { timeoutMs: 300, retries: 1 });
      expect(server.received).to.have.length(2);
      expect([r.state, r.reason, r.recognition, r.attempts]).to.deep.equal(['open|filtered', 'no-reply', null, 2]);
    } finally {
      await server.close();
    }
  });

  it('a reply that arrives after the first wait still counts, on the retransmission', async () => {
    const server = await startFakeUdpServer((q) => q, { delayMs: 250 });
    try {
      const r = await probeFake(echo, testContext(server.port), { timeoutMs: 150, retries: 3 });
      // Every reply comes 100 ms after its attempt's wait ended: only a late one can settle it.
      expect([r.state, r.reason]).to.deep.equal(['open', 'reply']);
      expect(r.attempts).to.be.within(2, 4);
      expect(r.rttMs).to.be.a('number').and.at.least(0);
    } finally {
      await server.close();
    }
  });

  it('a confirmed reply is final: garbage right after it does not undo it', async () => {
    const server = await startFakeUdpServer((q) => [q, garbage]);
    try {
      const r = await probeFake(echo, testContext(server.port));
      expect([r.state, r.reason, r.recognition?.valid]).to.deep.equal(['open', 'reply', true]);
    } finally {
      await server.close();
    }
  });

  it('an unrecognised datagram is open but unconfirmed, with the module’s reason', async () => {
    const server = await startFakeUdpServer(() => garbage);
    try {
      const r = await probeFake(echo, testContext(server.port));
      expect([r.state, r.reason, r.attempts, r.error]).to.deep.equal(['open', 'unrecognised-reply', 1, null]);
      expect(r.rttMs).to.be.a('number').and.within(0, 1000);
      expect(r.recognition).to.deep.equal({ valid: false, evidence: [], reason: 'nonce mismatch' });
    } finally {
      await server.close();
    }
  });

  it('a recogniser that throws is an unrecognised reply with the parser error, not a crash', async () => {
    const throwing: UdpProtocol = {
      ...echo,
      recognize: () => {
        throw new RangeError('offset out of bounds');
      },
    };
    const server = await startFakeUdpServer((q) => q);
    try {
      const r = await probeFake(throwing, testContext(server.port));
      expect([r.state, r.reason]).to.deep.equal(['open', 'unrecognised-reply']);
      expect(r.recognition).to.deep.equal({
        valid: false,
        evidence: [],
        reason: 'parser error: offset out of bounds',
      });
    } finally {
      await server.close();
    }
  });

  it('hands the recogniser exactly the datagram’s bytes', async () => {
    const seen: number[][] = [];
    const recording: UdpProtocol = {
      ...echo,
      recognize: (reply, ctx) => {
        seen.push([...reply]);
        return echo.recognize(reply, ctx);
      },
    };
    const server = await startFakeUdpServer(() => Uint8Array.of(1, 2, 3));
    try {
      await probeFake(recording, testContext(server.port));
      expect(seen).to.deep.equal([[1, 2, 3]]);
    } finally {
      await server.close();
    }
  });

  it('probes an IPv6 address (::1) over a udp6 socket', async () => {
    const server = await startFakeUdpServer((q) => q, { host: '::1' });
    try {
      const r = await probeFake(echo, testContext(server.port, { address: '::1', target: '::1' }));
      expect([r.state, r.reason]).to.deep.equal(['open', 'reply']);
    } finally {
      await server.close();
    }
  });
});

describe('udpProbe: closed, silent and stopped', () => {
  /** A pacer that records which hosts it was told send ICMP. */
  class RecordingPacer extends UdpPacer {
    noted: string[] = [];
    override noteIcmp(host: string): void {
      this.noted.push(host);
      super.noteIcmp(host);
    }
  }

  const base = (ctx: ProbeContext, over: Partial<Parameters<typeof udpProbe>[0]> = {}) => ({
    address: ctx.address,
    port: ctx.port,
    module: echo,
    ctx,
    timeoutMs: 500,
    retries: 0,
    signal: new AbortController().signal,
    pacer: new UdpPacer(50),
    ...over,
  });

  it('ICMP port unreachable is closed, and the pacer learns the host sends ICMP', async () => {
    const port = await closedUdpPort();
    const pacer = new RecordingPacer(50);
    const r = await udpProbe(base(testContext(port), { pacer, retries: 2 }));
    expect([r.state, r.reason, r.recognition, r.error]).to.deep.equal(['closed', 'icmp-port-unreachable', null, null]);
    expect(pacer.noted).to.deep.equal(['127.0.0.1']);
    expect(r.rttMs, 'time from the send to the ICMP error').to.be.a('number').and.within(0, 1000);
  });

  it('backs off 250 ms, then 500 ms between retransmissions, and closes its socket', async () => {
    const arrivals: number[] = [];
    const server = await startFakeUdpServer(() => {
      arrivals.push(performance.now());
      return null;
    });
    const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
    try {
      const before = udpSockets();
      await probeFake(echo, testContext(server.port), { timeoutMs: 50, retries: 2 });
      // close() releases the handle on a later tick: wait for it (bounded).
      for (let i = 0; i < 50 && udpSockets() > before; i++) await new Promise((r) => setTimeout(r, 10));
      expect(udpSockets()).to.equal(before);
      const [a, b, c] = arrivals as [number, number, number];
      // wait 50 + back-off 250, then wait 50 + back-off 500 (timers only fire late, never early)
      expect(b - a).to.be.at.least(295);
      expect(c - b).to.be.at.least(545);
      expect(c - b - (b - a), 'the second back-off is 250 ms longer').to.be.within(150, 450);
    } finally {
      await server.close();
    }
  });

  it('only an ICMP port unreachable teaches the pacer; a reply does not', async () => {
    const server = await startFakeUdpServer((q) => q);
    const pacer = new RecordingPacer(50);
    try {
      const r = await udpProbe(base(testContext(server.port), { pacer }));
      expect(r.state).to.equal('open');
      expect(pacer.noted).to.deep.equal([]);
    } finally {
      await server.close();
    }
  });

  it('silence is open|filtered after every retry, with no RTT', async () => {
    const server = await startFakeUdpServer(() => null);
    try {
      const r = await probeFake(echo, testContext(server.port), { timeoutMs: 100, retries: 2 });
      expect(r).to.deep.equal({
        state: 'open|filtered',
        reason: 'no-reply',
        rttMs: null,
        attempts: 3,
        recognition: null,
        error: null,
      });
      expect(server.received).to.have.length(3);
    } finally {
      await server.close();
    }
  });

  it('an abort while waiting ends the probe as error/aborted, promptly', async () => {
    const server = await startFakeUdpServer(() => null);
    const controller = new AbortController();
    try {
      setTimeout(() => controller.abort(), 100);
      const started = performance.now();
      const r = await probeFake(echo, testContext(server.port), {
        timeoutMs: 5000,
        retries: 2,
        signal: controller.signal,
      });
      expect(performance.now() - started).to.be.lessThan(2000);
      expect([r.state, r.reason, r.attempts]).to.deep.equal(['error', 'aborted', 1]);
    } finally {
      await server.close();
    }
  });

  it('a signal aborted before the probe starts ends it at once as error/aborted', async () => {
    const server = await startFakeUdpServer(() => null);
    const controller = new AbortController();
    controller.abort();
    try {
      const started = performance.now();
      const r = await probeFake(echo, testContext(server.port), { timeoutMs: 3000, signal: controller.signal });
      expect(performance.now() - started).to.be.lessThan(1500);
      expect([r.state, r.reason]).to.deep.equal(['error', 'aborted']);
    } finally {
      await server.close();
    }
  });

  it('a local failure (binding an address this host does not have) is an error, not a network state', async () => {
    const r = await udpProbe(base(testContext(9), { localAddress: '192.0.2.1' }));
    expect([r.state, r.reason, r.attempts]).to.deep.equal(['error', 'local-error', 0]);
    expect(r.error).to.match(/^EADDRNOTAVAIL: /);
  });
});
