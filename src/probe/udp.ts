/**
 * UDP probe with a real protocol request. A connected socket makes the kernel report ICMP
 * errors (port unreachable -> ECONNREFUSED -> `closed`); a datagram the protocol module
 * recognises -> `open`/reply; any other datagram from the target -> `open` with "unrecognised
 * reply" (something listens, we did not confirm what); silence after every attempt ->
 * `open|filtered`. When each datagram goes out is the host's schedule's call
 * (udp-schedule.ts): it paces them to the host's ICMP rate limit.
 *
 * Protocols whose server answers from another port (TFTP, L2TP) keep both paths: the request
 * goes out through a socket connected to the server's port, which hears the ICMP error, and a
 * second socket bound to the same local port (SO_REUSEADDR) but unconnected receives the
 * answer from the server's new port; the kernel hands a datagram to the connected socket only
 * when it comes from the address and port it is connected to. Where ICMP is unseen anyway
 * (Windows, see platform/probe-limits.ts), one unconnected socket does.
 */

import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ProbeState, Reason } from '../model.js';
import { rejected } from '../protocols/recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../protocols/types.js';
import { ABORTED, outcomeOfError } from './outcome.js';
import type { UdpAnswer, UdpHostSchedule } from './udp-schedule.js';

export interface UdpProbeOptions {
  address: string;
  port: number;
  module: UdpProtocol;
  ctx: ProbeContext;
  localAddress?: string;
  signal: AbortSignal;
  /** The target address's schedule: when each datagram goes, and when silence counts. */
  schedule: UdpHostSchedule;
  /** The platform hears ICMP errors on a connected socket. @default true */
  icmpVisible?: boolean;
}

export interface UdpProbeResult {
  state: ProbeState;
  reason: Reason;
  rttMs: number | null;
  attempts: number;
  recognition: Recognition | null;
  error: string | null;
}

type Settled = Omit<UdpProbeResult, 'attempts'>;

/** Reasons that mean an ICMP error came back: the host (or a firewall) spent a token on it. */
const ICMP_REASONS: ReadonlySet<Reason> = new Set([
  'icmp-port-unreachable',
  'icmp-unreachable',
  'icmp-admin-prohibited',
]);

export async function udpProbe(opts: UdpProbeOptions): Promise<UdpProbeResult> {
  let sockets: Socket[] = [];
  try {
    const opened = await openSockets(opts);
    sockets = opened.sockets;
    const { sender, connected } = opened;
    const request = opts.module.buildRequest(opts.ctx);
    let sentAt = 0;
    let answer: (s: Settled, how: UdpAnswer) => void = () => {};
    const answered = new Promise<Settled>((resolve) => {
      answer = (s, how) => {
        ticket.answered(how);
        resolve(s);
      };
    });
    listen(opened, opts, () => sentAt, answer);
    const ticket = opts.schedule.join(() => {
      sentAt = performance.now();
      // Send errors (ECONNREFUSED from an earlier ICMP) arrive through the socket's 'error' event.
      const done = (err: Error | null) => err && sender.emit('error', err);
      if (connected) sender.send(request, done);
      else sender.send(request, opts.port, opts.address, done);
    });
    const settled = await Promise.race([answered, ticket.ended]);
    const attempts = ticket.attempts;
    if (settled === 'silent') {
      return { state: 'open|filtered', reason: 'no-reply', rttMs: null, attempts, recognition: null, error: null };
    }
    if (settled === 'aborted') return { ...ABORTED, rttMs: null, attempts, recognition: null };
    return { ...settled, attempts };
  } catch (err) {
    return { ...outcomeOfError(err, 'udp'), rttMs: null, attempts: 0, recognition: null };
  } finally {
    for (const s of sockets) s.close();
  }
}

interface Opened {
  /** Every socket of the probe (closed at its end). */
  sockets: Socket[];
  /** The one the request goes out through. */
  sender: Socket;
  /** The sender is connected to the target's port (it hears ICMP errors). */
  connected: boolean;
  /** The socket that hears answers from any port of the target, if there is one. */
  unconnected: Socket | null;
}

/** The sockets of one probe: see the header. */
async function openSockets(opts: UdpProbeOptions): Promise<Opened> {
  const type = isIPv6(opts.address) ? 'udp6' : 'udp4';
  if (!opts.module.replyFromOtherPort) {
    const socket = createSocket({ type });
    await bind(socket, opts.localAddress, 0).catch((err) => close(err, socket));
    await connect(socket, opts).catch((err) => close(err, socket));
    return { sockets: [socket], sender: socket, connected: true, unconnected: null };
  }
  const replies = createSocket({ type, reuseAddr: true });
  await bind(replies, opts.localAddress, 0).catch((err) => close(err, replies));
  if (opts.icmpVisible === false)
    return { sockets: [replies], sender: replies, connected: false, unconnected: replies };
  const sender = createSocket({ type, reuseAddr: true });
  await bind(sender, opts.localAddress, replies.address().port).catch((err) => close(err, sender, replies));
  await connect(sender, opts).catch((err) => close(err, sender, replies));
  return { sockets: [sender, replies], sender, connected: true, unconnected: replies };
}

/** Closes the sockets a failed setup opened, and passes its error on. */
function close(err: unknown, ...sockets: Socket[]): never {
  for (const s of sockets) s.close();
  throw err;
}

function bind(socket: Socket, address: string | undefined, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port }, () => {
      socket.removeListener('error', reject);
      resolve();
    });
  });
}

function connect(socket: Socket, opts: UdpProbeOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    // A failed connect (ENETUNREACH: no route) goes to this callback, not to 'error'.
    socket.connect(opts.port, opts.address, (err?: Error) => {
      socket.removeListener('error', reject);
      if (err) reject(err);
      else resolve();
    });
  });
}

/** Collects the sockets' events for the whole probe, so a late reply to an earlier datagram still counts. */
function listen(
  { sockets, unconnected }: Opened,
  opts: UdpProbeOptions,
  sentAt: () => number,
  answer: (s: Settled, how: UdpAnswer) => void,
): void {
  let done = false;
  const settle = (s: Settled, how: UdpAnswer) => {
    if (done) return;
    done = true;
    answer(s, how);
  };
  for (const socket of sockets) {
    socket.on('message', (msg, rinfo) => {
      // The unconnected socket hears any sender: only the target's address counts.
      if (socket === unconnected && rinfo.address !== opts.address) return;
      const recognition = safeRecognize(opts.module, msg, opts.ctx);
      const rttMs = performance.now() - sentAt();
      // Something that answered, but not with the protocol asked for, is open but unconfirmed.
      const reason = recognition.valid ? 'reply' : 'unrecognised-reply';
      settle({ state: 'open', reason, rttMs, recognition, error: null }, 'reply');
    });
    socket.on('error', (err) => {
      const o = outcomeOfError(err, 'udp');
      settle(
        { ...o, rttMs: performance.now() - sentAt(), recognition: null },
        ICMP_REASONS.has(o.reason) ? 'icmp' : 'error',
      );
    });
  }
}

function safeRecognize(module: UdpProtocol, msg: Buffer, ctx: ProbeContext): Recognition {
  try {
    return module.recognize(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), ctx);
  } catch (err) {
    return rejected(`parser error: ${(err as Error).message}`);
  }
}
