/**
 * The responder server behind `portolan listen`: one TCP listener and one UDP socket per
 * port, each answering responder probes (answer.ts), so `portolan check --responder` can
 * prove a path end to end before the real service exists.
 *
 * Bounded on purpose, because it listens on many ports of a server-to-be:
 * - at most `maxConnections` TCP connections at once and `maxConnectionsPerSource` from one
 *   address; when all are taken, a newcomer from an address holding fewer than the busiest
 *   one takes the busiest one's oldest connection, so one client (or a few) cannot hold
 *   every slot; each connection must deliver its probe within `deadlineMs` of connecting
 *   (an absolute deadline: trickling one byte at a time does not extend it), and each reads
 *   at most one probe;
 * - UDP datagrams of any other length than a probe are dropped unread;
 * - UDP replies are rate-limited per source and globally, with a budget of their own for
 *   probes whose mac does not verify (answer.ts, guard.ts), and no reply is larger than the
 *   probe, so the responder cannot be used as an amplifier;
 * - the record of who reached what is capped in sources and in hits.
 *
 * A port that cannot be opened is reported with why (in use and by whom, privileged,
 * address not local) and the rest are served anyway.
 *
 * Caveat: Node cannot choose the source address of a UDP reply, so on a host with several
 * addresses a socket bound to the wildcard may answer from another address than the client
 * asked, and a connected client socket drops that reply. Bind to one address (`bind`) there.
 */

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import type { PortolanErrorCode } from '../errors.js';
import { type AnswerOptions, ProbeAnswerer, type ProbeOutcome } from './answer.js';
import { addressHint, deniedHint, inUseHint } from './bind-hints.js';
import { hasMagicPrefix, PROBE_LENGTH, type ResponderTransport } from './handshake.js';
import { findPortOwners, type PortKey } from './port-owner.js';

export interface PortRequest {
  transport: ResponderTransport;
  port: number;
  /** What the port is for, shown in the served table. */
  uses?: string[];
  /** How the port was chosen ("sample of 49152-65535"). */
  note?: string;
}

/** Why a port could not be opened: the error model's codes for it. */
export type OpenFailureCode = Extract<
  PortolanErrorCode,
  'PORT_IN_USE' | 'PORT_PRIVILEGED' | 'ADDRESS_NOT_LOCAL' | 'PORT_UNAVAILABLE'
>;

export interface ServedPort {
  transport: ResponderTransport;
  port: number;
  uses: string[];
  note?: string;
  /** `null` when the port is served. */
  failure: { code: OpenFailureCode; message: string } | null;
}

/**
 * `contact`: something reached the port but did not complete a probe (a plain TCP connect
 * such as Test-NetConnection, a foreign datagram, a replay, a rate-limited probe).
 */
export type HitOutcome = 'verified' | 'wrong-token' | 'clock-skew' | 'contact';

export interface Hit {
  atMs: number;
  source: string;
  transport: ResponderTransport;
  port: number;
  outcome: HitOutcome;
}

export interface ResponderStats {
  /** Every outcome of a complete probe. */
  probes: Record<ProbeOutcome, number>;
  /** TCP connections closed at once: over the per-source cap, or over the global cap with no fairer victim. */
  connectionsRefused: number;
  /** TCP connections closed to make room for a source holding fewer (fair share under the global cap). */
  connectionsEvicted: number;
  /** TCP connections closed because the probe did not arrive before the deadline. */
  connectionsExpired: number;
  /** Hits not kept in `hits` because it was full. */
  hitsDropped: number;
}

export interface ResponderOptions extends AnswerOptions {
  /** Local address to listen on. @default '0.0.0.0' */
  bind?: string;
  ports: PortRequest[];
  /** Open TCP connections at once, all ports together. @default 256 */
  maxConnections?: number;
  /** Open TCP connections from one address, all ports together (a client probes 32 at a time by default). @default 64 */
  maxConnectionsPerSource?: number;
  /** A TCP connection must deliver its whole probe this long after it connected, however it trickles. @default 5000 */
  deadlineMs?: number;
  /** Hits kept in `hits`. @default 10000 */
  maxHits?: number;
  /** Sources tracked in `reach`. @default 1024 */
  maxSources?: number;
  /** @default Date.now */
  clock?: () => number;
  /** Called for every hit kept (the live view, the JSON stream). */
  onHit?: (hit: Hit) => void;
}

