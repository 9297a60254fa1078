/**
 * A test `StreamIO` over a real socket to 127.0.0.1 (TLS when asked), with one timeout per
 * read. The engine has its own production implementation; this one is deliberately small.
 */
import net from 'node:net';
import tls from 'node:tls';
import { tlsInfoFromSocket } from '../../src/protocols/http/certificate.js';
import type { StreamIO } from '../../src/protocols/types.js';

export interface TestStream {
  io: StreamIO;
  close(): void;
}

export class ReadTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}

export async function openStream(port: number, opts: { tls?: boolean; timeoutMs?: number } = {}): Promise<TestStream> {
  const timeoutMs = opts.timeoutMs ?? 1000;
  const socket: net.Socket = await new Promise((resolve, reject) => {
    const s = opts.tls
      ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s))
      : net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
  let buffered = new Uint8Array(0);
  let ended = false;
  let wake: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    const next = new Uint8Array(buffered.length + chunk.length);
    next.set(buffered);
    next.set(chunk, buffered.length);
    buffered = next;
    wake?.();
  });
  const finish = () => {
    ended = true;
    wake?.();
  };
  socket.on('end', finish);
  socket.on('close', finish);
  socket.on('error', finish);

  const io: StreamIO = {
    write: (bytes) => void socket.write(bytes),
    read(complete, maxBytes = 1 << 20) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          wake = null;
          reject(new ReadTimeout(`no complete reply within ${timeoutMs} ms`));
        }, timeoutMs);
        const settle = () => {
          const n = buffered.length ? complete(buffered) : 0;
          if (n > 0 || ended || buffered.length > maxBytes) {
            clearTimeout(timer);
            wake = null;
            if (buffered.length > maxBytes && n <= 0) return reject(new Error('reply exceeds maxBytes'));
            const take = n > 0 ? Math.min(n, buffered.length) : buffered.length;
            const out = buffered.slice(0, take);
            buffered = buffered.slice(take);
            resolve(out);
          }
        };
        wake = settle;
        settle();
      });
    },
    tls: socket instanceof tls.TLSSocket ? tlsInfoFromSocket(socket) : undefined,
  };
  return { io, close: () => socket.destroy() };
}
