/**
 * Issue 12 items 3 and 4: the responder cannot be turned against the check. Both attacks
 * are reproduced on loopback, where every address of 127.0.0.0/8 is local, so a flood
 * "from" hundreds of sources needs no raw sockets. Every flood is bounded in datagrams or
 * connections and in time.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { expect } from 'chai';
import { type CheckRequest, runCheck } from '../../src/check/run-check.js';
import type { RunResult } from '../../src/model.js';
import { probeUdp } from '../../src/responder/client.js';
import { encodeProbe, MAGIC } from '../../src/responder/handshake.js';
import { SHEDDING_EVIDENCE } from '../../src/responder/modules.js';
import { type PortRequest, type Responder, startResponder } from '../../src/responder/server.js';
import { freeTcpUdpPort } from '../support/fake-servers.js';

const HOST = '127.0.0.1';
const TOKEN = 'attack-test-token';

/** `portolan check --responder` from 127.0.0.1 against ad-hoc ports. */
function check(ports: string[], token = TOKEN): Promise<RunResult> {
  const request: CheckRequest = {
    targets: [{ name: HOST, origin: 'test' }],
    roles: [],
    services: [],
    ports,
    commandLine: ['portolan', 'check', '--responder'],
    responderToken: token,
    options: { responder: true, timeoutMs: 400, retries: 1, concurrency: 32, perHost: 32 },
  };
  return runCheck(request, { platform: 'linux' });
}

const rows = (result: RunResult) =>
  Object.fromEntries(
    result.verdicts.expectations.map((v) => {
      const o = result.observations[v.observations[0] as number];
      return [`${o?.port}/${o?.protocol}`, `${v.status} ${o?.state}${o?.responder ? ` ${o.responder}` : ''}`];
    }),
  );

/** UDP sockets bound to `n` other loopback addresses (127.0.<third>.1 ...): the "spoofed" sources. */
async function spoofedSources(third: number, n: number): Promise<UdpSocket[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const s = createSocket('udp4');
      s.on('error', () => {});
      await new Promise<void>((resolve) => s.bind(0, `127.0.${third}.${i + 1}`, resolve));
      return s;
    }),
  );
}

describe('responder: a spoofed-source UDP flood cannot fail a compliant target (issue 12 item 3)', function () {
  this.timeout(30_000);
  let responder: Responder | null = null;
  let sources: UdpSocket[] = [];
  afterEach(async () => {
    for (const s of sources) s.close();
    sources = [];
    await responder?.close();
    responder = null;
  });

  it('1,000 wrong-token datagrams from 200 addresses spend their own budget, not the verified one', async () => {
    const udp = [await freeTcpUdpPort(), await freeTcpUdpPort(), await freeTcpUdpPort()];
    const tcp = await freeTcpUdpPort();
    // Small global budgets, so a bounded flood exhausts one for certain; with one shared
    // budget (before the fix) the flood left nothing for the client's verified probes.
    const tight = { perSource: { capacity: 256, perSecond: 128 }, global: { capacity: 64, perSecond: 1 } };
    const ports: PortRequest[] = [
      ...udp.map((port): PortRequest => ({ transport: 'udp', port })),
      { transport: 'tcp', port: tcp },
    ];
    responder = await startResponder({
      token: TOKEN,
      bind: HOST,
      ports,
      rateLimit: tight,
      unauthenticatedRateLimit: tight,
    });
    sources = await spoofedSources(1, 200);
    const forged = (port: number) =>
      encodeProbe('not-the-token', { nonce: randomBytes(16), timestampMs: Date.now(), transport: 'udp', port });
    for (let round = 0; round < 5; round++) {
      for (const [i, s] of sources.entries()) s.send(forged(udp[i % udp.length] as number), udp[i % 3], HOST);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(responder.stats.probes['rate-limited'], 'the flood was shed').to.be.greaterThan(800);

    const result = await check([...udp.map((p) => `${p}/udp`), `${tcp}/tcp`]);
    expect(rows(result)).to.deep.equal(
      Object.fromEntries([...udp.map((p) => [`${p}/udp`, 'pass open verified']), [`${tcp}/tcp`, 'pass open verified']]),
    );
    expect(result.summary.status).to.equal('compliant');
  });

  it('a silent UDP port is filtered when the responder is not busy (the control)', async () => {
    const tcp = await freeTcpUdpPort();
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, HOST, resolve));
    sources = [silent];
    responder = await startResponder({ token: TOKEN, bind: HOST, ports: [{ transport: 'tcp', port: tcp }] });
    const result = await check([`${silent.address().port}/udp`, `${tcp}/tcp`]);
    expect(rows(result)[`${silent.address().port}/udp`]).to.equal('fail filtered');
    expect(result.summary.exitCode).to.equal(1);
  });

  it('when the responder says it sheds UDP load, a silent UDP port is inconclusive, not filtered', async () => {
    const [served, tcp] = [await freeTcpUdpPort(), await freeTcpUdpPort()];
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, HOST, resolve));
    sources = [silent];
    responder = await startResponder({
      token: TOKEN,
      bind: HOST,
      ports: [
        { transport: 'udp', port: served },
        { transport: 'tcp', port: tcp },
      ],
      // One verified UDP reply per source, then (almost) none: the responder is "under load".
      rateLimit: { perSource: { capacity: 1, perSecond: 0.001 } },
    });
    expect((await probeUdp({ address: HOST, port: served, token: TOKEN })).valid).to.equal(true);
    expect((await probeUdp({ address: HOST, port: served, token: TOKEN })).valid).to.equal(false);
    const result = await check([`${silent.address().port}/udp`, `${tcp}/tcp`]);
    const r = rows(result);
    expect(r[`${tcp}/tcp`]).to.equal('pass open verified');
    expect(r[`${silent.address().port}/udp`]).to.equal('inconclusive filtered');
    const tcpObservation = result.observations.find((o) => o.port === tcp);
    expect(tcpObservation?.responderShedding).to.equal(true);
    expect(tcpObservation?.evidence).to.include(SHEDDING_EVIDENCE);
    const verdict = result.verdicts.expectations.find((v) => v.status === 'inconclusive');
    expect(verdict?.explanation).to.match(/refusing UDP replies under load: the silence may be the responder's/);
    expect(result.summary.exitCode).to.equal(3);
  });

  it('a forged "shedding" reply is not believed: the flag is under the token’s mac', async () => {
    const { readReply, encodeAccepted } = await import('../../src/responder/handshake.js');
    const nonce = randomBytes(16);
    const sent = { nonce, timestampMs: 0, transport: 'udp' as const, port: 88 };
    const real = encodeAccepted(TOKEN, nonce, 'udp', 88, true);
    expect(readReply(real, TOKEN, sent)).to.deep.equal({ kind: 'accepted', shedding: true });
    const flipped = Uint8Array.from(real);
    flipped[MAGIC.length + 1] = 2; // claim a plain "accepted" instead
    expect(readReply(flipped, TOKEN, sent).kind).to.equal('invalid');
    expect(readReply(encodeAccepted('other-token', nonce, 'udp', 88, true), TOKEN, sent).kind).to.equal('invalid');
  });
});

