/**
 * A whole TCP probe: the handshake decides the state; then, when a protocol module
 * speaks on the port, a bounded conversation gathers evidence. Nothing the module does
 * (fail, throw, time out) changes a completed handshake's `open`. The engine builds the
 * observation from what it returns.
 */

import { rejected } from '../protocols/recognition.js';
import { tlsInfoFromSocket } from '../protocols/tls/certificate.js';
import type { CustomProtocol, DiscoveredEndpoint, ProbeContext, Recognition, TcpProtocol } from '../protocols/types.js';
import type { Finding, ObservationFacts } from './observation.js';
import { startTls, streamIO } from './stream-io.js';
import { type TcpConnectOptions, tcpConnect } from './tcp.js';

export interface TcpProbeOptions {
  target: string;
  address: string;
  port: number;
  timeoutMs: number;
  /** Deadline for the conversation after the handshake. */
  appTimeoutMs: number;
  localAddress?: string;
  signal: AbortSignal;
  module: TcpProtocol | CustomProtocol | null;
  ctx: ProbeContext;
  /** Facts the engine knows about this probe (how a range port was chosen, responder mode). */
  facts?: ObservationFacts;
  keepTimedOut?: TcpConnectOptions['keepTimedOut'];
}

export interface TcpProbeResult {
  /** What the probe found, for the engine to build the observation from. */
  finding: Finding;
  /** Endpoints a discovery module (the RPC endpoint mapper) reported. */
  endpoints: DiscoveredEndpoint[] | null;
}

export async function tcpProbe(o: TcpProbeOptions): Promise<TcpProbeResult> {
  const site = { target: o.target, address: o.address, protocol: 'tcp' as const, port: o.port };
  const conn = await tcpConnect(o);
  const exchange = { state: conn.state, reason: conn.reason, rttMs: conn.rttMs, attempts: 1, error: conn.error };
  if (!conn.socket || !o.module) {
    conn.socket?.destroy();
    return { finding: { site, exchange, conversation: null, facts: o.facts }, endpoints: null };
  }
  // Not AbortSignal.any([..., AbortSignal.timeout(ms)]): Node 20 lets the garbage collector take
  // a timeout signal only `any` refers to, and then the deadline never comes (a slowloris peer
  // holds the probe for ever). A timer we clear ourselves holds its controller.
  const expiry = new AbortController();
  const timer = setTimeout(() => expiry.abort(), o.appTimeoutMs);
  const deadline = AbortSignal.any([o.signal, expiry.signal]);
  let recognition: Recognition;
  try {
    recognition = await converse(o.module, conn.socket, o, deadline);
  } catch (err) {
    recognition = rejected((err as Error).message || 'unknown reason');
  } finally {
    clearTimeout(timer);
    conn.socket.destroy();
  }
  return {
    finding: { site, exchange, conversation: { module: o.module, recognition }, facts: o.facts },
    endpoints: recognition.valid ? (recognition.endpoints ?? null) : null,
  };
}

async function converse(
  module: TcpProtocol | CustomProtocol,
  socket: import('node:net').Socket,
  o: TcpProbeOptions,
  deadline: AbortSignal,
): Promise<Recognition> {
  if (module.kind === 'custom') {
    // The module brings its own client (undici, dig); our handshake already proved `open`.
    socket.destroy();
    return module.run({ ...o.ctx, signal: deadline, localAddress: o.localAddress, timeoutMs: o.appTimeoutMs });
  }
  if (module.tls) {
    const secure = await startTls(socket, servername(o.target), deadline);
    try {
      return await module.converse(streamIO(secure, deadline, tlsInfoFromSocket(secure)), o.ctx);
    } finally {
      secure.destroy();
    }
  }
  return module.converse(streamIO(socket, deadline), o.ctx);
}

/** SNI only for names: an IP literal is not a valid server name. */
function servername(target: string): string | undefined {
  return /^[\d.]+$|:/.test(target) ? undefined : target;
}
