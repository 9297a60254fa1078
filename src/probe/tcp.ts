/**
 * TCP connect probe: the handshake alone decides the state (open / closed / filtered);
 * a protocol module may then talk over the open connection for evidence, which can
 * never turn a completed handshake into anything but `open`.
 */
import { Socket } from 'node:net';
import { type Outcome, outcomeOfError } from './outcome.js';

export interface TcpConnectOptions {
  address: string;
  port: number;
  timeoutMs: number;
  localAddress?: string;
  signal: AbortSignal;
}

export interface TcpConnectResult extends Outcome {
  rttMs: number | null;
  /** The connected socket when `open`; the caller must destroy it. */
  socket: Socket | null;
}

export function tcpConnect(opts: TcpConnectOptions): Promise<TcpConnectResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = new Socket();
    let settled = false;
    const finish = (result: TcpConnectResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('connect');
      if (!result.socket) socket.destroy();
      resolve(result);
    };
    const fail = (err: unknown) => finish({ ...outcomeOfError(err, 'tcp'), rttMs: null, socket: null });
    const onAbort = () => fail(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
    const timer = setTimeout(
      () => finish({ state: 'filtered', reason: 'timeout', error: null, rttMs: null, socket: null }),
      opts.timeoutMs,
    );
    if (opts.signal.aborted) return onAbort();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.removeListener('error', fail);
      // Errors after the handshake belong to the conversation, not to the state.
      socket.on('error', () => {});
      finish({ state: 'open', reason: 'syn-ack', error: null, rttMs: performance.now() - started, socket });
    });
    socket.connect({ host: opts.address, port: opts.port, localAddress: opts.localAddress, noDelay: true });
  });
}
