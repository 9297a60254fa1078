/**
 * A whole TCP probe: the handshake decides the state; then, when a protocol module
 * speaks on the port, a bounded conversation gathers evidence. Nothing the module does
 * (fail, throw, time out) changes a completed handshake's `open`.
 */

import type { Observation } from '../model.js';
import { rejected } from '../protocols/recognition.js';
import { tlsInfoFromSocket } from '../protocols/tls/certificate.js';
import type { CustomProtocol, DiscoveredEndpoint, ProbeContext, Recognition, TcpProtocol } from '../protocols/types.js';
import { startTls, streamIO } from './stream-io.js';
import { tcpConnect } from './tcp.js';

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
}

export interface TcpProbeResult {
  observation: Observation;
  /** Endpoints a discovery module (the RPC endpoint mapper) reported. */
  endpoints: DiscoveredEndpoint[] | null;
}

export async function tcpProbe(o: TcpProbeOptions): Promise<TcpProbeResult> {
  const base = { target: o.target, address: o.address, protocol: 'tcp' as const, port: o.port };
  const conn = await tcpConnect(o);
  const observation: Observation = {
    ...base,
    state: conn.state,
    reason: conn.reason,
    rttMs: round(conn.rttMs),
    attempts: 1,
    evidence: [],
    warnings: [],
    module: null,
    error: conn.error,
  };
  if (!conn.socket) return { observation, endpoints: null };
  if (!o.module) {
    conn.socket.destroy();
    return { observation, endpoints: null };
  }
  observation.module = o.module.id;
  const deadline = AbortSignal.any([o.signal, AbortSignal.timeout(o.appTimeoutMs)]);
  let recognition: Recognition;
  try {
    recognition = await converse(o.module, conn.socket, o, deadline);
  } catch (err) {
    recognition = rejected((err as Error).message);
  } finally {
    conn.socket.destroy();
  }
  observation.evidence = recognition.valid
    ? recognition.evidence
    : [`${o.module.id}: no recognisable reply (${recognition.reason ?? 'unknown reason'})`, ...recognition.evidence];
  observation.warnings = recognition.warnings ?? [];
  observation.confirmed = recognition.valid;
  return { observation, endpoints: recognition.valid ? (recognition.endpoints ?? null) : null };
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

export function round(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 1000) / 1000;
}
