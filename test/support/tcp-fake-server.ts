/**
 * Fake TCP servers on 127.0.0.1 port 0 for the protocol module tests. A script answers the
 * n-th request (one `data` event: the modules write each request at once and wait for the
 * reply) with the n-th entry: bytes, several chunks, `close`, or nothing (silence).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

/** Bytes; a sequence of chunks, where `close` ends the connection after what came before; or silence. */
export type Reply = Uint8Array | (Uint8Array | 'close')[] | 'close' | 'silent';

export interface FakeServer {
  port: number;
  /** Every request received, per connection in order. */
  requests: Uint8Array[];
  close(): Promise<void>;
}

export interface FakeOptions {
  /** Bytes sent right after accept, before any request (banners, ncacn_http). */
  greeting?: Reply;
  /** Replies to the 1st, 2nd ... request. */
  replies?: Reply[];
  /** TLS key and certificate (PEM) to serve TLS instead of plain TCP. */
  tls?: { key: string; cert: string };
}

function send(socket: net.Socket, reply: Reply | undefined): void {
  if (reply === undefined || reply === 'silent') return;
  for (const chunk of Array.isArray(reply) ? reply : [reply]) {
    if (chunk === 'close') socket.end();
    else socket.write(chunk);
  }
}

export async function fakeServer(opts: FakeOptions): Promise<FakeServer> {
  const requests: Uint8Array[] = [];
  const sockets = new Set<net.Socket>();
  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let n = 0;
    send(socket, opts.greeting);
    socket.on('data', (chunk: Buffer) => {
      requests.push(new Uint8Array(chunk));
      send(socket, opts.replies?.[n++]);
    });
  };
  const server = opts.tls
    ? tls.createServer({ key: opts.tls.key, cert: opts.tls.cert }, onConnection)
    : net.createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Hex text (spaces and newlines allowed) to bytes. */
export function fromHex(text: string): Uint8Array {
  const h = text.replace(/\s+/g, '');
  return Uint8Array.from({ length: h.length / 2 }, (_, i) => Number.parseInt(h.slice(i * 2, i * 2 + 2), 16));
}

export interface KeyPair {
  key: string;
  cert: string;
}

/**
 * Certificates made with Debian's `openssl` in a temp dir: a self-signed `localhost` one
 * (SAN DNS:localhost, IP:127.0.0.1, 30 days) and one that expired in 2020 (signed with
 * `openssl ca -startdate/-enddate`, since OpenSSL 3.0 has no -not_after). Null without openssl.
 */
export function makeCertificates(): { current: KeyPair; expired: KeyPair } | null {
  const dir = mkdtempSync(join(tmpdir(), 'portolan-tls-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    run([
      'req',
      '-x509',
      ...ec,
      '-days',
      '30',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      'k1.pem',
      '-out',
      'c1.pem',
    ]);
    run(['req', '-new', ...ec, '-subj', '/CN=old.example.test', '-keyout', 'k2.pem', '-out', 'r2.csr']);
    mkdirSync(join(dir, 'db'));
    writeFileSync(join(dir, 'db/index.txt'), '');
    writeFileSync(join(dir, 'db/serial'), '01\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      '[ca]\ndefault_ca = c\n[c]\ndatabase = db/index.txt\nnew_certs_dir = db\nserial = db/serial\ndefault_md = sha256\npolicy = p\nunique_subject = no\n[p]\ncommonName = supplied\n',
    );
    run([
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'k2.pem',
      '-in',
      'r2.csr',
      '-out',
      'c2.pem',
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200201000000Z',
      '-notext',
    ]);
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return {
      current: { key: read('k1.pem'), cert: read('c1.pem') },
      expired: { key: read('k2.pem'), cert: read('c2.pem') },
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
