/**
 * `tcpProbe` itself against fake servers on 127.0.0.1, its finding built into the observation
 * as the engine does: the handshake decides the state, and only a reply the module recognised
 * marks the service `confirmed`. That flag is what the responder mode and the TCP-twin rule
 * trust, so a wrong reply must never set it.
 */
import { createServer, type Server } from 'node:net';
import { expect } from 'chai';
import { judgeExpectations } from '../../src/analyze/verdicts.js';
import type { Expectation } from '../../src/model.js';
import type { TcpProbeOptions } from '../../src/probe/tcp-probe.js';
import { recognized, rejected } from '../../src/protocols/recognition.js';
import { ftp } from '../../src/protocols/tcp/banner.js';
import type { CustomProtocol, DiscoveredEndpoint, Recognition, TcpProtocol } from '../../src/protocols/types.js';
import { responderTcpModule, WRONG_TOKEN_EVIDENCE } from '../../src/responder/modules.js';
import { type Responder, startResponder } from '../../src/responder/server.js';
import { closedTcpPort } from '../support/fake-servers.js';
import { observeTcp } from '../support/observe-tcp.js';
import { fakeServer, makeCertificates } from '../support/tcp-fake-server.js';

const text = (s: string) => new TextEncoder().encode(s);

function options(
  port: number,
  module: TcpProbeOptions['module'],
  over: Partial<TcpProbeOptions> = {},
): TcpProbeOptions {
  return {
    target: '127.0.0.1',
    address: '127.0.0.1',
    port,
    timeoutMs: 1000,
    appTimeoutMs: 1000,
    signal: new AbortController().signal,
    module,
    ctx: { target: '127.0.0.1', address: '127.0.0.1', port, nonce: Uint8Array.of(1, 2, 3, 4) },
    ...over,
  };
}

const ENDPOINT: DiscoveredEndpoint = {
  interfaceUuid: 'e3514235-4b06-11d1-ab04-00c04fc2dcd2',
  interfaceName: 'DRSUAPI',
  annotation: '',
  protocol: 'tcp',
  port: 49667,
  address: null,
};

/** A stream module whose verdict the test chooses, reading one chunk first. */
function scripted(result: 'valid' | 'invalid' | 'throw'): TcpProtocol {
  return {
    kind: 'stream',
    id: `test-${result}`,
    transport: 'tcp',
    ports: [],
    describe: 'test module',
    async converse(io) {
      await io.read((b) => b.length);
      if (result === 'throw') throw new Error('decoder blew up');
      if (result === 'valid') return recognized(['spoke the protocol'], ['be careful'], { endpoints: [ENDPOINT] });
      // A rejection carrying endpoints anyway (the type forbids it; a careless module might not): they must not count.
      return {
        ...rejected('wrong magic', { evidence: ['half a reply'] }),
        endpoints: [ENDPOINT],
      } as unknown as Recognition;
    },
  };
}

