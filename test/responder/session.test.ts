import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { expect } from 'chai';
import { parseDuration } from '../../src/duration.js';
import { probeTcp, probeUdp } from '../../src/responder/client.js';
import { type ListenSessionOptions, runListen, type TextStream } from '../../src/responder/session.js';

const HOST = '127.0.0.1';

class Capture implements TextStream {
  text = '';
  constructor(readonly isTTY = false) {}
  write(t: string) {
    this.text += t;
    return true;
  }
}

async function freeTcpPort(): Promise<number> {
  const s = createServer().listen(0, HOST);
  await once(s, 'listening');
  const { port } = s.address() as { port: number };
  s.close();
  return port;
}

function session(port: number, over: Partial<ListenSessionOptions> = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const options: ListenSessionOptions = {
    responder: { token: 'tok', bind: HOST, ports: [{ transport: 'tcp', port, uses: ['Test: probe'] }] },
    notServed: [{ what: 'ICMP (Test: ping)', why: 'the operating system answers echo requests itself' }],
    durationMs: 300,
    format: 'table',
    clientCommand: ['portolan', 'check', '--role', 'test', HOST, '--responder', '--token', 'tok'],
    generatedToken: true,
    stdout,
    stderr,
    ...over,
  };
  return { stdout, stderr, run: runListen(options) };
}

describe('portolan listen session', function () {
  this.timeout(10_000);

  it('stops after the duration, closes its ports and prints what was and was not reached', async () => {
    const [reached, never] = [await freeTcpPort(), await freeTcpPort()];
    const started = performance.now();
    const { stdout, run } = session(reached, {
      responder: {
        token: 'tok',
        bind: HOST,
        ports: [
          { transport: 'tcp', port: reached },
          { transport: 'tcp', port: never },
        ],
      },
      durationMs: 400,
    });
    await new Promise((r) => setTimeout(r, 100));
    expect((await probeTcp({ address: HOST, port: reached, token: 'tok' })).valid).to.equal(true);
    const outcome = await run;
    expect(performance.now() - started).to.be.within(380, 2000);
    expect(outcome).to.include({ exitCode: 0, stopReason: 'duration reached' });
    expect(stdout.text).to.include('portolan check --role test 127.0.0.1 --responder --token tok');
    expect(stdout.text).to.include(`${reached}/tcp`).and.include('verified');
    expect(stdout.text).to.match(new RegExp(`Never reached: 1: ${never}/tcp`));
    expect((await probeTcp({ address: HOST, port: reached, token: 'tok' })).reason, 'closed after stop').to.equal(
      'refused',
    );
  });

  it('stops on the abort signal (SIGINT) and streams JSON lines with --format json', async () => {
    const port = await freeTcpPort();
    const stop = new AbortController();
    const { stdout, stderr, run } = session(port, {
      responder: { token: 'tok', bind: HOST, ports: [{ transport: 'udp', port }] },
      format: 'json',
      durationMs: 60_000,
      signal: stop.signal,
    });
    await new Promise((r) => setTimeout(r, 100));
    expect((await probeUdp({ address: HOST, port, token: 'tok' })).valid).to.equal(true);
    stop.abort('SIGINT');
    const outcome = await run;
    expect(outcome.stopReason).to.equal('SIGINT');
    const events = stdout.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).to.deep.equal(['serving', 'hit', 'summary']);
    expect(events[1]).to.include({ source: HOST, transport: 'udp', port, outcome: 'verified' });
    expect(events[2].reach[`${port}/udp`]).to.deep.equal({ [HOST]: 'verified' });
    expect(stderr.text).to.include('Stopped (SIGINT)');
  });

  it('exits 1 when some ports could not be opened and 2 when none could', async () => {
    const busy = createSocket('udp4');
    busy.bind(0, HOST);
    await once(busy, 'listening');
    const port = busy.address().port;
    try {
      const none = await session(port, { responder: { token: 't', bind: HOST, ports: [{ transport: 'udp', port }] } })
        .run;
      expect(none.exitCode).to.equal(2);
      const some = session(port, {
        responder: {
          token: 't',
          bind: HOST,
          ports: [
            { transport: 'udp', port },
            { transport: 'tcp', port: await freeTcpPort() },
          ],
        },
        durationMs: 50,
      });
      expect((await some.run).exitCode).to.equal(1);
      expect(some.stdout.text).to.include('NOT SERVED: in use by');
    } finally {
      busy.close();
    }
  });

  it('parses --duration', () => {
    expect(parseDuration('30m', '--duration')).to.equal(1_800_000);
    expect(parseDuration('1h30m', '--duration')).to.equal(5_400_000);
    expect(parseDuration('500ms', '--duration')).to.equal(500);
    for (const bad of ['', '30', '0s', '5 minutes', '-1m'])
      expect(() => parseDuration(bad, '--duration'), bad).to.throw(/--duration/);
  });
});