export interface Responder {
  /** Every requested port, in request order, with `failure` set where it could not be opened. */
  served: ServedPort[];
  /** Replied probes, and the first contact of each source on each port. */
  hits: Hit[];
  /** Per port ("389/tcp"), the best outcome each source reached. */
  reach: Map<PortKey, Map<string, HitOutcome>>;
  stats: ResponderStats;
  close(): Promise<void>;
}

const RANK: Record<HitOutcome, number> = { contact: 0, 'clock-skew': 1, 'wrong-token': 2, verified: 3 };
const REPLIED: Partial<Record<ProbeOutcome, HitOutcome>> = {
  verified: 'verified',
  'wrong-token': 'wrong-token',
  'clock-skew': 'clock-skew',
};

/** IPv4 clients of a dual-stack socket show up as ::ffff:a.b.c.d. */
const plainAddress = (address: string | undefined): string => (address ?? '?').replace(/^::ffff:(?=\d+\.)/, '');

function failureFor(err: NodeJS.ErrnoException, req: PortRequest, bind: string): ServedPort['failure'] {
  switch (err.code) {
    case 'EADDRINUSE':
      return { code: 'PORT_IN_USE', message: 'in use by another program' };
    case 'EACCES':
      return { code: 'PORT_PRIVILEGED', message: deniedHint(req.port, process.platform, err.message) };
    case 'EADDRNOTAVAIL':
      return { code: 'ADDRESS_NOT_LOCAL', message: addressHint(bind, process.platform) };
    default:
      return { code: 'PORT_UNAVAILABLE', message: err.message };
  }
}

/** Where the OS names the holder, say who; otherwise say how to find out. */
async function nameOwners(served: ServedPort[]): Promise<void> {
  const inUse = served.filter((s) => s.failure?.code === 'PORT_IN_USE');
  const owners = await findPortOwners(inUse);
  for (const s of inUse) {
    const who = owners.get(`${s.port}/${s.transport}`);
    if (!s.failure) continue;
    s.failure.message = who?.length ? `in use by ${who.join(', ')}` : inUseHint(s.port, s.transport, process.platform);
  }
}

