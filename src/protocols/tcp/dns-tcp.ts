/**
 * DNS over TCP 53 (RFC 1035 §4.2.2; RFC 7766 says every DNS server must serve it).
 * Sends: the `dns` module's question, through the system `dig +tcp` where dig exists
 * (node-dig-dns), otherwise our own query with the 2-byte length prefix on a fresh connection.
 * Recognised: a DNS reply to our question (same id, QR set) over TCP.
 * Proves: the server answers DNS over TCP, which large answers, zone transfers and DNSSEC need.
 */
import { connect } from 'node:net';
import { concat, readU16be, u16be } from '../codec/bytes.js';
import { type DigContext, digLeg } from '../codec/dig.js';
import type { CustomProtocol, Recognition } from '../types.js';
import { dns } from '../udp/dns.js';
import { recognized, rejected } from '../udp/recognition.js';

const MAX_REPLY = 65_537;

export async function dnsOverTcp(ctx: DigContext, digPath?: string): Promise<Recognition> {
  try {
    const leg = await digLeg(ctx, true, { digPath });
    return leg.ok ? recognized([leg.text]) : rejected(leg.text);
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code !== 'ENOENT') throw err;
  }
  const reply = await exchange(ctx, dns.buildRequest(ctx));
  const result = dns.recognize(reply, ctx);
  return { ...result, evidence: [...result.evidence, 'over TCP (own query: dig is not installed)'] };
}

/** One length-prefixed query and reply on a fresh connection, bounded by the probe's signal. */
function exchange(ctx: DigContext, request: Uint8Array): Promise<Uint8Array> {
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

export const dnsTcp: CustomProtocol = {
  kind: 'custom',
  id: 'dns-tcp',
  transport: 'tcp',
  ports: [53],
  describe: 'DNS query over TCP (dig +tcp where installed, else our own); a reply proves DNS over TCP works',
  run: (ctx) => dnsOverTcp(ctx),
};
