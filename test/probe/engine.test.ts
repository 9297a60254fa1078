import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { reasonWords } from '../../src/analyze/describe.js';
import type { Expectation, Observation } from '../../src/model.js';
import type { EngineOptions } from '../../src/probe/engine.js';
import { ping, pingArgs, pingBinary } from '../../src/probe/icmp.js';
import { parseRtt } from '../../src/probe/ping-output.js';
import { sampleRange, udpRangeSample } from '../../src/probe/rpc-sample.js';
import { udpProbe } from '../../src/probe/udp.js';
import { UdpHostSchedule } from '../../src/probe/udp-schedule.js';
import type { UdpProtocol } from '../../src/protocols/types.js';
import { linkKey, runEngine } from '../support/engine.js';
import { closedTcpPort, closedUdpPort, tcpListener, udpServer } from '../support/fake-servers.js';
import { nonceEcho } from '../support/udp-fake-server.js';

const OPTS: EngineOptions = {
  timeoutMs: 300,
  retries: 1,
  concurrency: 64,
  perHost: 16,
  appProbes: true,
  rpcMode: 'sample',
  rpcSample: 4,
};

function exp(protocol: Expectation['protocol'], port: number | null, range: string | null = null): Expectation {
  return {
    key: `t/${protocol}/${port ?? range}`,
    role: null,
    service: 'test',
    serviceName: 'Test',
    impact: 'Test breaks',
    protocol,
    port,
    range,
    portSet: null,
    ipProtocol: protocol === 'ip' ? 47 : null,
    application: 'Test',
    requirement: 'required',
    condition: null,
    footnote: null,
    note: null,
    source: { table: 'section', section: 'test' },
  };
}

const ctx = (port: number) => ({
  target: '127.0.0.1',
  address: '127.0.0.1',
  port,
  nonce: new Uint8Array([1, 2, 3, 4]),
});

