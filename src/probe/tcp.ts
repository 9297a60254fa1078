/**
 * TCP connect probe: the handshake alone decides the state (open / closed / filtered);
 * a protocol module may then talk over the open connection for evidence, which can
 * never turn a completed handshake into anything but `open`.
 *
 * The connect timeout runs from the moment the connect is issued (Node's
 * 'connectionAttempt'), not from when the probe was set up, and it is declared only after
 * the event loop has read what arrived meanwhile (after-io.ts): a busy prober never turns a
 * reset that came in time into `filtered`.
 */
import { Socket } from 'node:net';
import { afterIo } from './after-io.js';
import { type Outcome, outcomeOfError } from './outcome.js';

export interface TcpConnectOptions {
  address: string;
  port: number;
  timeoutMs: number;
  localAddress?: string;
  signal: AbortSignal;
  /**
   * Offered the socket of a connect that timed out; returns true when it keeps it (to hear
   * whether neighbour discovery gives up on the address: host-reach.ts), and then owns it.
   */
  keepTimedOut?: (socket: Socket, issuedAt: number) => boolean;
}

export interface TcpConnectResult extends Outcome {
  rttMs: number | null;
  /** The connected socket when `open`; the caller must destroy it. */
  socket: Socket | null;
}

export function tcpConnect(opts: TcpConnectOptions): Promise<TcpConnectResult> {
  return new Promise((resolve) => {
    let issuedAt = performance.now();
    let cancelTimer: (() => void) | null = null;
    const socket = new Socket();
    let settled = false;
    const finish = (result: TcpConnectResult, keep = false) => {
      if (settled) return;
      settled = true;
      cancelTimer?.();
      opts.signal.removeEventListener('abort', onAbort);
      socket.removeListener('connect', onConnect);
      socket.removeListener('connectionAttempt', onAttempt);
      if (!result.socket && !keep) socket.destroy();
      resolve(result);
    };
    const fail = (err: unknown) =>
      finish({ ...outcomeOfError(err, 'tcp', performance.now() - issuedAt), rttMs: null, socket: null });
    const onAbort = () => fail(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
    const timedOut = () => {
      socket.removeListener('error', fail);
      const keep = opts.keepTimedOut?.(socket, issuedAt) ?? false;
      finish({ state: 'filtered', reason: 'timeout', error: null, rttMs: null, socket: null }, keep);
    };
    if (opts.signal.aborted) return onAbort();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    function onAttempt() {
      issuedAt = performance.now();
      cancelTimer = afterIo(opts.timeoutMs, timedOut);
    }
    function onConnect() {
      socket.removeListener('error', fail);
      // Errors after the handshake belong to the conversation, not to the state.
      socket.on('error', () => {});
      finish({ state: 'open', reason: 'syn-ack', error: null, rttMs: performance.now() - issuedAt, socket });
    }
    socket.once('error', fail);
    socket.once('connectionAttempt', onAttempt);
    socket.once('connect', onConnect);
    socket.connect({ host: opts.address, port: opts.port, localAddress: opts.localAddress, noDelay: true });
  });
}
