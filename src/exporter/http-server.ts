/**
 * The HTTP(S) server under `portolan exporter` and `portolan agent --metrics-listen`: the
 * exporter convention's listen address (`host:port`, `[v6]:port`, `:port` for every
 * address), the web config's TLS, client certificates and basic auth applied to every
 * request before any route runs, and bind failures turned into one line that says what to do.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { PortolanError } from '../errors.js';
import { addressHint, deniedHint, inUseHint } from '../responder/bind-hints.js';
import { basicAuth } from './basic-auth.js';
import type { ClientAuthType, WebConfig } from './web-config.js';

export interface ListenAddress {
  /** Null: every address of the host (`:10088`). */
  host: string | null;
  port: number;
}

/**
 * `127.0.0.1:10088`, `[::1]:10088` or `:10088` (every address), as Prometheus exporters take
 * `--web.listen-address`. @throws PortolanError INVALID_VALUE naming `field`
 */
export function parseListenAddress(text: string, field: string): ListenAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || !(port >= 0 && port <= 65_535)) {
    throw new PortolanError(
      'INVALID_VALUE',
      `${field} "${text}": expected HOST:PORT, [IPv6]:PORT or :PORT (every address), e.g. 127.0.0.1:10088`,
      { fields: [field] },
    );
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? null : host, port };
}

/** `host:port` as a URL authority (IPv6 in brackets). */
export function formatAddress(address: AddressInfo): string {
  return address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
}

/** Answers every request that passed authentication (routing is the caller's). */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export interface RunningServer {
  server: Server;
  /** Where it listens, as `host:port`. */
  address: string;
  /** `http` or `https`. */
  scheme: 'http' | 'https';
  close(): Promise<void>;
}

export interface ServeOptions {
  listen: ListenAddress;
  web: WebConfig;
  handler: Handler;
  /** Called for each request refused by authentication (a counter). */
  onUnauthorized?: () => void;
  /** The flag the listen address came from, for the bind error. */
  flag: string;
}

/** Start serving; resolves once listening. @throws PortolanError PORT_IN_USE, PORT_PRIVILEGED, ADDRESS_NOT_LOCAL, PORT_UNAVAILABLE */
export async function serve(opts: ServeOptions): Promise<RunningServer> {
  const { tls } = opts.web;
  const auth = opts.web.users.size > 0 ? basicAuth(opts.web.users) : null;
  const listener = async (req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(opts.web.headers)) res.setHeader(name, value);
    const url = new URL(req.url ?? '/', 'http://exporter.invalid');
    if (tls && !clientCertificateAccepted(req.socket as TLSSocket, tls.clientAuth)) {
      opts.onUnauthorized?.();
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('client certificate required\n');
      return;
    }
    if (auth && !(await auth.check(req.headers.authorization))) {
      opts.onUnauthorized?.();
      res
        .writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Basic realm="portolan"' })
        .end('Unauthorized\n');
      return;
    }
    try {
      await opts.handler(req, res, url);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`internal error: ${(err as Error).message}\n`);
    }
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void listener(req, res);
  const server = tls
    ? createHttpsServer(
        {
          cert: tls.cert,
          key: tls.key,
          ...(tls.ca ? { ca: tls.ca } : {}),
          minVersion: tls.minVersion,
          maxVersion: tls.maxVersion,
          requestCert: tls.clientAuth !== 'NoClientCert',
          // Verification failures are judged per request (clientCertificateAccepted), so the
          // "if given" types can accept a client without a certificate.
          rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
        },
        onRequest,
      )
    : createHttpServer(onRequest);
  // A slow or idle client must not hold a socket for long: Prometheus opens one per scrape.
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(bindError(err, opts)));
    server.listen({ port: opts.listen.port, ...(opts.listen.host ? { host: opts.listen.host } : {}) }, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  return {
    server,
    address: formatAddress(server.address() as AddressInfo),
    scheme: tls ? 'https' : 'http',
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** exporter-toolkit's client_auth_type, judged on the request's TLS socket. */
function clientCertificateAccepted(socket: TLSSocket, type: ClientAuthType): boolean {
  const presented = Object.keys(socket.getPeerCertificate?.() ?? {}).length > 0;
  switch (type) {
    case 'NoClientCert':
    case 'RequestClientCert':
      return true;
    case 'RequireAnyClientCert':
      return presented;
    case 'VerifyClientCertIfGiven':
      return !presented || socket.authorized;
    case 'RequireAndVerifyClientCert':
      return presented && socket.authorized;
  }
}

function bindError(err: NodeJS.ErrnoException, opts: ServeOptions): PortolanError {
  const shown = `${opts.flag} ${opts.listen.host ?? ''}:${opts.listen.port}`;
  const fields = { fields: [opts.flag], cause: err };
  switch (err.code) {
    case 'EADDRINUSE':
      return new PortolanError(
        'PORT_IN_USE',
        `${shown}: ${inUseHint(opts.listen.port, 'tcp', process.platform)}`,
        fields,
      );
    case 'EACCES':
      return new PortolanError(
        'PORT_PRIVILEGED',
        `${shown}: ${deniedHint(opts.listen.port, process.platform, err.message)}`,
        fields,
      );
    case 'EADDRNOTAVAIL':
      return new PortolanError(
        'ADDRESS_NOT_LOCAL',
        `${shown}: ${addressHint(opts.listen.host ?? '', process.platform)}`,
        fields,
      );
    default:
      return new PortolanError('PORT_UNAVAILABLE', `${shown}: ${err.message}`, fields);
  }
}