describe('tcpProbe: confirmed only for a recognised reply', () => {
  it('a recognised FTP greeting: open/syn-ack, confirmed, the module’s evidence', async () => {
    const server = await fakeServer({ greeting: text('220 Microsoft FTP Service\r\n') });
    try {
      const { observation: o, endpoints } = await observeTcp(options(server.port, ftp));
      expect(o).to.deep.include({
        target: '127.0.0.1',
        address: '127.0.0.1',
        protocol: 'tcp',
        port: server.port,
        state: 'open',
        reason: 'syn-ack',
        attempts: 1,
        module: 'ftp',
        confirmed: true,
        evidence: ['FTP greeting: 220 Microsoft FTP Service'],
        warnings: [],
        error: null,
      });
      expect(o.rttMs).to.be.a('number').and.at.least(0);
      expect(endpoints).to.equal(null);
    } finally {
      await server.close();
    }
  });

  it('another service’s greeting: still open (the handshake completed), but not confirmed', async () => {
    const server = await fakeServer({ greeting: text('+OK POP3 ready\r\n') });
    try {
      const { observation: o } = await observeTcp(options(server.port, ftp));
      expect([o.state, o.reason, o.confirmed]).to.deep.equal(['open', 'syn-ack', false]);
      expect(o.evidence[0]).to.match(/^ftp: no recognisable reply \(/);
    } finally {
      await server.close();
    }
  });

  it('an unrecognised reply keeps the module’s reason and evidence, and reports no endpoints', async () => {
    const server = await fakeServer({ greeting: text('x') });
    try {
      const { observation: o, endpoints } = await observeTcp(options(server.port, scripted('invalid')));
      expect(o.confirmed).to.equal(false);
      expect(o.evidence).to.deep.equal(['test-invalid: no recognisable reply (wrong magic)', 'half a reply']);
      expect(endpoints).to.equal(null);
    } finally {
      await server.close();
    }
  });

  it('a recognised reply carries its warnings and the endpoints it found', async () => {
    const server = await fakeServer({ greeting: text('x') });
    try {
      const { observation: o, endpoints } = await observeTcp(options(server.port, scripted('valid')));
      expect([o.confirmed, o.evidence, o.warnings]).to.deep.equal([true, ['spoke the protocol'], ['be careful']]);
      expect(endpoints).to.deep.equal([ENDPOINT]);
    } finally {
      await server.close();
    }
  });

  it('a module that throws leaves the port open, unconfirmed, with the error as the reason', async () => {
    const server = await fakeServer({ greeting: text('x') });
    try {
      const { observation: o } = await observeTcp(options(server.port, scripted('throw')));
      expect([o.state, o.confirmed]).to.deep.equal(['open', false]);
      expect(o.evidence).to.deep.equal(['test-throw: no recognisable reply (decoder blew up)']);
    } finally {
      await server.close();
    }
  });

  it('a silent server: open, unconfirmed, within the conversation deadline', async () => {
    const server = await fakeServer({ greeting: 'silent' });
    try {
      const started = performance.now();
      const { observation: o } = await observeTcp(options(server.port, ftp, { appTimeoutMs: 200 }));
      expect(performance.now() - started).to.be.lessThan(1500);
      expect([o.state, o.confirmed]).to.deep.equal(['open', false]);
      expect(o.evidence[0]).to.match(/^ftp: no recognisable reply \(no complete reply before the deadline\)/);
    } finally {
      await server.close();
    }
  });

  it('without a module: open, no module, nothing confirmed', async () => {
    const server = await fakeServer({ greeting: 'silent' });
    try {
      const { observation: o, endpoints } = await observeTcp(options(server.port, null));
      expect(o).to.deep.include({ state: 'open', module: null, evidence: [] });
      expect(o.confirmed).to.equal(undefined);
      expect(endpoints).to.equal(null);
    } finally {
      await server.close();
    }
  });

  it('a closed port never reaches the module', async () => {
    const port = await closedTcpPort();
    let called = false;
    const module: TcpProtocol = {
      ...scripted('valid'),
      converse: async () => {
        called = true;
        return recognized([]);
      },
    };
    const { observation: o } = await observeTcp(options(port, module));
    expect([o.state, o.reason, o.module, o.confirmed, o.rttMs, o.evidence, o.warnings]).to.deep.equal([
      'closed',
      'rst',
      null,
      undefined,
      null,
      [],
      [],
    ]);
    expect(called).to.equal(false);
  });

  it('a custom module runs its own client with the conversation deadline and our bind address', async () => {
    const server = await fakeServer({ greeting: 'silent' });
    const seen: { timeoutMs: number; localAddress?: string; aborted: boolean }[] = [];
    const custom: CustomProtocol = {
      kind: 'custom',
      id: 'test-custom',
      transport: 'tcp',
      ports: [],
      describe: 'custom client',
      run: async (ctx) => {
        seen.push({ timeoutMs: ctx.timeoutMs, localAddress: ctx.localAddress, aborted: ctx.signal.aborted });
        return recognized(['custom client answered']);
      },
    };
    try {
      const { observation: o } = await observeTcp(
        options(server.port, custom, { appTimeoutMs: 750, localAddress: '127.0.0.1' }),
      );
      expect([o.module, o.confirmed, o.evidence]).to.deep.equal(['test-custom', true, ['custom client answered']]);
      expect(seen).to.deep.equal([{ timeoutMs: 750, localAddress: '127.0.0.1', aborted: false }]);
    } finally {
      await server.close();
    }
  });

  it('closes the connection once the conversation is over, whatever the module did', async () => {
    let open = 0;
    const server: Server = createServer((socket) => {
      open++;
      socket.on('close', () => open--);
      socket.on('error', () => {});
      socket.write('x');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      for (const module of [scripted('valid'), scripted('invalid'), scripted('throw'), null]) {
        await observeTcp(options(port, module));
      }
      for (let i = 0; i < 50 && open > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(open, 'connections left open').to.equal(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('tcpProbe: TLS modules', () => {
  const certs = makeCertificates();
  before(function () {
    if (!certs) {
      console.log('      (skipped: no openssl binary to make a test certificate; CI installs openssl)');
      this.skip();
    }
  });

  it('wraps the connection in TLS before the conversation and hands the module the certificate', async () => {
    const keys = certs as NonNullable<typeof certs>;
    const server = await fakeServer({ tls: keys.current, replies: [text('pong')] });
    const tlsModule: TcpProtocol = {
      kind: 'stream',
      id: 'test-tls',
      transport: 'tcp',
      ports: [],
      describe: 'TLS ping',
      tls: true,
      async converse(io) {
        io.write(text('ping'));
        const reply = new TextDecoder().decode(await io.read((b) => b.length));
        return reply === 'pong' ? recognized([`TLS subject ${io.tls?.subject ?? '?'}`]) : rejected(`got ${reply}`);
      },
    };
    try {
      const { observation: o } = await observeTcp(options(server.port, tlsModule, { target: 'localhost' }));
      expect([o.state, o.confirmed]).to.deep.equal(['open', true]);
      expect(o.evidence).to.deep.equal(['TLS subject CN=localhost']);
      expect(new TextDecoder().decode(server.requests[0])).to.equal('ping');
    } finally {
      await server.close();
    }
  });
});

describe('tcpProbe + responder mode: a wrong token never passes', () => {
  let responder: Responder | null = null;
  let port = 0;
  before(async () => {
    // A port that is free now; the responder binds it for TCP.
    const probe: Server = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    responder = await startResponder({ token: 'lab-token', bind: '127.0.0.1', ports: [{ transport: 'tcp', port }] });
  });
  after(async () => {
    await responder?.close();
  });

  const expectation: Expectation = {
    key: 'k',
    role: null,
    service: 's',
    serviceName: 'S',
    impact: 'S breaks',
    protocol: 'tcp',
    port: 0,
    range: null,
    portSet: null,
    ipProtocol: null,
    application: 'S',
    requirement: 'required',
    condition: null,
    footnote: null,
    note: null,
    source: { table: 'section', section: 's' },
  };

  async function verdictWith(token: string) {
    // As the engine probes in responder mode: the responder's module, and the mode as a fact.
    const { observation } = await observeTcp(
      options(port, responderTcpModule(token), { facts: { responderMode: true } }),
    );
    const [v] = judgeExpectations(
      [{ target: '127.0.0.1', expectations: [{ ...expectation, port }], links: new Map([['k', [0]]]) }],
      [observation],
      { expect: 'listening', timeoutMs: 1000, responder: true },
    );
    return { observation, status: v?.status };
  }

  it('the right token: confirmed, pass', async () => {
    const { observation, status } = await verdictWith('lab-token');
    expect([observation.state, observation.confirmed, observation.responder, status]).to.deep.equal([
      'open',
      true,
      'verified',
      'pass',
    ]);
  });

  it('a wrong token: open but unconfirmed, inconclusive', async () => {
    const { observation, status } = await verdictWith('not-the-token');
    expect([observation.state, observation.confirmed, observation.responder, status]).to.deep.equal([
      'open',
      false,
      'wrong-token',
      'inconclusive',
    ]);
    expect(observation.evidence).to.include(WRONG_TOKEN_EVIDENCE);
  });
});
