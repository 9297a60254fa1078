/**
 * One DNS message over TCP on a fresh connection (RFC 1035 §4.2.2: a 2-byte length prefix),
 * for the `dns-tcp` module when `dig` is not installed. Bounded by the probe's signal and by
 * the largest message the prefix can announce.
 */
import { connect } from 'node:net';
import { concat, readU16be, u16be } from '../codec/bytes.js';
import type { CustomProbeContext } from '../types.js';

const MAX_REPLY = 65_537;

/** Send `request` length-prefixed and resolve with the reply's message (empty when the server closes first). */
export function dnsExchangeOverTcp(ctx: CustomProbeContext, request: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ctx.address, port: ctx.port, localAddress: ctx.localAddress });
    let buffered = Buffer.alloc(0);
    const done = (fn: () => void) => {
      ctx.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      fn();
    };
    const onAbort = () => done(() => reject(new Error('no DNS reply over TCP before the deadline')));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => socket.write(concat(u16be(request.length), request)));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const length = readU16be(buffered, 0);
      if (length !== null && buffered.length >= 2 + length) done(() => resolve(buffered.subarray(2, 2 + length)));
      else if (buffered.length > MAX_REPLY) done(() => reject(new Error('DNS reply over TCP too large')));
    });
    socket.on('end', () => done(() => resolve(new Uint8Array(0))));
    socket.on('error', (err) => done(() => reject(err)));
  });
}
