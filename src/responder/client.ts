/**
 * A minimal client for one responder probe over a real socket, without the probe engine:
 * for the responder's own tests and the network lab. It drives the same modules the engine
 * uses (modules.ts) and owns only a timeout.
 */

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { rejected } from '../protocols/recognition.js';
import type { ProbeContext, Recognition, StreamIO } from '../protocols/types.js';
import { responderTcpModule, responderUdpModule } from './modules.js';

export interface ProbeTarget {
  address: string;
  port: number;
  token: string;
  /** @default 1000 */
  timeoutMs?: number;
  /** Reuse a nonce (replay tests); a fresh one by default. */
  nonce?: Uint8Array;
  /** Local address to send from (lab namespaces). */
  localAddress?: string;
}

/** `silence`: UDP got no reply; `refused` / `timeout`: the transport failed before a reply. */
export type ClientResult = Recognition | { valid: false; reason: 'silence' | 'refused' | 'timeout'; evidence: [] };

function contextFor(t: ProbeTarget): ProbeContext {
  return { target: t.address, address: t.address, port: t.port, nonce: t.nonce ?? randomBytes(16) };
}

export function probeUdp(t: ProbeTarget): Promise<ClientResult> {
  const module = responderUdpModule(t.token);
  const ctx = contextFor(t);
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(t.address) ? 'udp6' : 'udp4');
    const finish = (result: ClientResult) => {
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(() => finish(rejected('silence')), t.timeoutMs ?? 1000);
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish(err.code === 'ECONNREFUSED' ? rejected('refused') : recognitionError(err)),
    );
    socket.on('message', (msg) => finish(module.recognize(msg, ctx)));
    socket.bind({ address: t.localAddress }, () =>
      socket.connect(t.port, t.address, () => socket.send(module.buildRequest(ctx))),
    );
  });
}

const recognitionError = (err: Error): Recognition => rejected(err.message);

export function probeTcp(t: ProbeTarget): Promise<ClientResult> {
  const module = responderTcpModule(t.token);
  const ctx = contextFor(t);
  return new Promise((resolve) => {
    const socket = connect({ host: t.address, port: t.port, localAddress: t.localAddress });
    let buffered: Buffer = Buffer.alloc(0);
    let waiting: (() => void) | null = null;
    let ended = false;
    const finish = (result: ClientResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(rejected('timeout')), t.timeoutMs ?? 1000);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      waiting?.();
    });
    socket.on('end', () => {
      ended = true;
      waiting?.();
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish(err.code === 'ECONNREFUSED' ? rejected('refused') : recognitionError(err)),
    );
    const io: StreamIO = {
      write: (bytes) => socket.write(bytes),
      read: (complete, maxBytes = 1 << 20) =>
        new Promise((done, fail) => {
          waiting = () => {
            if (buffered.length > maxBytes) return fail(new Error(`more than ${maxBytes} bytes buffered`));
            const n = buffered.length ? complete(buffered) : 0;
            if (n > 0 || ended) {
              waiting = null;
              const out = n > 0 ? buffered.subarray(0, n) : buffered;
              buffered = buffered.subarray(out.length);
              done(out);
            }
          };
          waiting();
        }),
    };
    socket.on('connect', () => {
      module.converse(io, ctx).then(finish, (err: Error) => finish(recognitionError(err)));
    });
  });
}
