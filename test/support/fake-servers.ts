/**
 * Loopback servers for engine tests: a TCP listener, a port that is certainly closed,
 * a UDP server with a reply function (or none: silent), all on 127.0.0.1 port 0.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';

export async function tcpListener(): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((socket) => socket.on('error', () => {}).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on: bind, read the port, close. */
export async function closedTcpPort(): Promise<number> {
  const l = await tcpListener();
  await l.close();
  return l.port;
}

export async function udpServer(
  reply: ((msg: Buffer) => Buffer | null) | null,
): Promise<{ port: number; received: Buffer[]; close: () => Promise<void> }> {
  const socket: UdpSocket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (msg, rinfo) => {
    received.push(msg);
    const answer = reply?.(msg);
    if (answer) socket.send(answer, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  return { port, received, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

export async function closedUdpPort(): Promise<number> {
  const s = await udpServer(null);
  await s.close();
  return s.port;
}

/** A port free for both TCP and UDP on 127.0.0.1 right now (the responder serves both on one number). */
export async function freeTcpUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = createServer();
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    const port = (tcp.address() as { port: number }).port;
    const udp = createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    tcp.close();
    if (ok) return port;
  }
  throw new Error('no port free for both TCP and UDP');
}
