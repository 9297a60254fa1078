import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { probeTcp, probeUdp } from '../../src/responder/client.js';
import { PROBE_LENGTH } from '../../src/responder/handshake.js';
import { responderUdpModule, VERIFIED_EVIDENCE, WRONG_TOKEN_EVIDENCE } from '../../src/responder/modules.js';
import { type PortRequest, type Responder, startResponder } from '../../src/responder/server.js';
import { freeTcpUdpPort } from '../support/fake-servers.js';

const HOST = '127.0.0.1';
const TOKEN = 'lab-token';

const both = (port: number): PortRequest[] => [
  { transport: 'tcp', port },
  { transport: 'udp', port },
];

/** Datagrams `socket` receives within `ms`. */
async function repliesWithin(socket: ReturnType<typeof createSocket>, ms: number): Promise<number> {
  let n = 0;
  const count = () => n++;
  socket.on('message', count);
  await new Promise((r) => setTimeout(r, ms));
  socket.off('message', count);
  return n;
}

describe('responder server on 127.0.0.1', function () {
  this.timeout(15_000);
  let responder: Responder | null = null;
  afterEach(async () => {
    await responder?.close();
    responder = null;
  });

  it('answers the client modules over real TCP and UDP, and records who reached what', async () => {
    const [a, b] = [await freeTcpUdpPort(), await freeTcpUdpPort()];
    responder = await startResponder({ token: TOKEN, bind: HOST, ports: [...both(a), ...both(b)] });
    expect(responder.served.map((s) => s.failure)).to.deep.equal([null, null, null, null]);
    for (const port of [a, b]) {
      expect(await probeUdp({ address: HOST, port, token: TOKEN })).to.deep.equal({
        valid: true,
        evidence: [VERIFIED_EVIDENCE],
      });
      expect(await probeTcp({ address: HOST, port, token: TOKEN })).to.deep.equal({
        valid: true,
        evidence: [VERIFIED_EVIDENCE],
      });
    }
    expect(responder.reach.get(`${a}/udp`)?.get(HOST)).to.equal('verified');
    expect(responder.reach.get(`${b}/tcp`)?.get(HOST)).to.equal('verified');
    expect(responder.stats.probes.verified).to.equal(4);
    expect(responder.hits.filter((h) => h.outcome === 'verified')).to.have.length(4);
  });

  it('tells a wrong token apart from silence, over TCP and UDP', async () => {
    const port = await freeTcpUdpPort();
    responder = await startResponder({ token: TOKEN, bind: HOST, ports: both(port) });
    for (const probe of [probeUdp, probeTcp]) {
      expect(await probe({ address: HOST, port, token: 'guess' })).to.deep.equal({
        valid: false,
        reason: 'wrong-token',
        evidence: [WRONG_TOKEN_EVIDENCE],
        responder: 'wrong-token',
      });
    }
    expect(responder.reach.get(`${port}/tcp`)?.get(HOST)).to.equal('wrong-token');
  });

  it('rejects a UDP probe replayed from another address', async () => {
    const port = await freeTcpUdpPort();
    responder = await startResponder({ token: TOKEN, bind: HOST, ports: both(port) });
    const nonce = randomBytes(16);
    expect((await probeUdp({ address: HOST, port, token: TOKEN, nonce })).valid).to.equal(true);
    const replay = await probeUdp({
      address: HOST,
      port,
      token: TOKEN,
      nonce,
      localAddress: '127.0.0.2',
      timeoutMs: 300,
    });
    expect(replay).to.include({ valid: false, reason: 'silence' });
    expect(responder.stats.probes.replay).to.equal(1);
  });

  it('ignores garbage and oversize datagrams and foreign TCP bytes', async () => {
    const port = await freeTcpUdpPort();
    responder = await startResponder({ token: TOKEN, bind: HOST, ports: both(port) });
    const socket = createSocket('udp4');
    socket.connect(port, HOST);
    await once(socket, 'connect');
    const counting = repliesWithin(socket, 300);
    for (const bytes of [randomBytes(PROBE_LENGTH), randomBytes(1200), Buffer.from('PRTLN1 hello'), Buffer.alloc(0)]) {
      socket.send(bytes);
    }
    expect(await counting).to.equal(0);
    socket.close();
    const http = await probeTcpRaw(port, 'GET / HTTP/1.0\r\n\r\n');
    expect(http).to.equal(0);
    expect(responder.stats.probes.malformed).to.equal(5);
    const reached = (transport: string) => responder?.reach.get(`${port}/${transport}` as `${number}/tcp`)?.get(HOST);
    expect(reached('udp'), 'a foreign datagram still shows the path').to.equal('contact');
    expect(reached('tcp'), 'so does a connection without a probe').to.equal('contact');
    expect(responder.hits.map((h) => h.outcome)).to.deep.equal(['contact', 'contact']);
  });

  it('holds the rate limit under a burst of 10,000 datagrams from one source', async () => {
    const port = await freeTcpUdpPort();
    const bucket = { capacity: 20, perSecond: 50 };
    responder = await startResponder({
      token: TOKEN,
      bind: HOST,
      ports: [{ transport: 'udp', port }],
      rateLimit: { perSource: bucket },
    });
    const module = responderUdpModule(TOKEN);
    const socket = createSocket('udp4');
    socket.connect(port, HOST);
    await once(socket, 'connect');
    let replies = 0;
    socket.on('message', () => replies++);
    const started = performance.now();
    for (let sent = 0; sent < 10_000; sent += 250) {
      for (let i = 0; i < 250; i++) {
        socket.send(module.buildRequest({ target: HOST, address: HOST, port, nonce: randomBytes(16) }));
      }
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 200));
    const elapsedS = (performance.now() - started) / 1000;
    socket.close();
    expect(replies).to.be.greaterThan(0);
    expect(replies).to.be.at.most(bucket.capacity + Math.ceil(bucket.perSecond * elapsedS));
    expect(responder.stats.probes['rate-limited']).to.be.greaterThan(0);
  });

  it('reports a port already in use, naming the process, and serves the rest', async () => {
    const [busy, free] = [await freeTcpUdpPort(), await freeTcpUdpPort()];
    const squatter: Server = createServer().listen(busy, HOST);
    await once(squatter, 'listening');
    try {
      responder = await startResponder({
        token: TOKEN,
        bind: HOST,
        ports: [{ transport: 'tcp', port: busy }, ...both(free)],
      });
      const [taken, ...rest] = responder.served;
      expect(taken?.failure?.code).to.equal('PORT_IN_USE');
      if (process.platform === 'linux') expect(taken?.failure?.message).to.include(`(pid ${process.pid})`);
      expect(rest.map((s) => s.failure)).to.deep.equal([null, null]);
      expect((await probeTcp({ address: HOST, port: free, token: TOKEN })).valid).to.equal(true);
    } finally {
      squatter.close();
    }
  });

  it('reports an address that is not local', async () => {
    // 192.0.2.1 (TEST-NET-1) is on no interface here: bind fails locally, nothing is sent.
    responder = await startResponder({ token: TOKEN, bind: '192.0.2.1', ports: both(await freeTcpUdpPort()) });
    expect(responder.served.map((s) => s.failure?.code)).to.deep.equal(['ADDRESS_NOT_LOCAL', 'ADDRESS_NOT_LOCAL']);
  });

  it('reports a privileged port when not allowed to bind it', async function () {
    if (process.platform === 'win32') {
      console.log('      (skipped: Windows has no privileged ports; bind-hints.test.ts covers its EACCES words)');
      this.skip();
    }
    // As root (CI) the check runs in a child process as the unprivileged user `nobody`.
    const served =
      process.getuid?.() === 0
        ? servedAsNobody()
        : await startResponder({ token: TOKEN, bind: HOST, ports: [{ transport: 'tcp', port: 1 }] }).then((r) => {
            responder = r;
            return r.served;
          });
    expect(served[0]?.failure?.code).to.equal('PORT_PRIVILEGED');
    expect(served[0]?.failure?.message).to.include(
      process.platform === 'darwin' ? 'sudo' : 'setcap cap_net_bind_service=+ep',
    );
  });

  it('caps open TCP connections and closes ones that deliver no probe before the deadline', async () => {
    const port = await freeTcpUdpPort();
    responder = await startResponder({
      token: TOKEN,
      bind: HOST,
      ports: [{ transport: 'tcp', port }],
      maxConnections: 2,
      deadlineMs: 300,
    });
    const conns = Array.from({ length: 4 }, () => connect(port, HOST));
    const closedAt = conns.map((c) => once(c, 'close').then(() => performance.now()));
    for (const c of conns) c.on('error', () => {});
    const started = performance.now();
    const times = await Promise.all(closedAt);
    expect(responder.stats.connectionsRefused).to.equal(2);
    expect(Math.max(...times) - started).to.be.within(250, 2000);
  });
});

/** Send `text` on a plain TCP connection; resolve with how many bytes came back before close. */
async function probeTcpRaw(port: number, text: string): Promise<number> {
  const socket = connect(port, HOST);
  let n = 0;
  socket.on('data', (d: Buffer) => {
    n += d.length;
  });
  socket.on('error', () => {});
  socket.write(text);
  await once(socket, 'close');
  return n;
}

/** Bind port 1 from a child process running as `nobody` (65534); return what the responder served. */
function servedAsNobody(): { failure: { code: string; message: string } | null }[] {
  const script = `
    import { startResponder } from './src/responder/server.ts';
    const r = await startResponder({ token: 'x', bind: '127.0.0.1', ports: [{ transport: 'tcp', port: 1 }] });
    process.stdout.write(JSON.stringify(r.served));
    await r.close();`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    uid: 65534,
    gid: 65534,
    env: { ...process.env, HOME: '/tmp' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (child.status !== 0) throw new Error(`child as nobody failed: ${child.stderr}`);
  return JSON.parse(child.stdout);
}
