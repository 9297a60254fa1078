/**
 * `udpProbe` itself, on 127.0.0.0/8 without root: which datagrams count, from whom, and
 * when. A datagram from a host other than the target must never make a port open; a
 * reply late for one attempt still counts; a confirmed reply is final; a parser that
 * throws cannot take the probe down.
 */
import { expect } from 'chai';
import { udpProbe } from '../../src/probe/udp.js';
import { type UdpAnswer, UdpHostSchedule, type UdpTicket } from '../../src/probe/udp-schedule.js';
import type { ProbeContext, UdpProtocol } from '../../src/protocols/types.js';
import { tftp } from '../../src/protocols/udp/tftp.js';
import { tftpError } from '../protocols/udp/replies.js';
import { closedUdpPort } from '../support/fake-servers.js';
import { nonceEcho, probeFake, startFakeUdpServer, testContext } from '../support/udp-fake-server.js';

const echo = nonceEcho;

const garbage = Uint8Array.of(0xde, 0xad);

describe('udpProbe: which datagrams count', () => {
  // (A TFTP reply from another port of the target is open/reply: modules.test.ts probes it so.)
  for (const icmpVisible of [true, false]) {
    it(`TFTP (unconnected socket${icmpVisible ? ' beside the connected one' : ' alone, as on Windows'}): the same reply from another host (127.0.0.2) is ignored, never open`, async () => {
      const server = await startFakeUdpServer(tftpError, { fromAddress: '127.0.0.2' });
      try {
        const r = await probeFake(tftp, testContext(server.port), { timeoutMs: 300, retries: 1, icmpVisible });
        expect(server.received).to.have.length(2);
        expect([r.state, r.reason, r.recognition, r.attempts]).to.deep.equal(['open|filtered', 'no-reply', null, 2]);
      } finally {
        await server.close();
      }
    });
  }

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
  /** A schedule that records how the probe said each port answered (what its learning feeds on). */
  class RecordingSchedule extends UdpHostSchedule {
    answers: UdpAnswer[] = [];
    override join(transmit: () => void): UdpTicket {
      const ticket = super.join(transmit);
      const answers = this.answers;
      return {
        answered: (how) => {
          answers.push(how);
          ticket.answered(how);
        },
        ended: ticket.ended,
        get attempts() {
          return ticket.attempts;
        },
      };
    }
  }

  const base = (ctx: ProbeContext, over: Partial<Parameters<typeof udpProbe>[0]> = {}) => {
    const signal = over.signal ?? new AbortController().signal;
    return {
      address: ctx.address,
      port: ctx.port,
      module: echo,
      ctx,
      signal,
      schedule: new UdpHostSchedule({ timeoutMs: 500, retries: 0, signal }),
      ...over,
    };
  };
  const recording = (retries = 0) =>
    new RecordingSchedule({ timeoutMs: 500, retries, signal: new AbortController().signal });

  it('ICMP port unreachable is closed, and the schedule hears it was ICMP (the host spent a token)', async () => {
    const port = await closedUdpPort();
    const schedule = recording(2);
    const r = await udpProbe(base(testContext(port), { schedule }));
    expect([r.state, r.reason, r.recognition, r.error]).to.deep.equal(['closed', 'icmp-port-unreachable', null, null]);
    expect(schedule.answers).to.deep.equal(['icmp']);
    expect(r.rttMs, 'time from the send to the ICMP error').to.be.a('number').and.within(0, 1000);
    schedule.close();
  });

  it("a reply is a reply to the schedule, not ICMP: it teaches nothing about the host's tokens", async () => {
    const server = await startFakeUdpServer((q) => q);
    const schedule = recording();
    try {
      const r = await udpProbe(base(testContext(server.port), { schedule }));
      expect(r.state).to.equal('open');
      expect(schedule.answers).to.deep.equal(['reply']);
    } finally {
      schedule.close();
      await server.close();
    }
  });

  it('silence is open|filtered after 1 + retries datagrams, timeoutMs apart, with no RTT; every socket is closed', async () => {
    const arrivals: number[] = [];
    const server = await startFakeUdpServer(() => {
      arrivals.push(performance.now());
      return null;
    });
    const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
    try {
      const before = udpSockets();
      const r = await probeFake(echo, testContext(server.port), { timeoutMs: 100, retries: 2 });
      // The two-socket path (a protocol that answers from another port) too.
      await probeFake(tftp, testContext(server.port), { timeoutMs: 50, retries: 0 });
      // close() releases the handle on a later tick: wait for it (bounded).
      for (let i = 0; i < 50 && udpSockets() > before; i++) await new Promise((r) => setTimeout(r, 10));
      expect(udpSockets()).to.equal(before);
      expect(r).to.deep.equal({
        state: 'open|filtered',
        reason: 'no-reply',
        rttMs: null,
        attempts: 3,
        recognition: null,
        error: null,
      });
      const [a, b, c] = arrivals as [number, number, number];
      // A host that sent no ICMP rations nothing: timers fire late, never early (10 ms for delivery jitter).
      expect(b - a).to.be.at.least(90);
      expect(c - b).to.be.at.least(90);
      expect(arrivals).to.have.length(4);
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
    for (const module of [echo, tftp]) {
      const r = await udpProbe(base(testContext(9), { module, localAddress: '192.0.2.1' }));
      expect([r.state, r.reason, r.attempts], module.id).to.deep.equal(['error', 'local-error', 0]);
      expect(r.error).to.match(/^EADDRNOTAVAIL: /);
    }
  });
});