describe('responder: slow clients cannot hold the TCP ports (issue 12 item 4)', function () {
  this.timeout(30_000);
  let responder: Responder | null = null;
  let attackers: Socket[] = [];
  let timers: NodeJS.Timeout[] = [];
  afterEach(async () => {
    for (const t of timers) clearInterval(t);
    for (const s of attackers) s.destroy();
    attackers = [];
    timers = [];
    await responder?.close();
    responder = null;
  });

  /** `perSource` connections from each of `addresses` loopback addresses, each trickling the magic one byte every 200 ms. */
  async function slowloris(port: number, addresses: number, perSource: number): Promise<Socket[]> {
    const opened: Socket[] = [];
    for (let a = 0; a < addresses; a++) {
      for (let i = 0; i < perSource; i++) {
        const s = connect({ host: HOST, port, localAddress: `127.0.2.${a + 1}` });
        s.on('error', () => {});
        let sent = 0;
        timers.push(
          setInterval(() => {
            if (!s.destroyed && sent < MAGIC.length) s.write(MAGIC.subarray(sent, ++sent));
          }, 200),
        );
        opened.push(s);
      }
    }
    attackers.push(...opened);
    await Promise.all(opened.map((s) => Promise.race([once(s, 'connect'), once(s, 'close')])));
    return opened;
  }

  it('300 trickling connections from 10 addresses: the check still verifies every TCP port', async () => {
    const ports = [await freeTcpUdpPort(), await freeTcpUdpPort(), await freeTcpUdpPort()];
    responder = await startResponder({
      token: TOKEN,
      bind: HOST,
      ports: ports.map((port): PortRequest => ({ transport: 'tcp', port })),
      deadlineMs: 4000,
    });
    const opened = await slowloris(ports[0] as number, 10, 30);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(opened.filter((s) => !s.destroyed).length, 'the attack holds the global cap').to.be.at.least(200);
    const result = await check(ports.map((p) => `${p}/tcp`));
    expect(Object.values(rows(result))).to.deep.equal([
      'pass open verified',
      'pass open verified',
      'pass open verified',
    ]);
    expect(responder.stats.connectionsEvicted, 'room was made for the client').to.be.greaterThan(0);
  });

  it('a connection that trickles bytes is closed at its absolute deadline, not kept alive by each byte', async () => {
    const port = await freeTcpUdpPort();
    responder = await startResponder({
      token: TOKEN,
      bind: HOST,
      ports: [{ transport: 'tcp', port }],
      deadlineMs: 600,
    });
    const started = performance.now();
    const [conn] = await slowloris(port, 1, 1);
    // The responder may end it with a reset (a trickled byte still unread): events.once would
    // reject on that 'error', but a reset at the deadline is the closing this test expects.
    await new Promise((resolve) => (conn as Socket).once('close', resolve));
    const heldMs = performance.now() - started;
    expect(heldMs).to.be.within(500, 2500);
    expect(responder.stats.connectionsExpired).to.equal(1);
  });

  it('one address gets at most its share: 100 connections from one source, 64 admitted', async () => {
    const port = await freeTcpUdpPort();
    responder = await startResponder({ token: TOKEN, bind: HOST, ports: [{ transport: 'tcp', port }] });
    await slowloris(port, 1, 100);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(responder.stats.connectionsRefused).to.equal(36);
  });
});