export async function startResponder(opts: ResponderOptions): Promise<Responder> {
  const clock = opts.clock ?? Date.now;
  const bind = opts.bind ?? '0.0.0.0';
  const maxConnections = opts.maxConnections ?? 256;
  const maxPerSource = opts.maxConnectionsPerSource ?? 64;
  const deadlineMs = opts.deadlineMs ?? 5000;
  const maxHits = opts.maxHits ?? 10_000;
  const maxSources = opts.maxSources ?? 1024;
  const answerer = new ProbeAnswerer(opts, clock());

  const hits: Hit[] = [];
  const reach = new Map<PortKey, Map<string, HitOutcome>>();
  const sourcesSeen = new Set<string>();
  const stats: ResponderStats = {
    probes: { verified: 0, 'wrong-token': 0, 'clock-skew': 0, replay: 0, 'rate-limited': 0, malformed: 0 },
    connectionsRefused: 0,
    connectionsEvicted: 0,
    connectionsExpired: 0,
    hitsDropped: 0,
  };

  function record(source: string, transport: ResponderTransport, port: number, outcome: HitOutcome): void {
    if (!sourcesSeen.has(source)) {
      if (sourcesSeen.size >= maxSources) return;
      sourcesSeen.add(source);
    }
    const key: PortKey = `${port}/${transport}`;
    const bySource = reach.get(key) ?? new Map<string, HitOutcome>();
    reach.set(key, bySource);
    const prior = bySource.get(source);
    if (prior === undefined || RANK[outcome] > RANK[prior]) bySource.set(source, outcome);
    // A contact is news only the first time; every reply is a hit (the rate limit bounds them).
    if (outcome === 'contact' && prior !== undefined) return;
    const hit: Hit = { atMs: clock(), source, transport, port, outcome };
    if (hits.length >= maxHits) stats.hitsDropped++;
    else hits.push(hit);
    opts.onHit?.(hit);
  }

  function handle(bytes: Uint8Array, transport: ResponderTransport, port: number, source: string): Uint8Array | null {
    const { outcome, reply } = answerer.answer(bytes, { transport, port, source, nowMs: clock() });
    stats.probes[outcome]++;
    record(source, transport, port, REPLIED[outcome] ?? 'contact');
    return reply;
  }

  const sockets = new Set<Socket>();
  /** Open connections per source address, oldest first. */
  const bySource = new Map<string, Set<Socket>>();
  const tcpServers: Server[] = [];
  const udpSockets: UdpSocket[] = [];

  /** Room for a connection from `source`: false to refuse it; may close the busiest source's oldest connection. */
  function admit(source: string): boolean {
    const own = bySource.get(source)?.size ?? 0;
    if (own >= maxPerSource) return false;
    if (sockets.size < maxConnections) return true;
    let busiest: Set<Socket> | null = null;
    for (const held of bySource.values()) if (!busiest || held.size > busiest.size) busiest = held;
    if (!busiest || busiest.size <= own + 1) return false;
    const oldest = busiest.values().next().value as Socket;
    release(oldest);
    oldest.destroy();
    stats.connectionsEvicted++;
    return true;
  }

  function release(socket: Socket): void {
    if (!sockets.delete(socket)) return;
    const source = plainAddress(socket.remoteAddress);
    const held = bySource.get(source);
    held?.delete(socket);
    if (held?.size === 0) bySource.delete(source);
  }

  function onConnection(socket: Socket, port: number): void {
    const source = plainAddress(socket.remoteAddress);
    if (!admit(source)) {
      stats.connectionsRefused++;
      socket.destroy();
      return;
    }
    sockets.add(socket);
    bySource.set(source, (bySource.get(source) ?? new Set()).add(socket));
    const probe = new Uint8Array(PROBE_LENGTH);
    let got = 0;
    // Absolute: data does not push it back, so trickling bytes cannot hold the connection.
    const deadline = setTimeout(() => {
      stats.connectionsExpired++;
      socket.destroy();
    }, deadlineMs);
    socket.on('close', () => {
      clearTimeout(deadline);
      release(socket);
      // A connection that never completed a probe (Test-NetConnection, a port scan) still shows the path.
      if (got < PROBE_LENGTH) record(source, 'tcp', port, 'contact');
    });
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      const take = Math.min(PROBE_LENGTH - got, chunk.length);
      probe.set(chunk.subarray(0, take), got);
      got += take;
      if (!hasMagicPrefix(probe.subarray(0, got))) {
        stats.probes.malformed++;
        socket.destroy();
      } else if (got === PROBE_LENGTH) {
        clearTimeout(deadline);
        socket.removeAllListeners('data');
        socket.pause();
        const reply = handle(probe, 'tcp', port, source);
        if (reply) socket.end(reply);
        else socket.end();
        // A peer that never reads our reply cannot keep the connection either.
        socket.setTimeout(deadlineMs, () => socket.destroy());
      }
    });
  }

  function openTcp(req: PortRequest): Promise<NodeJS.ErrnoException | null> {
    return new Promise((resolve) => {
      const server = createServer((socket) => onConnection(socket, req.port));
      server.once('error', resolve);
      server.listen({ host: bind, port: req.port, exclusive: true }, () => {
        server.removeListener('error', resolve);
        server.on('error', () => {});
        tcpServers.push(server);
        resolve(null);
      });
    });
  }

  function openUdp(req: PortRequest): Promise<NodeJS.ErrnoException | null> {
    return new Promise((resolve) => {
      const socket = createSocket({ type: isIPv6(bind) ? 'udp6' : 'udp4' });
      socket.on('message', (msg, rinfo) => {
        const source = plainAddress(rinfo.address);
        if (msg.length !== PROBE_LENGTH) {
          stats.probes.malformed++;
          record(source, 'udp', req.port, 'contact');
          return;
        }
        const reply = handle(msg, 'udp', req.port, source);
        if (reply) socket.send(reply, rinfo.port, rinfo.address);
      });
      socket.once('error', (err) => {
        socket.close();
        resolve(err);
      });
      socket.bind({ address: bind, port: req.port, exclusive: true }, () => {
        socket.removeAllListeners('error');
        // Send errors (an ICMP unreachable for a reply) must not end the responder.
        socket.on('error', () => {});
        udpSockets.push(socket);
        resolve(null);
      });
    });
  }

  const served: ServedPort[] = await Promise.all(
    opts.ports.map(async (req) => {
      const err = await (req.transport === 'tcp' ? openTcp(req) : openUdp(req));
      return {
        transport: req.transport,
        port: req.port,
        uses: req.uses ?? [],
        ...(req.note ? { note: req.note } : {}),
        failure: err ? failureFor(err, req, bind) : null,
      };
    }),
  );
  await nameOwners(served);

  let closing: Promise<void> | null = null;
  const close = () => {
    if (!closing) {
      for (const socket of sockets) socket.destroy();
      closing = Promise.all([
        ...tcpServers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
        ...udpSockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      ]).then(() => undefined);
    }
    return closing;
  };

  return { served, hits, reach, stats, close };
}
