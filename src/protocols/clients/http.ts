/**
 * One HTTP(S) exchange through undici for the custom HTTP modules: a fresh Agent per probe
 * (no pooled connection mixes targets or certificates), certificates accepted whatever
 * they are (we report them, we do not trust them), the peer certificate captured through
 * a wrapped `buildConnector`, the engine's `signal` and `localAddress` honoured.
 * Connection errors (refused, timeout, abort) propagate for the engine to classify.
 */
import { isIP } from 'node:net';
import { TLSSocket } from 'node:tls';
import { Agent, buildConnector, request } from 'undici';
import { tlsInfoFromSocket } from '../tls/certificate.js';
import type { CustomProbeContext, ProbeContext, TlsInfo } from '../types.js';

export interface HttpExchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  tls: TlsInfo | null;
}

export interface HttpRequest {
  tls: boolean;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
}

/** The body is read only to free the connection; a few KiB are enough. */
const BODY_LIMIT = 16 * 1024;

export function originOf(ctx: ProbeContext, tls: boolean): string {
  const host = isIP(ctx.address) === 6 ? `[${ctx.address}]` : ctx.address;
  return `${tls ? 'https' : 'http'}://${host}:${ctx.port}`;
}

export async function httpExchange(ctx: CustomProbeContext, req: HttpRequest): Promise<HttpExchange> {
  let tlsInfo: TlsInfo | null = null;
  const servername = isIP(ctx.target) === 0 ? ctx.target : undefined;
  const base = buildConnector({ rejectUnauthorized: false, timeout: ctx.timeoutMs });
  const agent = new Agent({
    localAddress: ctx.localAddress,
    headersTimeout: ctx.timeoutMs,
    bodyTimeout: ctx.timeoutMs,
    connect(opts, cb) {
      base({ ...opts, servername: servername ?? opts.servername }, (err, socket) => {
        if (err) return cb(err, null);
        if (socket instanceof TLSSocket) tlsInfo = tlsInfoFromSocket(socket);
        cb(null, socket);
      });
    },
  });
  try {
    // Host names the target as the user wrote it, so virtual-host bindings (IIS, HTTP.sys) apply.
    const host = isIP(ctx.target) === 6 ? `[${ctx.target}]` : ctx.target;
    const res = await request(`${originOf(ctx, req.tls)}${req.path}`, {
      method: req.method,
      headers: { host: `${host}:${ctx.port}`, ...req.headers },
      dispatcher: agent,
      signal: ctx.signal,
    });
    await res.body.dump({ limit: BODY_LIMIT }).catch(() => undefined);
    return { status: res.statusCode, headers: res.headers, tls: tlsInfo };
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

/** A header's values as one list (undici gives repeated headers as an array). */
export function headerValues(headers: HttpExchange['headers'], name: string): string[] {
  const v = headers[name.toLowerCase()];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Authentication schemes offered in WWW-Authenticate (RFC 9110 §11.6.1), e.g. ["Negotiate", "Basic"]. */
export function authSchemes(headers: HttpExchange['headers']): string[] {
  const schemes = headerValues(headers, 'www-authenticate')
    .flatMap((v) => v.split(','))
    .map((part) => part.trim().split(/\s+/)[0] ?? '')
    .filter((token) => /^[A-Za-z][\w.-]*$/.test(token));
  return [...new Set(schemes)];
}
