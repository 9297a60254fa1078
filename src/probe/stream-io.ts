/**
 * StreamIO over a connected socket for protocol modules: framed, bounded reads that
 * reject on the engine's deadline or abort (STREAM_TIMEOUT) or past their bound
 * (REPLY_TOO_LARGE). Modules never see the socket itself.
 */
import type { Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { PortolanError } from '../errors.js';
import type { StreamIO, TlsInfo } from '../protocols/types.js';

const DEFAULT_MAX = 1 << 20;

export function streamIO(socket: Socket | TLSSocket, deadline: AbortSignal, tls?: TlsInfo): StreamIO {
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
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  socket.on('end', onEnd);
  socket.on('close', onEnd);
  socket.on('error', onEnd);

  return {
    tls,
    write(bytes) {
      if (!socket.destroyed) socket.write(bytes);
    },
    read(complete, maxBytes = DEFAULT_MAX) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (deadline.aborted)
            return done(() => reject(new PortolanError('STREAM_TIMEOUT', 'no complete reply before the deadline')));
          const n = buffered.length > 0 ? safeLength(complete, buffered) : 0;
          if (n > 0) {
            const message = buffered.slice(0, n);
            buffered = buffered.slice(n);
            return done(() => resolve(message));
          }
          if (buffered.length > maxBytes) {
            return done(() => reject(new PortolanError('REPLY_TOO_LARGE', `reply larger than ${maxBytes} bytes`)));
          }
          if (ended) {
            const rest = buffered;
            buffered = new Uint8Array(0);
            return done(() => resolve(rest));
          }
        };
        const done = (settle: () => void) => {
          wake = null;
          deadline.removeEventListener('abort', check);
          settle();
        };
        wake = check;
        deadline.addEventListener('abort', check, { once: true });
        check();
      });
    },
  };
}

/** A module's framing function is untrusted code over untrusted bytes: a throw means "not yet". */
function safeLength(complete: (b: Uint8Array) => number, b: Uint8Array): number {
  try {
    return complete(b);
  } catch {
    return 0;
  }
}

/** Wrap an open TCP socket in TLS (no verification: we report what the certificate says). */
export function startTls(socket: Socket, servername: string | undefined, deadline: AbortSignal): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({ socket, rejectUnauthorized: false, servername, ALPNProtocols: undefined });
    const onAbort = () => {
      secure.destroy();
      reject(new PortolanError('STREAM_TIMEOUT', 'TLS handshake did not finish before the deadline'));
    };
    deadline.addEventListener('abort', onAbort, { once: true });
    secure.once('secureConnect', () => {
      deadline.removeEventListener('abort', onAbort);
      resolve(secure);
    });
    secure.once('error', (err) => {
      deadline.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}