describe('probe engine on 127.0.0.1', () => {
  it('TCP: a listener is open/syn-ack, a closed port is closed/rst', async () => {
    const listener = await tcpListener();
    const closed = await closedTcpPort();
    try {
      const out = await runEngine(
        [exp('tcp', listener.port), exp('tcp', closed)],
        [{ name: 'lo', addresses: ['127.0.0.1'] }],
        OPTS,
      );
      const byPort = new Map(out.observations.map((o) => [o.port, o]));
      expect(byPort.get(listener.port)).to.include({ state: 'open', reason: 'syn-ack', attempts: 1 });
      expect(byPort.get(listener.port)?.rttMs).to.be.a('number');
      expect(byPort.get(closed)).to.include({ state: 'closed', reason: 'rst' });
      expect(out.links.get(linkKey('lo', `t/tcp/${closed}`))).to.have.length(1);
    } finally {
      await listener.close();
    }
  });

  it('UDP: a recognised reply is open/reply; a wrong reply is open but unrecognised', async () => {
    const echo = await udpServer((msg) => msg);
    const garbage = await udpServer(() => Buffer.from('nope'));
    const signal = new AbortController().signal;
    const schedule = new UdpHostSchedule({ timeoutMs: 500, retries: 1, signal });
    try {
      const good = await udpProbe({
        address: '127.0.0.1',
        port: echo.port,
        module: nonceEcho,
        ctx: ctx(echo.port),
        signal,
        schedule,
      });
      expect(good).to.include({ state: 'open', reason: 'reply', attempts: 1 });
      expect(good.recognition?.evidence).to.deep.equal(['nonce echoed']);
      const bad = await udpProbe({
        address: '127.0.0.1',
        port: garbage.port,
        module: nonceEcho,
        ctx: ctx(garbage.port),
        signal,
        schedule,
      });
      expect(bad).to.include({ state: 'open', reason: 'unrecognised-reply' });
      expect(bad.recognition?.valid).to.equal(false);
    } finally {
      await echo.close();
      await garbage.close();
    }
  });

  it('UDP: ICMP port unreachable is closed; silence after every retry is open|filtered', async () => {
    const closed = await closedUdpPort();
    const silent = await udpServer(null);
    const signal = new AbortController().signal;
    try {
      const c = await udpProbe({
        address: '127.0.0.1',
        port: closed,
        module: nonceEcho,
        ctx: ctx(closed),
        signal,
        schedule: new UdpHostSchedule({ timeoutMs: 500, retries: 2, signal }),
      });
      expect(c).to.include({ state: 'closed', reason: 'icmp-port-unreachable' });
      const s = await udpProbe({
        address: '127.0.0.1',
        port: silent.port,
        module: nonceEcho,
        ctx: ctx(silent.port),
        signal,
        schedule: new UdpHostSchedule({ timeoutMs: 150, retries: 2, signal }),
      });
      expect(s).to.include({ state: 'open|filtered', reason: 'no-reply', attempts: 3 });
      expect(silent.received).to.have.length(3);
    } finally {
      await silent.close();
    }
  });

  it('UDP from another port (TFTP-like): a closed port is closed, a reply from a new port still counts', async () => {
    const otherPort: UdpProtocol = { ...nonceEcho, id: 'test-other-port', replyFromOtherPort: true };
    // A server that answers each datagram from another socket, as TFTP answers from its transfer id.
    const answering = createSocket('udp4');
    await new Promise<void>((r) => answering.bind(0, '127.0.0.1', () => r()));
    const rawServer = createSocket('udp4');
    await new Promise<void>((r) => rawServer.bind(0, '127.0.0.1', () => r()));
    rawServer.on('message', (msg, peer) => answering.send(msg, peer.port, peer.address));
    const closed = await closedUdpPort();
    const signal = new AbortController().signal;
    const probe = (port: number, icmpVisible = true) =>
      udpProbe({
        address: '127.0.0.1',
        port,
        module: otherPort,
        ctx: ctx(port),
        signal,
        icmpVisible,
        schedule: new UdpHostSchedule({ timeoutMs: 200, retries: 1, signal }),
      });
    try {
      expect(await probe(closed)).to.include({ state: 'closed', reason: 'icmp-port-unreachable' });
      const answered = await probe(rawServer.address().port);
      expect(answered).to.include({ state: 'open', reason: 'reply' });
      expect(answered.recognition?.evidence).to.deep.equal(['nonce echoed']);
      // Where ICMP is unseen anyway (Windows), one unconnected socket: a closed port reads silent.
      expect(await probe(closed, false)).to.include({ state: 'open|filtered', reason: 'no-reply' });
    } finally {
      answering.close();
      rawServer.close();
    }
  });

  it('ICMP: ping 127.0.0.1 is open with an RTT; a missing ping binary is untestable', async function () {
    // Windows and macOS ship ping; a minimal Linux may not.
    if (process.platform === 'linux' && !existsSync('/usr/bin/ping') && !existsSync('/bin/ping')) {
      console.log('      (skipped: no ping binary; CI installs iputils-ping)');
      this.skip();
    }
    const signal = new AbortController().signal;
    const ok = await ping({ address: '127.0.0.1', count: 1, timeoutMs: 1000, signal });
    expect(ok).to.include({ state: 'open', reason: 'reply' });
    expect(ok.rttMs).to.be.a('number');
    const missing = await ping({ address: '127.0.0.1', count: 1, timeoutMs: 500, signal, binary: '/nonexistent/ping' });
    expect(missing).to.include({ state: 'untestable', reason: 'no-permission' });
    expect(missing.error).to.match(/no `ping` binary/);
  });

  it('ICMP: builds ping flags for Linux, Windows and macOS, and reads their RTT lines', () => {
    const o = { address: '192.0.2.1', count: 2, timeoutMs: 1500 };
    expect(pingArgs(o, 'linux')).to.deep.equal(['-4', '-n', '-c', '2', '-i', '0.2', '-W', '2', '192.0.2.1']);
    expect(pingArgs(o, 'win32')).to.deep.equal(['-4', '-n', '2', '-w', '1500', '192.0.2.1']);
    expect(pingArgs(o, 'darwin')).to.deep.equal(['-n', '-c', '2', '-W', '1500', '192.0.2.1']);
    // macOS: IPv6 goes to ping6, whose -W is not a timeout.
    expect(pingBinary('2001:db8::5', 'darwin')).to.equal('ping6');
    expect(pingBinary('2001:db8::5', 'linux')).to.equal('ping');
    expect(pingArgs({ ...o, address: '2001:db8::5' }, 'darwin')).to.deep.equal(['-n', '-c', '2', '2001:db8::5']);
    expect(parseRtt('64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.022 ms')).to.equal(0.022);
    expect(parseRtt('Reply from 192.0.2.1: bytes=32 time<1ms TTL=128')).to.equal(1);
    expect(parseRtt('Request timed out.')).to.equal(null);
  });

  it('IP protocols are untestable, never guessed; the words say what settles them', async () => {
    const out = await runEngine([exp('ip', null)], [{ name: 'lo', addresses: ['127.0.0.1'] }], OPTS);
    const o = out.observations[0] as Observation;
    expect(o).to.include({ state: 'untestable', reason: 'not-probed', protocol: 'ip', ipProtocol: 47, error: null });
    expect(reasonWords(o, OPTS.timeoutMs)).to.match(/PPTP 1723\/tcp/);
  });

  it('samples K evenly spread ports of a range, deterministically', () => {
    expect(sampleRange(49152, 65535, 4)).to.deep.equal([49152, 54613, 60074, 65535]);
    expect(sampleRange(10, 12, 16)).to.deep.equal([10, 11, 12]);
    expect(sampleRange(49152, 65535, 16)).to.have.length(16);
  });

  it('samples a UDP range at four ports at most, the ends and two between, all of them in the TCP sample', () => {
    for (const k of [16, 7, 100]) {
      const udp = udpRangeSample(49152, 65535, k);
      expect(udp, `k=${k}`).to.have.length(4);
      expect(udp[0]).to.equal(49152);
      expect(udp[3]).to.equal(65535);
      expect(sampleRange(49152, 65535, k), `k=${k}`).to.include.members(udp);
    }
    expect(udpRangeSample(49152, 65535, 2)).to.deep.equal([49152, 65535]);
    expect(udpRangeSample(10, 12, 16)).to.deep.equal([10, 11, 12]);
  });

  it('a role check samples a UDP range at four ports, a TCP range at rpcSample', async () => {
    const udpRange = { ...exp('udp', null, '40000-40100'), key: 'u' };
    const tcpRange = { ...exp('tcp', null, '40000-40100'), key: 't' };
    const out = await runEngine([udpRange, tcpRange], [{ name: 'lo', addresses: ['127.0.0.1'] }], {
      ...OPTS,
      appProbes: false,
      rpcSample: 16,
    });
    const count = (protocol: string) => out.observations.filter((o) => o.protocol === protocol).length;
    expect([count('udp'), count('tcp')]).to.deep.equal([4, 16]);
  });

  it('probes a shared port once per address, however many expectations name it', async () => {
    const listener = await tcpListener();
    try {
      const a = { ...exp('tcp', listener.port), key: 'a' };
      const b = { ...exp('tcp', listener.port), key: 'b' };
      const out = await runEngine([a, b], [{ name: 'lo', addresses: ['127.0.0.1'] }], OPTS);
      expect(out.observations).to.have.length(1);
      expect(out.links.get(linkKey('lo', 'a'))).to.deep.equal(out.links.get(linkKey('lo', 'b')));
    } finally {
      await listener.close();
    }
  });

  it('stops promptly on abort and marks the unfinished probes aborted', async () => {
    const silent = await udpServer(null);
    const controller = new AbortController();
    try {
      const started = performance.now();
      setTimeout(() => controller.abort(), 100);
      const out = await runEngine(
        [exp('udp', silent.port)],
        [{ name: 'lo', addresses: ['127.0.0.1'] }],
        { ...OPTS, timeoutMs: 5000, retries: 2 },
        { signal: controller.signal },
      );
      expect(performance.now() - started).to.be.lessThan(1000);
      expect(out.observations[0]).to.include({ state: 'error', reason: 'aborted' });
    } finally {
      await silent.close();
    }
  });

  it('rpc sample skips the endpoint mapper; discover asks it first and says when it falls back', async () => {
    const rpc = { ...exp('tcp', null, '20000-20003'), portSet: 'rpc-dynamic' as const };
    const target = [{ name: 'lo', addresses: ['127.0.0.1'] }];
    const sampled = await runEngine([rpc], target, { ...OPTS, rpcMode: 'sample', rpcSample: 2 });
    expect(sampled.observations.map((o) => o.port)).to.have.members([20000, 20003]);
    expect(sampled.observations.every((o) => o.portChoice?.kind === 'sampled')).to.equal(true);
    expect(sampled.notes).to.deep.equal([]);
    const discover = await runEngine([rpc], target, { ...OPTS, rpcMode: 'discover', rpcSample: 2 });
    // Nothing on 127.0.0.1:135 lists endpoints, so the range is sampled after asking, and a note says so.
    expect(discover.observations.some((o) => o.port === 135)).to.equal(true);
    expect(discover.notes.map((n) => n.kind)).to.deep.equal(['epm-silent']);
    expect(discover.observations.filter((o) => o.portChoice?.kind === 'sampled')).to.have.length(2);
  });

  it('records each observation once, complete, and frozen', async () => {
    const listener = await tcpListener();
    try {
      const out = await runEngine([exp('tcp', listener.port)], [{ name: 'lo', addresses: ['127.0.0.1'] }], OPTS);
      const o = out.observations[0] as Observation;
      expect(Object.isFrozen(o) && Object.isFrozen(o.evidence) && Object.isFrozen(o.warnings)).to.equal(true);
      expect(() => o.evidence.push('later')).to.throw(TypeError);
    } finally {
      await listener.close();
    }
  });

  it('leaves no socket open after a 10,000-probe sweep', async function () {
    this.timeout(60_000);
    const before = process.getActiveResourcesInfo().filter((r) => /TCP|UDP/.test(r)).length;
    const out = await runEngine([exp('tcp', null, '20000-29999')], [{ name: 'lo', addresses: ['127.0.0.1'] }], {
      ...OPTS,
      rpcMode: 'sweep',
      concurrency: 256,
      perHost: 256,
    });
    expect(out.observations).to.have.length(10_000);
    expect(out.observations.every((o) => o.state === 'closed' || o.state === 'open')).to.equal(true);
    await new Promise((r) => setTimeout(r, 50));
    const after = process.getActiveResourcesInfo().filter((r) => /TCP|UDP/.test(r)).length;
    expect(after).to.be.at.most(before);
  });
});
