import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { authSchemes } from '../../../src/protocols/clients/http.js';
import { http as httpModule, https as httpsModule } from '../../../src/protocols/http/web.js';
import { winrmHttp, winrmHttps } from '../../../src/protocols/http/winrm.js';
import type { CustomProtocol } from '../../../src/protocols/types.js';
import { makeCertificates } from '../../support/tcp-fake-server.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(handler: Handler, tls?: { key: string; cert: string }) {
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

async function probe(
  module: CustomProtocol,
  handler: Handler,
  opts: { tls?: { key: string; cert: string }; timeoutMs?: number } = {},
) {
  const { server, port } = await serve(handler, opts.tls);
  const timeoutMs = opts.timeoutMs ?? 2000;
  try {
    return await module.run({
      target: 'localhost',
      address: '127.0.0.1',
      port,
      nonce: new Uint8Array(4),
      signal: AbortSignal.timeout(timeoutMs),
      localAddress: '127.0.0.1',
      timeoutMs,
    });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

/** HTTP.sys' answer to an anonymous POST /wsman on a domain member (probes.md B6). */
const winrmHandler =
  (seen: { method?: string; url?: string; host?: string }): Handler =>
  (req, res) => {
    Object.assign(seen, { method: req.method, url: req.url, host: req.headers.host });
    if (req.url !== '/wsman') {
      res.writeHead(404, { Server: 'Microsoft-HTTPAPI/2.0' }).end();
      return;
    }
    res.setHeader('Server', 'Microsoft-HTTPAPI/2.0');
    res.setHeader('WWW-Authenticate', ['Negotiate', 'Kerberos']);
    res.writeHead(401).end();
  };

describe('http/winrm: POST /wsman', () => {
  it('recognises 401 with Negotiate/Kerberos as the WinRM listener', async () => {
    const seen: { method?: string; url?: string; host?: string } = {};
    const r = await probe(winrmHttp, winrmHandler(seen));
    expect(seen.method).to.equal('POST');
    expect(seen.url).to.equal('/wsman');
    expect(seen.host).to.match(/^localhost:\d+$/);
    expect(r.valid).to.equal(true);
    expect(r.evidence).to.deep.equal([
      'WinRM listener on /wsman: HTTP 401; Server: Microsoft-HTTPAPI/2.0',
      'authentication: Negotiate, Kerberos',
    ]);
  });

  it('warns about Basic over plain HTTP', async () => {
    const r = await probe(winrmHttp, (_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="WSMAN", Negotiate' }).end();
    });
    expect(r.warnings).to.deep.equal(['WinRM offers Basic authentication over plain HTTP']);
  });

  it('does not take a 404 or an unauthenticated 200 for WinRM', async () => {
    const r404 = await probe(winrmHttp, (_req, res) => {
      res.writeHead(404, { Server: 'Microsoft-HTTPAPI/2.0' }).end('Not Found');
    });
    expect(r404.valid).to.equal(false);
    expect(r404.reason).to.match(/without a WinRM listener/);
    expect(r404.evidence).to.deep.equal(['HTTP 404; Server: Microsoft-HTTPAPI/2.0']);
    const r200 = await probe(winrmHttp, (_req, res) => {
      res.writeHead(200, { Server: 'nginx' }).end('hello');
    });
    expect(r200.valid).to.equal(false);
  });

  it('rejects (for the engine to classify) when the server never answers', async () => {
    const started = Date.now();
    await probe(winrmHttp, () => {}, { timeoutMs: 300 }).then(
      () => expect.fail('should reject'),
      (err: Error) => expect(err.name).to.match(/TimeoutError|AbortError/),
    );
    expect(Date.now() - started).to.be.below(1500);
  });

  it('parses scheme tokens, not parameters', () => {
    expect(
      authSchemes({ 'www-authenticate': ['Basic realm="WSMAN", charset="UTF-8"', 'Negotiate abc=='] }),
    ).to.deep.equal(['Basic', 'Negotiate']);
  });
});

describe('http/web and WinRM over TLS', () => {
  const certs = makeCertificates();
  before(function () {
    if (!certs) {
      console.log('      (skipped: needs the openssl command, Debian package openssl)');
      this.skip();
    }
  });

  it('http: reports the status and Server header', async () => {
    const r = await probe(httpModule, (_req, res) => {
      res.writeHead(200, { Server: 'Microsoft-IIS/10.0' }).end('<html></html>');
    });
    expect(r).to.deep.equal({ valid: true, evidence: ['HTTP 200; Server: Microsoft-IIS/10.0'] });
  });

  it('https: adds the certificate read through undici', async () => {
    if (!certs) return;
    const r = await probe(
      httpsModule,
      (_req, res) => {
        res.writeHead(403, { Server: 'Microsoft-IIS/10.0' }).end();
      },
      { tls: certs.current },
    );
    expect(r.valid).to.equal(true);
    expect(r.evidence[0]).to.equal('HTTP 403; Server: Microsoft-IIS/10.0');
    expect(r.evidence).to.include('certificate is self-signed');
    expect(r.warnings).to.equal(undefined);
  });

  it('winrm-https: WinRM evidence plus an expired-certificate warning', async () => {
    if (!certs) return;
    const r = await probe(winrmHttps, winrmHandler({}), { tls: certs.expired });
    expect(r.valid).to.equal(true);
    expect(r.evidence.join('\n')).to.include('CN=old.example.test');
    expect(r.warnings?.some((w) => w.startsWith('certificate expired'))).to.equal(true);
    expect(r.warnings).to.include('certificate does not name localhost');
  });
});
