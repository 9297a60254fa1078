/**
 * WinRM on 5985 (HTTP) and 5986 (HTTPS) (probes.md B6; MS-WSMV 2.2.9.1.1). Sends an
 * empty, unauthenticated POST /wsman. Recognised: 401 with WWW-Authenticate offering
 * Negotiate, Kerberos, Basic or CredSSP — the WinRM listener asking for credentials.
 * A 404 means HTTP.sys without a WinRM listener on /wsman: an HTTP server, not WinRM.
 */

import { authSchemes, httpExchange } from '../clients/http.js';
import { recognized, rejected } from '../recognition.js';
import type { CustomProtocol } from '../types.js';
import { serverLine, withCertificate } from './web.js';

const WINRM_SCHEMES = ['negotiate', 'kerberos', 'basic', 'credssp'];

function winrmModule(id: string, port: number, tls: boolean): CustomProtocol {
  return {
    kind: 'custom',
    id,
    transport: 'tcp',
    ports: [port],
    describe: `empty POST /wsman over ${tls ? 'HTTPS' : 'HTTP'}; recognised: 401 with Negotiate/Kerberos/Basic/CredSSP`,
    async run(ctx) {
      const res = await httpExchange(ctx, {
        tls,
        method: 'POST',
        path: '/wsman',
        headers: { 'content-type': 'application/soap+xml;charset=UTF-8', 'content-length': '0' },
      });
      const schemes = authSchemes(res.headers);
      const line = serverLine(res);
      const winrm = res.status === 401 && schemes.some((s) => WINRM_SCHEMES.includes(s.toLowerCase()));
      if (winrm) {
        const warnings =
          schemes.some((s) => s.toLowerCase() === 'basic') && !tls
            ? ['WinRM offers Basic authentication over plain HTTP']
            : [];
        return withCertificate(
          recognized([`WinRM listener on /wsman: ${line}`, `authentication: ${schemes.join(', ')}`], warnings),
          res,
          ctx,
        );
      }
      const reason =
        res.status === 404
          ? 'HTTP 404 on POST /wsman: an HTTP server without a WinRM listener'
          : `not a WinRM answer (${line})`;
      return withCertificate(rejected(reason, { evidence: [line] }), res, ctx);
    },
  };
}

export const winrmHttp = winrmModule('winrm-http', 5985, false);
export const winrmHttps = winrmModule('winrm-https', 5986, true);
