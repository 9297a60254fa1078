/**
 * Hostile servers on 127.0.0.1 port 0 for the hostile-server suite: a TCP (or TLS) server
 * whose behaviour per connection is a function (answer a script, stream 100 MB, trickle a
 * byte at a time), and the pieces those behaviours are made of. Every sender is bounded in
 * bytes and stops when the peer goes away; timers are cleared when the server closes.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { KeyPair } from './tcp-fake-server.js';

export interface HostileServer {
  port: number;
  /** Bytes written to clients so far, all connections together. */
  sent(): number;
  close(): Promise<void>;
}

/** What a connection gets: `write` counts bytes; `every` runs a bounded timer cleared on close. */
export interface Conn {
  socket: net.Socket;
  write(bytes: Uint8Array): boolean;
  every(ms: number, tick: () => boolean): void;
  /** Chunks of `chunk` bytes until `total` bytes are sent or the peer goes away, honouring backpressure. */
  stream(total: number, chunk: Uint8Array): void;
}

export async function hostileServer(
  onConnection: (conn: Conn) => void,
  opts: { tls?: KeyPair } = {},
): Promise<HostileServer> {
  let sent = 0;
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const handle = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    const conn: Conn = {
      socket,
      write(bytes) {
        if (socket.destroyed) return false;
        sent += bytes.length;
        return socket.write(bytes);
      },
      every(ms, tick) {
        const timer = setInterval(() => {
          if (socket.destroyed || !tick()) {
            clearInterval(timer);
            timers.delete(timer);
          }
        }, ms);
        timers.add(timer);
        socket.on('close', () => {
          clearInterval(timer);
          timers.delete(timer);
        });
      },
      stream(total, chunk) {
        let left = total;
        const pump = () => {
          while (left > 0 && !socket.destroyed) {
            const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
            left -= piece.length;
            if (!conn.write(piece)) {
              socket.once('drain', pump);
              return;
            }
          }
          if (left <= 0) socket.end();
        };
        pump();
      },
    };
    onConnection(conn);
  };
  const server = opts.tls
    ? tls.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handle)
    : net.createServer(handle);
  // A TLS handshake that the client abandons is not the server's error.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sent: () => sent,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** After the first request arrives, answer with `replies[n]` for the n-th request (script). */
export function script(replies: Uint8Array[]): (conn: Conn) => void {
  return (conn) => {
    let n = 0;
    conn.socket.on('data', () => {
      const reply = replies[n++];
      if (reply) conn.write(reply);
    });
  };
}

/** On the first request, `prefix` then 100 MB of filler, as fast as the client reads. */
export function hundredMegabytes(prefix: Uint8Array): (conn: Conn) => void {
  return (conn) => {
    conn.socket.once('data', () => {
      conn.write(prefix);
      conn.stream(100 * 1024 * 1024, new Uint8Array(64 * 1024).fill(0x41));
    });
  };
}

/** Slowloris: on connect (or first request), `bytes` one at a time every `ms` (bounded by their count). */
export function trickle(bytes: Uint8Array, ms = 200, onRequest = true): (conn: Conn) => void {
  return (conn) => {
    const start = () => {
      let i = 0;
      conn.every(ms, () => {
        if (i >= bytes.length) return false;
        conn.write(bytes.subarray(i, ++i));
        return true;
      });
    };
    if (onRequest) conn.socket.once('data', start);
    else start();
  };
}
