/**
 * HTTP and HTTPS (IIS, SharePoint, HTTP.sys apps) on 80/443 (probes.md B9): GET / and
 * report the status line and `Server` header; over TLS also the certificate. Any HTTP
 * response is recognised. WinRM lives in `winrm.ts`.
 */

import { type HttpExchange, headerValues, httpExchange } from '../clients/http.js';
import { printable } from '../codec/bytes.js';
import { recognized, withFacts } from '../recognition.js';
import { certificateEvidence } from '../tls/certificate.js';
import type { CustomProbeContext, CustomProtocol, Recognition } from '../types.js';

/** "HTTP 200; Server: Microsoft-IIS/10.0" */
export function serverLine(res: HttpExchange): string {
  const server = headerValues(res.headers, 'server')[0];
  return `HTTP ${res.status}${server ? `; Server: ${printable(new TextEncoder().encode(server), 120)}` : ''}`;
}

/** Certificate evidence merged into a recognition, when the exchange ran over TLS. */
export function withCertificate(r: Recognition, res: HttpExchange, ctx: CustomProbeContext): Recognition {
  if (!res.tls) return r;
  return withFacts(r, certificateEvidence(res.tls, ctx.target));
}

function webModule(id: string, ports: number[], tls: boolean): CustomProtocol {
  return {
    kind: 'custom',
    id,
    transport: 'tcp',
    ports,
    describe: `GET / over ${tls ? 'HTTPS' : 'HTTP'}; recognised: any HTTP response (status and Server header reported)`,
    async run(ctx) {
      const res = await httpExchange(ctx, { tls, method: 'GET', path: '/' });
      return withCertificate(recognized([serverLine(res)]), res, ctx);
    },
  };
}

export const http = webModule('http', [80], false);
export const https = webModule('https', [443], true);
