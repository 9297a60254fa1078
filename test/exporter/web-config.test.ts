/**
 * `--web.config.file` in exporter-toolkit's format: loading and refusing, basic auth against
 * bcrypt hashes (as htpasswd and exporter-toolkit write them), and TLS with client
 * certificates on a real HTTPS server on 127.0.0.1.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { isPortolanError } from '../../src/errors.js';
import { basicAuth, hashPassword } from '../../src/exporter/basic-auth.js';
import { loadWebConfig } from '../../src/exporter/web-config.js';
import { makeCertificates } from '../support/tcp-fake-server.js';
import { PROMETHEUS_DIR, testExporter } from './support.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('exporter web config (exporter-toolkit format)', () => {
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'portolan-web-config-'));
    certs = makeCertificates();
    if (!certs) {
      console.log('    skipped: openssl is not installed (apt-get install openssl), so no test certificate');
      this.skip();
    }
    writeFileSync(join(dir, 'exporter.crt'), certs.current.cert);
    writeFileSync(join(dir, 'exporter.key'), certs.current.key);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  }

  async function problem(text: string): Promise<string> {
    try {
      await loadWebConfig(write('bad.yml', text));
    } catch (err) {
      expect(isPortolanError(err, 'CONFIG_INVALID'), String(err)).to.equal(true);
      return (err as Error).message;
    }
    return expect.fail('accepted');
  }

  it('loads the shipped example next to its certificate, reading paths from its own folder', async () => {
    copyFileSync(join(PROMETHEUS_DIR, 'web-config.yml'), join(dir, 'web-config.yml'));
    const web = await loadWebConfig(join(dir, 'web-config.yml'));
    expect(web.tls?.cert.toString()).to.equal(certs?.current.cert);
    expect(web.tls?.minVersion).to.equal('TLSv1.2');
    expect(web.tls?.clientAuth).to.equal('NoClientCert');
    expect([...web.users.keys()]).to.deep.equal(['prometheus']);
    expect(await basicAuth(web.users).check(basic('prometheus', 'change-me')), 'the documented password').to.equal(
      true,
    );
  });

  it('refuses what it does not implement, bad hashes, a missing file and a verifying client_auth_type without a CA', async () => {
    expect(
      await problem('tls_server_config:\n  cert_file: exporter.crt\n  key_file: exporter.key\n  cipher_suites: [x]\n'),
    ).to.match(/bad\.yml:4:3: unknown field "cipher_suites"/);
    expect(await problem('basic_auth_users:\n  alice: plaintext\n')).to.match(
      /bad\.yml:2:\d+: .*alice.*bcrypt|expected text matching/,
    );
    expect(await problem('tls_server_config:\n  cert_file: nope.crt\n  key_file: exporter.key\n')).to.match(
      /bad\.yml:2:\d+: cannot read nope\.crt/,
    );
    expect(
      await problem(
        'tls_server_config:\n  cert_file: exporter.crt\n  key_file: exporter.key\n  client_auth_type: RequireAndVerifyClientCert\n',
      ),
    ).to.match(/bad\.yml:4:3: client_auth_type RequireAndVerifyClientCert needs client_ca_file/);
    expect(
      await problem(
        'tls_server_config:\n  cert_file: exporter.crt\n  key_file: exporter.key\n  min_version: TLS13\n  max_version: TLS12\n',
      ),
    ).to.match(/min_version TLS13 is above max_version TLS12/);
  });

  it('basic auth: right password in, wrong password, unknown user and garbage out; htpasswd $2y$ hashes work', async () => {
    const hash = await hashPassword('s3cret');
    const htpasswdStyle = hash.replace(/^\$2b\$/, '$2y$');
    const auth = basicAuth(
      new Map([
        ['alice', hash],
        ['bob', htpasswdStyle],
      ]),
    );
    expect(await auth.check(basic('alice', 's3cret'))).to.equal(true);
    expect(await auth.check(basic('alice', 's3cret')), 'again, from the cache').to.equal(true);
    expect(await auth.check(basic('bob', 's3cret'))).to.equal(true);
    expect(await auth.check(basic('alice', 'wrong'))).to.equal(false);
    expect(await auth.check(basic('mallory', 's3cret'))).to.equal(false);
    expect(await auth.check(basic('alice', 's3cret:'))).to.equal(false);
    for (const header of [
      undefined,
      '',
      'Bearer x',
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from('nocolon').toString('base64')}`,
    ]) {
      expect(await auth.check(header), String(header)).to.equal(false);
    }
  });

  it('an exporter behind TLS and basic auth: 401 without credentials, metrics with them, nothing over plain HTTP', async () => {
    const hash = await hashPassword('s3cret');
    const file = write(
      'web.yml',
      `tls_server_config:\n  cert_file: exporter.crt\n  key_file: exporter.key\nhttp_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\nbasic_auth_users:\n  prometheus: ${hash}\n`,
    );
    const exporter = await testExporter({ web: await loadWebConfig(file) });
    try {
      expect(exporter.scheme).to.equal('https');
      const get = (authorization?: string) =>
        new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
          const req = request(
            `https://${exporter.address}/metrics`,
            { ca: certs?.current.cert, servername: 'localhost', headers: authorization ? { authorization } : {} },
            (res) => {
              let body = '';
              res.on('data', (c: Buffer) => {
                body += c.toString();
              });
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
            },
          );
          req.on('error', reject);
          req.end();
        });
      const anonymous = await get();
      expect(anonymous.status).to.equal(401);
      expect(anonymous.headers['www-authenticate']).to.match(/^Basic/);
      expect((await get(basic('prometheus', 'wrong'))).status).to.equal(401);
      const ok = await get(basic('prometheus', 's3cret'));
      expect(ok.status).to.equal(200);
      expect(ok.headers['x-content-type-options']).to.equal('nosniff');
      expect(ok.body).to.match(/^portolan_exporter_scrapes_refused_total\{reason="unauthorized"\} 2$/m);
      const plain = await fetch(`http://${exporter.address}/metrics`).then(
        (r) => r.status,
        () => 'refused',
      );
      expect(plain, 'plain HTTP on the TLS port').to.not.equal(200);
    } finally {
      await exporter.close();
    }
  });

  it('RequireAndVerifyClientCert: a client without a certificate cannot even finish the handshake', async () => {
    const file = write(
      'mtls.yml',
      'tls_server_config:\n  cert_file: exporter.crt\n  key_file: exporter.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: exporter.crt\n',
    );
    const exporter = await testExporter({ web: await loadWebConfig(file) });
    const call = (withCert: boolean) =>
      new Promise<number | string>((resolve) => {
        const req = request(
          `https://${exporter.address}/metrics`,
          {
            ca: certs?.current.cert,
            servername: 'localhost',
            ...(withCert ? { cert: certs?.current.cert, key: certs?.current.key } : {}),
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
        req.end();
      });
    try {
      expect(await call(false)).to.not.equal(200);
      // The self-signed server certificate doubles as the client CA and the client certificate.
      expect(await call(true)).to.equal(200);
    } finally {
      await exporter.close();
    }
  });
});
