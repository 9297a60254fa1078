/**
 * A fake UDP server on 127.0.0.1 port 0 for protocol-module tests, and `probeFake`, which
 * talks to it through the engine's own `udpProbe`: the same socket
 * handling (connected or not, sender check, retries, late replies) as a real run, so a
 * module test also tests the path its replies take.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { type UdpProbeResult, udpProbe } from '../../src/probe/udp.js';
import { UdpHostSchedule } from '../../src/probe/udp-schedule.js';
import type { ProbeContext, UdpProtocol } from '../../src/protocols/types.js';

/** What the server sends back for a request: bytes, several datagrams in order, or `null` for silence. */
export type Responder = (request: Uint8Array) => Uint8Array | Uint8Array[] | null;

export interface FakeUdpServer {
  port: number;
  /** Every datagram the server received. */
  received: Uint8Array[];
  close(): Promise<void>;
}

export interface FakeUdpOptions {
  /** Listen here instead of 127.0.0.1 (`::1` for IPv6). */
  host?: string;
  /** Reply from a second socket on another port (a TFTP transfer id). */
  fromOtherPort?: boolean;
  /** Reply from a socket bound to this loopback address (127.0.0.2: a host other than the target). */
  fromAddress?: string;
  /** Hold each reply this long (a reply that arrives after the probe's first wait). */
  delayMs?: number;
}

function bind(socket: Socket, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, address, () => resolve(socket.address().port));
  });
}

/** Start a server (127.0.0.1 unless `opts.host`); replies leave from the listening socket unless `opts` says otherwise. */
export async function startFakeUdpServer(respond: Responder, opts: FakeUdpOptions = {}): Promise<FakeUdpServer> {
  const host = opts.host ?? '127.0.0.1';
  const type = isIPv6(host) ? 'udp6' : 'udp4';
  const server = createSocket(type);
  const port = await bind(server, host);
  const separate = opts.fromOtherPort || opts.fromAddress !== undefined;
  const sender = separate ? createSocket(type) : server;
  if (separate) await bind(sender, opts.fromAddress ?? host);
  const received: Uint8Array[] = [];
  const timers = new Set<NodeJS.Timeout>();
  server.on('message', (msg, rinfo) => {
    received.push(new Uint8Array(msg));
    const reply = respond(new Uint8Array(msg));
    const send = () => {
      for (const datagram of Array.isArray(reply) ? reply : reply ? [reply] : [])
        sender.send(datagram, rinfo.port, rinfo.address);
    };
    if (opts.delayMs) timers.add(setTimeout(send, opts.delayMs));
    else send();
  });
  const closeOne = (s: Socket) => new Promise<void>((resolve) => s.close(() => resolve()));
  return {
    port,
    received,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      await closeOne(server);
      if (sender !== server) await closeOne(sender);
    },
  };
}

/** A module whose reply must echo the probe's nonce: proves recognition, not just "a datagram". */
export const nonceEcho: UdpProtocol = {
  kind: 'datagram',
  id: 'test-echo',
  transport: 'udp',
  ports: [],
  describe: 'nonce echo',
  buildRequest: (ctx) => ctx.nonce,
  recognize: (reply, ctx) =>
    Buffer.from(reply).equals(Buffer.from(ctx.nonce))
      ? { valid: true, evidence: ['nonce echoed'] }
      : { valid: false, evidence: [], reason: 'nonce mismatch' },
};

/** A probe context for tests: loopback, a fixed nonce (a1 b2 c3 d4 05 06 ...), no domain. */
export function testContext(port: number, extra: Partial<ProbeContext> = {}): ProbeContext {
  const nonce = Uint8Array.from([0xa1, 0xb2, 0xc3, 0xd4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  return { target: '127.0.0.1', address: '127.0.0.1', port, nonce, ...extra };
}

/**
 * One `udpProbe` of `ctx.address`:`ctx.port` with the module, on a schedule of its own: one
 * transmission unless `retries` says more. `icmpVisible: false` is the Windows path (one
 * unconnected socket for modules whose server answers from another port).
 */
export async function probeFake(
  mod: UdpProtocol,
  ctx: ProbeContext,
  opts: { timeoutMs?: number; retries?: number; signal?: AbortSignal; icmpVisible?: boolean } = {},
): Promise<UdpProbeResult> {
  const signal = opts.signal ?? new AbortController().signal;
  const schedule = new UdpHostSchedule({ timeoutMs: opts.timeoutMs ?? 1000, retries: opts.retries ?? 0, signal });
  try {
    return await udpProbe({
      address: ctx.address,
      port: ctx.port,
      module: mod,
      ctx,
      signal,
      schedule,
      icmpVisible: opts.icmpVisible,
    });
  } finally {
    schedule.close();
  }
}
