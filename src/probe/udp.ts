/**
 * UDP probe with a real protocol request. A connected socket makes the kernel report
 * ICMP errors (port unreachable -> ECONNREFUSED -> `closed`); a datagram the protocol
 * module recognises -> `open`/reply; any other datagram from the target -> `open`
 * with "unrecognised reply" (something listens, we did not confirm what); silence
 * after every retry -> `open|filtered`. Protocols that answer from another port (TFTP)
 * use an unconnected socket: ICMP is then unobservable and said so.
 */

import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ProbeState, Reason } from '../model.js';
import { rejected } from '../protocols/recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../protocols/types.js';
import { outcomeOfError } from './outcome.js';
import { abortError, sleep, type UdpPacer } from './udp-pacer.js';

export interface UdpProbeOptions {
  address: string;
  port: number;
  module: UdpProtocol;
  ctx: ProbeContext;
  /** Wait for a reply after each transmission. */
  timeoutMs: number;
  retries: number;
  localAddress?: string;
  signal: AbortSignal;
  pacer: UdpPacer;
}

export interface UdpProbeResult {
  state: ProbeState;
  reason: Reason;
  rttMs: number | null;
  attempts: number;
  recognition: Recognition | null;
  error: string | null;
}

export async function udpProbe(opts: UdpProbeOptions): Promise<UdpProbeResult> {
  const connected = !opts.module.replyFromOtherPort;
  const socket = createSocket({ type: isIPv6(opts.address) ? 'udp6' : 'udp4' });
  let attempts = 0;
  try {
    await bindAndConnect(socket, opts, connected);
    const request = opts.module.buildRequest(opts.ctx);
    const exchange = listen(socket, opts, connected);
    for (let attempt = 0; attempt <= opts.retries; attempt++) {
      if (attempt > 0) {
        // Back off, then wait for the host's ICMP budget (see UdpPacer).
        await sleep(Math.min(250 * 2 ** (attempt - 1), 1000), opts.signal);
        await opts.pacer.beforeRetransmit(opts.address, opts.signal);
      }
      attempts++;
      exchange.sentAt = performance.now();
      send(socket, request, opts, connected);
      const result = await exchange.wait(opts.timeoutMs);
      if (result) {
        if (result.reason === 'icmp-port-unreachable') opts.pacer.noteIcmp(opts.address);
        return { ...result, attempts };
      }
    }
    return { state: 'open|filtered', reason: 'no-reply', rttMs: null, attempts, recognition: null, error: null };
  } catch (err) {
    return { ...outcomeOfError(err, 'udp'), rttMs: null, attempts, recognition: null };
  } finally {
    socket.close();
  }
}

function bindAndConnect(socket: Socket, opts: UdpProbeOptions, connected: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: opts.localAddress, port: 0 }, () => {
      if (!connected) {
        socket.removeListener('error', reject);
        return resolve();
      }
      socket.connect(opts.port, opts.address, () => {
        socket.removeListener('error', reject);
        resolve();
      });
    });
  });
}

function send(socket: Socket, request: Uint8Array, opts: UdpProbeOptions, connected: boolean): void {
  // Send errors (ECONNREFUSED from an earlier ICMP) arrive through the socket's 'error' event.
  const cb = (err: Error | null) => err && socket.emit('error', err);
  if (connected) socket.send(request, cb);
  else socket.send(request, opts.port, opts.address, cb);
}

type Settled = Omit<UdpProbeResult, 'attempts'>;

/** Collects the socket's events for the whole probe so a late reply to an earlier attempt still counts. */
function listen(socket: Socket, opts: UdpProbeOptions, connected: boolean) {
  let outcome: Settled | null = null;
  let wake: (() => void) | null = null;
  const state = {
    sentAt: 0,
    wait(timeoutMs: number): Promise<Settled | null> {
      return new Promise((resolve, reject) => {
        if (outcome) return resolve(outcome);
        const timer = setTimeout(() => finish(() => resolve(null)), timeoutMs);
        const onAbort = () => finish(() => reject(abortError()));
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          opts.signal.removeEventListener('abort', onAbort);
          wake = null;
          settle();
        };
        wake = () => finish(() => resolve(outcome));
        if (opts.signal.aborted) return onAbort();
        opts.signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
  const settle = (s: Settled) => {
    if (outcome?.recognition?.valid) return; // a confirmed reply is final
    outcome = s;
    wake?.();
  };
  socket.on('message', (msg, rinfo) => {
    // Unconnected sockets see any sender: accept only the target's address.
    if (!connected && rinfo.address !== opts.address) return;
    const recognition = safeRecognize(opts.module, msg, opts.ctx);
    const rttMs = performance.now() - state.sentAt;
    if (recognition.valid) settle({ state: 'open', reason: 'reply', rttMs, recognition, error: null });
    else if (!outcome) {
      // Something listens and answered, but not with the protocol we asked for: open, unconfirmed.
      settle({ state: 'open', reason: 'unrecognised-reply', rttMs, recognition, error: null });
    }
  });
  socket.on('error', (err) => {
    if (outcome) return;
    const o = outcomeOfError(err, 'udp');
    settle({ ...o, rttMs: performance.now() - state.sentAt, recognition: null });
  });
  return state;
}

function safeRecognize(module: UdpProtocol, msg: Buffer, ctx: ProbeContext): Recognition {
  try {
    return module.recognize(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), ctx);
  } catch (err) {
    return rejected(`parser error: ${(err as Error).message}`);
  }
}
