/**
 * A fake UDP server on 127.0.0.1 port 0 for protocol-module tests, and a stand-in for the
 * probe engine's UDP path: send `buildRequest` once, hand the first datagram from the
 * server to `recognize`. Connected socket by default; unconnected for modules whose
 * server answers from another port (TFTP), as the engine does.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { ProbeContext, Recognition, UdpProtocol } from '../../src/protocols/types.js';

/** What the server sends back for a request: bytes, or `null` for silence. */
export type Responder = (request: Uint8Array) => Uint8Array | null;

export interface FakeUdpServer {
  port: number;
  /** Every datagram the server received. */
  received: Uint8Array[];
  close(): Promise<void>;
}

function bind(socket: Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket.address().port));
  });
}

/** Start a server; with `fromOtherPort` the reply leaves from a second socket (a TFTP transfer id). */
export async function startFakeUdpServer(
  respond: Responder,
  opts: { fromOtherPort?: boolean } = {},
): Promise<FakeUdpServer> {
  const server = createSocket('udp4');
  const port = await bind(server);
  const sender = opts.fromOtherPort ? createSocket('udp4') : server;
  if (opts.fromOtherPort) await bind(sender);
  const received: Uint8Array[] = [];
  server.on('message', (msg, rinfo) => {
    received.push(new Uint8Array(msg));
    const reply = respond(new Uint8Array(msg));
    if (reply) sender.send(reply, rinfo.port, rinfo.address);
  });
  const closeOne = (s: Socket) => new Promise<void>((resolve) => s.close(() => resolve()));
  return {
    port,
    received,
    close: async () => {
      await closeOne(server);
      if (sender !== server) await closeOne(sender);
    },
  };
}

/** A probe context for tests: loopback, a fixed nonce (a1 b2 c3 d4 05 06 ...), no domain. */
export function testContext(port: number, extra: Partial<ProbeContext> = {}): ProbeContext {
  const nonce = Uint8Array.from([0xa1, 0xb2, 0xc3, 0xd4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  return { target: '127.0.0.1', address: '127.0.0.1', port, nonce, ...extra };
}

/** Send the module's request to `ctx.port` and recognise the first datagram; rejects after `timeoutMs`. */
export function exchange(mod: UdpProtocol, ctx: ProbeContext, timeoutMs = 1000): Promise<Recognition> {
  const socket = createSocket('udp4');
  return new Promise<Recognition>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      socket.close();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('error', (err) => {
      done();
      reject(err);
    });
    socket.on('message', (msg, rinfo) => {
      if (rinfo.address !== ctx.address) return;
      done();
      resolve(mod.recognize(new Uint8Array(msg), ctx));
    });
    const request = mod.buildRequest(ctx);
    if (mod.replyFromOtherPort) {
      socket.send(request, ctx.port, ctx.address);
    } else {
      socket.connect(ctx.port, ctx.address, () => socket.send(request));
    }
  });
}
