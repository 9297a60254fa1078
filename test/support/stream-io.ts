/**
 * A `StreamIO` over a real socket to 127.0.0.1 (TLS when asked) for protocol-module tests:
 * the engine's own implementation, with the whole conversation bounded by `timeoutMs`.
 */
import net from 'node:net';
import tls from 'node:tls';
import { isPortolanError } from '../../src/errors.js';
import { streamIO } from '../../src/probe/stream-io.js';
import { tlsInfoFromSocket } from '../../src/protocols/tls/certificate.js';
import type { StreamIO } from '../../src/protocols/types.js';

export interface TestStream {
  io: StreamIO;
  close(): void;
}

/** Whether a read rejected because the deadline passed. */
export const isReadTimeout = (err: unknown): boolean => isPortolanError(err, 'STREAM_TIMEOUT');

export async function openStream(port: number, opts: { tls?: boolean; timeoutMs?: number } = {}): Promise<TestStream> {
  const socket: net.Socket = await new Promise((resolve, reject) => {
    const s = opts.tls
      ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s))
      : net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
  const info = socket instanceof tls.TLSSocket ? tlsInfoFromSocket(socket) : undefined;
  const io = streamIO(socket, AbortSignal.timeout(opts.timeoutMs ?? 1000), info);
  return { io, close: () => socket.destroy() };
}
