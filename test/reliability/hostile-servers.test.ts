/**
 * The hostile server suite (issue 12, "keep those tests"; item 7): fake LDAP, SMB2, EPM,
 * TLS, HTTP, CLDAP, NTP and DNS servers on 127.0.0.1 send injected tags, control bytes
 * (NUL, BEL, ESC, the C1 CSI), absurd length fields, 100 MB streams and slowloris trickles.
 * Each reply goes through the real probe (`tcpProbe` / `udpProbe` with the real module and
 * `buildObservation`), the real analyzer and every renderer, and a tampered result file
 * through `portolan report`:
 * - every probe ends within its deadline, and a 100 MB stream is cut near the read bound;
 * - every evidence line and list is bounded and free of control characters;
 * - no injected tag in HTML, JUnit valid for xmllint and the schema, Markdown tables keep
 *   their columns, the terminal table carries no escape sequence of the server's.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import { assembleResult } from '../../src/analyze/result.js';
import { expandPorts } from '../../src/catalog/expand.js';
import type { Observation, RunResult } from '../../src/model.js';
import { buildObservation, MAX_LINE_TEXT, MAX_LINES } from '../../src/probe/observation.js';
import { tcpProbe } from '../../src/probe/tcp-probe.js';
import { udpProbe } from '../../src/probe/udp.js';
import { UdpHostSchedule } from '../../src/probe/udp-schedule.js';
import { moduleById } from '../../src/protocols/index.js';
import type { CustomProtocol, TcpProtocol, UdpProtocol } from '../../src/protocols/types.js';
import { FORMATS, renderers } from '../../src/report/index.js';
import { resolveRunSettings } from '../../src/run-options.js';
import { BIND_ACK, DONE, DRSUAPI_49667, HANDLE_1, lookupStub, responsePdus, ZERO } from '../protocols/tcp/replies.js';
import { cldapReply, dnsReply, hx, netlogonBlob, ntpReply, t4 } from '../protocols/udp/replies.js';
import { JUNIT_XSD, NOW } from '../report/fixtures.js';
import { runCli } from '../support/cli.js';
import {
  type Conn,
  type HostileServer,
  hostileServer,
  hundredMegabytes,
  script,
  trickle,
} from '../support/hostile-servers.js';
import { fromHex } from '../support/tcp-fake-server.js';
import { startFakeUdpServer } from '../support/udp-fake-server.js';

const HOST = '127.0.0.1';
/** The conversation deadline the probes get here; every case must end within it plus a margin. */
const APP_TIMEOUT_MS = 2000;
const MARGIN_MS = 3000;

/** What a hostile server may try to smuggle into a report. */
const INJECT =
  '<img src=x onerror=alert(1)></script><script>alert(2)</script>]]><x>|pipe|`code`\u0007\u001b[31mRED\u009b31m';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters no report may carry raw
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL, ESC and C1 may appear nowhere in the JSON result
const JSON_FORBIDDEN = /[\u0000\u001b\u0080-\u009f]/;
const utf8 = (s: string) => [...Buffer.from(s, 'utf8')];

const XMLLINT = spawnSync('xmllint', ['--version']).status === 0;

// ---------------------------------------------------------------- replies

/** A rootDSE searchResEntry whose attribute values are `INJECT`, a 5,000-character value and 1,000 values. */
function hostileLdapEntry(): Uint8Array {
  const attr = (name: string, ...values: string[]) =>
    t4(0x30, t4(0x04, utf8(name)), t4(0x31, ...values.map((v) => t4(0x04, utf8(v)))));
  return Uint8Array.from(
    t4(
      0x30,
      [0x02, 0x01, 0x01],
      t4(
        0x64,
        [0x04, 0x00],
        t4(
          0x30,
          attr('dnsHostName', INJECT),
          attr('defaultNamingContext', 'DC='.repeat(2000)),
          attr('ldapServiceName', `${INJECT}\u0000nul`),
          attr('supportedLDAPVersion', ...Array.from({ length: 1000 }, (_, i) => `${i}${INJECT}`)),
          attr('supportedCapabilities', '1.2.840.113556.1.4.800'),
        ),
      ),
    ),
  );
}

/** DRSUAPI's tower with another TCP port. */
function drsuapiOn(port: number): Uint8Array {
  const t = Uint8Array.from(DRSUAPI_49667);
  const at = t.findIndex((_, i) => t[i] === 0x07 && t[i + 1] === 0x02 && t[i + 2] === 0x00 && t[i + 3] === 0xc2);
  t[at + 3] = port >> 8;
  t[at + 4] = port & 0xff;
  return t;
}

/** An endpoint mapper listing 3,900 TCP ports in 39 pages, every annotation hostile. */
function hostileEpmScript(): Uint8Array[] {
  const pages: Uint8Array[] = [BIND_ACK];
  for (let page = 0; page < 39; page++) {
    const entries = Array.from({ length: 100 }, (_, i) => ({
      // Printable ASCII within the 64 bytes the IDL allows.
      annotation: INJECT.replace(/[^\x20-\x7e]/g, '?').slice(0, 60),
      tower: drsuapiOn(10_000 + page * 100 + i),
    }));
    const last = page === 38;
    const stub = lookupStub(last ? ZERO : HANDLE_1, entries, 0);
    const pdus = responsePdus(stub, page + 2);
    pages.push(Uint8Array.from(pdus.flatMap((p) => [...p])));
  }
  return pages;
}

/** NETLOGON_SAM_LOGON_RESPONSE_EX with a DC site name of 23 hostile bytes (the same length keeps the pointers right). */
function hostileNetlogon(): number[] {
  const site = [...'Default-First-Site-Name'].map((c) => c.charCodeAt(0));
  const at = netlogonBlob.findIndex((_, i) => site.every((b, j) => netlogonBlob[i + j] === b));
  const evil = utf8('<x>\u001b[31m|\u0000"]]>onerror=').slice(0, 23);
  while (evil.length < 23) evil.push(0x3c);
  return [...netlogonBlob.slice(0, at), ...evil, ...netlogonBlob.slice(at + 23)];
}

/** A DNS reply whose header claims 65,535 records of each kind and holds none. */
function dnsCountsLie(req: Uint8Array): Uint8Array {
  let end = 12;
  while (end < req.length && req[end] !== 0) end += req[end] + 1;
  return Uint8Array.from([
    req[0],
    req[1],
    0x84,
    0,
    0,
    1,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    ...req.subarray(12, end + 5),
  ]);
}

/** A DNS SOA answer whose primary server name carries hostile label bytes. */
function dnsHostileName(req: Uint8Array): Uint8Array {
  const good = dnsReply(req);
  const label = utf8('<script>\u001b[31m\u0000|');
  // The answer's rdata starts with the mname "dc1" + pointer: replace "dc1" with the hostile label.
  const at = good.findIndex(
    (_, i) => good[i] === 3 && good[i + 1] === 0x64 && good[i + 2] === 0x63 && good[i + 3] === 0x31,
  );
  const grown = [...good.slice(0, at), label.length, ...label, ...good.slice(at + 4)];
  // The SOA rdlength grew by the label's extra bytes.
  const rdlengthAt = at - 2;
  const rdlength = ((grown[rdlengthAt] as number) << 8) + (grown[rdlengthAt + 1] as number) + label.length - 3;
  grown[rdlengthAt] = rdlength >> 8;
  grown[rdlengthAt + 1] = rdlength & 0xff;
  return Uint8Array.from(grown);
}

/** NTP, stratum 1, with a reference id of ESC [ 3 1. */
function ntpHostileRefid(req: Uint8Array): Uint8Array {
  const r = ntpReply(req);
  r[1] = 1;
  r.set([0x1b, 0x5b, 0x33, 0x31], 12);
  return r;
}

// ---------------------------------------------------------------- certificates

/** A self-signed certificate whose subject and issuer carry tags and control bytes, with 2,504 names. */
function hostileCertificate(): { key: string; cert: string } | null {
  const dir = mkdtempSync(join(tmpdir(), 'portolan-hostile-tls-'));
  try {
    const sans = Array.from({ length: 2504 }, (_, i) => `DNS:h${i}.example.test`).join(',');
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '30',
        '-utf8',
        '-subj',
        '/CN=<img src=x onerror=alert(1)>\u001b[31mRED\u009b|x|/O=]]><x>cdata\u0007',
        '-addext',
        `subjectAltName=${sans}`,
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
      ],
      { encoding: 'utf8' },
    );
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return { key: read('k.pem'), cert: read('c.pem') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the probe and the run

interface Probed {
  name: string;
  observation: Observation;
  ms: number;
}

async function probeTcp(name: string, moduleId: string, port: number): Promise<Probed> {
  const module = moduleById(moduleId) as TcpProtocol | CustomProtocol;
  const started = performance.now();
  const { finding } = await tcpProbe({
    target: `${name}.hostile.test`,
    address: HOST,
    port,
    timeoutMs: 1000,
    appTimeoutMs: APP_TIMEOUT_MS,
    signal: new AbortController().signal,
    module,
    ctx: { target: `${name}.hostile.test`, address: HOST, port, nonce: randomBytes(16), domain: 'example.test' },
  });
  const observation = buildObservation(finding.site, finding.exchange, finding.conversation, finding.facts);
  return { name, observation, ms: performance.now() - started };
}

async function probeUdp(
  name: string,
  moduleId: string,
  reply: (req: Uint8Array) => Uint8Array | null,
): Promise<Probed> {
  const server = await startFakeUdpServer(reply);
  try {
    const module = moduleById(moduleId) as UdpProtocol;
    const target = `${name}.hostile.test`;
    const ctx = { target, address: HOST, port: server.port, nonce: randomBytes(16), domain: 'example.test' };
    const started = performance.now();
    const signal = new AbortController().signal;
    const r = await udpProbe({
      address: HOST,
      port: server.port,
      module,
      ctx,
      signal,
      schedule: new UdpHostSchedule({ timeoutMs: 500, retries: 0, signal }),
    });
    const observation = buildObservation({ target, address: HOST, protocol: 'udp', port: server.port }, r, {
      module,
      recognition: r.recognition,
    });
    return { name, observation, ms: performance.now() - started };
  } finally {
    await server.close();
  }
}

/** The real analyzer's result for one hostile observation. */
function resultOf(p: Probed): RunResult {
  const o = p.observation;
  const expectations = expandPorts([`${o.port}/${o.protocol}`]);
  const started = new Date('2026-11-26T09:00:00Z');
  return assembleResult({
    tool: { name: 'portolan', version: '0.0.0-test' },
    catalog: { digest: 'sha256:test', sources: ['checks'] },
    startedAt: started,
    endedAt: started,
    source: { hostname: 'probe.test', addresses: [HOST], bind: null, name: 'probe.test', labels: {} },
    commandLine: ['portolan', 'check', o.target],
    settings: resolveRunSettings({}),
    asked: { roles: [], services: [], ports: [`${o.port}/${o.protocol}`] },
    incomplete: false,
    notes: [],
    targets: [{ name: o.target, origin: 'hostile suite', addresses: [HOST], problem: null }],
    expectations,
    observations: [o],
    links: () => [0],
  });
}

// ---------------------------------------------------------------- what every report must hold

function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) allStrings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) allStrings(v, out);
  return out;
}

/** Every (Markdown) table keeps its columns: each row has as many unescaped pipes as its header. */
function markdownTablesIntact(md: string): void {
  let header: number | null = null;
  for (const line of md.split('\n')) {
    if (!line.startsWith('|')) {
      header = null;
      continue;
    }
    const pipes = line.match(/(?<!\\)\|/g)?.length ?? 0;
    if (header === null) header = pipes;
    else expect(pipes, line).to.equal(header);
  }
}

/** Attribute names of every real start tag; quoted values are skipped, so escaped text in them is not read as markup. */
function attributeNames(html: string): string[] {
  const value = `(?:\\s*=\\s*(?:"[^"]*"|'[^']*'|[^\\s>]+))?`;
  const attribute = new RegExp(`\\s+([^\\s=>/]+)${value}`, 'g');
  const names: string[] = [];
  for (const tag of html.matchAll(new RegExp(`<[a-zA-Z][^\\s>/]*((?:\\s+[^\\s=>/]+${value})*)`, 'g'))) {
    for (const a of (tag[1] ?? '').matchAll(attribute)) names.push((a[1] as string).toLowerCase());
  }
  return names;
}

const scriptCount = (html: string) => html.match(/<script\b/gi)?.length ?? 0;
const BENIGN_SCRIPTS = scriptCount(
  renderers.html(resultOf({ name: 'benign', observation: benignObservation(), ms: 0 }), { now: NOW }),
);

function benignObservation(): Observation {
  return buildObservation(
    { target: 'benign.hostile.test', address: HOST, protocol: 'tcp', port: 389 },
    { state: 'open', reason: 'syn-ack', rttMs: 1, attempts: 1, error: null },
    null,
  );
}

function expectSafeReports(result: RunResult, label: string): void {
  const json = renderers.json(result, { now: NOW });
  for (const s of allStrings(JSON.parse(json))) expect(s, `${label}: JSON string`).not.to.match(JSON_FORBIDDEN);
  const html = renderers.html(result, { now: NOW });
  expect(html, `${label}: HTML`).not.to.match(/<(img|x)\b/i);
  expect(scriptCount(html), `${label}: HTML scripts`).to.equal(BENIGN_SCRIPTS);
  expect(
    attributeNames(html).filter((a) => a.startsWith('on')),
    `${label}: HTML event handlers`,
  ).to.deep.equal([]);
  const xml = renderers.junit(result, { now: NOW });
  expect(xml, `${label}: JUnit`).not.to.match(/<(img|x|script)\b/i);
  if (XMLLINT) {
    const lint = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, '-'], { input: xml, encoding: 'utf8' });
    expect(lint.status, `${label}: xmllint ${lint.stderr}`).to.equal(0);
  }
  const md = renderers.md(result, { now: NOW });
  expect(md, `${label}: Markdown`).not.to.match(/<(img|x|script)\b/i);
  markdownTablesIntact(md);
  const table = renderers.table(result, { now: NOW });
  expect(table, `${label}: table`).not.to.match(CONTROL_BUT_NEWLINE);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal output may hold newlines, nothing else
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function expectBoundedEvidence(p: Probed): void {
  const o = p.observation;
  expect(p.ms, `${p.name}: probe time`).to.be.below(APP_TIMEOUT_MS + MARGIN_MS);
  for (const list of [o.evidence, o.warnings]) {
    expect(list.length, `${p.name}: lines`).to.be.at.most(MAX_LINES + 1);
    for (const line of list) {
      expect(line.length, `${p.name}: line length`).to.be.at.most(MAX_LINE_TEXT + 1);
      expect(line, `${p.name}: evidence`).not.to.match(CONTROL);
    }
  }
  if (o.error) expect(o.error, `${p.name}: error`).not.to.match(CONTROL);
}

// ---------------------------------------------------------------- the suite

describe('hostile servers through the real probes and every renderer', function () {
  this.timeout(60_000);
  const servers: HostileServer[] = [];
  const probed: Probed[] = [];
  const byName = (name: string) => probed.find((p) => p.name === name) as Probed;

  before(async () => {
    const tcp = async (
      name: string,
      moduleId: string,
      behaviour: (conn: Conn) => void,
      tls?: { key: string; cert: string },
    ) => {
      const server = await hostileServer(behaviour, tls ? { tls } : {});
      servers.push(server);
      return { name, moduleId, server };
    };
    const cert = hostileCertificate();
    const httpResponse = (server: string) =>
      Uint8Array.from(Buffer.from(`HTTP/1.1 200 OK\r\nServer: ${server}\r\nContent-Length: 0\r\n\r\n`));
    const cases = await Promise.all([
      tcp('ldap-inject', 'ldap', script([Uint8Array.from([...hostileLdapEntry(), ...DONE])])),
      tcp('ldap-absurd-length', 'ldap', script([fromHex('30 84 ff ff ff ff 02 01 01')])),
      tcp('ldap-100mb', 'ldap', hundredMegabytes(fromHex('30 84 7f ff ff ff'))),
      tcp('ldap-slowloris', 'ldap', trickle(Uint8Array.from([...hostileLdapEntry(), ...DONE]))),
      tcp('smb2-absurd-length', 'smb2', script([fromHex('00 ff ff ff fe 53 4d 42')])),
      tcp('smb2-100mb', 'smb2', hundredMegabytes(fromHex('00 7f ff ff fe 53 4d 42'))),
      tcp('smb2-slowloris', 'smb2', trickle(fromHex('00 00 00 80 fe 53 4d 42 40 00'))),
      tcp('epm-3900-ports', 'msrpc-epm', script(hostileEpmScript())),
      tcp('epm-absurd-fragment', 'msrpc-epm', script([fromHex('05 00 0c 03 10 00 00 00 ff ff 00 00 01 00 00 00')])),
      tcp('epm-100mb', 'msrpc-epm', hundredMegabytes(fromHex('05 00 0c 03 10 00 00 00 ff ff 00 00 01 00 00 00'))),
      tcp('http-inject', 'http', script([httpResponse(INJECT.replace(new RegExp(CONTROL.source, 'g'), ''))])),
      tcp('http-control-bytes', 'http', script([httpResponse(INJECT)])),
      tcp(
        'http-100mb',
        'http',
        hundredMegabytes(fromHex(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n').toString('hex'))),
      ),
      tcp('http-slowloris', 'http', trickle(Buffer.from('HTTP/1.1 200 OK\r\nServer: slow\r\n\r\n'))),
      ...(cert
        ? [
            tcp('tls-hostile-cert', 'tls', () => {}, cert),
            tcp('ldaps-hostile-cert', 'ldaps', script([Uint8Array.from([...hostileLdapEntry(), ...DONE])]), cert),
          ]
        : []),
      tcp('tls-slowloris', 'tls', trickle(fromHex('16 03 03 00 40 02 00 00 3c 03 03'), 200, false)),
    ]);
    probed.push(...(await Promise.all(cases.map((c) => probeTcp(c.name, c.moduleId, c.server.port)))));
    probed.push(
      ...(await Promise.all([
        probeUdp('cldap-inject', 'cldap', (req) => cldapReply(req, hostileNetlogon())),
        probeUdp('cldap-absurd-length', 'cldap', () => Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 2, 1, 1])),
        probeUdp('ntp-escape-refid', 'ntp', ntpHostileRefid),
        probeUdp('ntp-oversize', 'ntp', (req) =>
          Uint8Array.from([...ntpReply(req), ...new Uint8Array(60_000).fill(0x9b)]),
        ),
        probeUdp('dns-counts-lie', 'dns', dnsCountsLie),
        probeUdp('dns-hostile-name', 'dns', dnsHostileName),
        probeUdp('dns-pointer-loop', 'dns', (req) =>
          Uint8Array.from([
            ...dnsCountsLie(req).subarray(0, 6),
            0,
            1,
            0,
            0,
            0,
            0,
            ...dnsCountsLie(req).subarray(12),
            ...hx('c0 0c 00 06 00 01 00 00 0e 10 00 02 c0 00'),
          ]),
        ),
      ])),
    );
    if (!cert) console.log('      (TLS certificate cases skipped: openssl is not installed; CI installs it)');
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('every probe ends within its deadline, with bounded, printable evidence', () => {
    expect(probed.length).to.be.at.least(20);
    for (const p of probed) expectBoundedEvidence(p);
  });

  it('a slowloris peer cannot hold a probe past its deadline while the garbage collector runs', async () => {
    // Node 20 collects a timeout signal that only AbortSignal.any refers to; the deadline then never fired.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const server = await hostileServer(trickle(fromHex('30 84 00 00 10 00 02 01 01'), 100));
    servers.push(server);
    const probe = probeTcp('gc-slowloris', 'ldap', server.port);
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const done = await Promise.race([
      probe,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), APP_TIMEOUT_MS + MARGIN_MS)),
    ]);
    expect(done, 'the probe ended at its deadline').to.not.equal(null);
    expect(done?.observation.evidence.join(' ')).to.match(/no complete reply before the deadline/);
  });

  it('a 100 MB stream is cut near the read bound, not read to the end', () => {
    for (const name of ['ldap-100mb', 'smb2-100mb', 'epm-100mb', 'http-100mb']) {
      const p = byName(name);
      expect(p.observation.state, name).to.equal('open');
      const server = servers[probed.indexOf(p)] as HostileServer;
      expect(server.sent(), `${name}: bytes the server got to send`).to.be.below(32 * 1024 * 1024);
    }
    expect(byName('ldap-100mb').observation.evidence.join(' ')).to.match(/reply larger than 1048576 bytes/);
  });

  it('absurd lengths and trickles end at the deadline as "no complete reply", never open-and-confirmed', () => {
    for (const name of [
      'ldap-absurd-length',
      'ldap-slowloris',
      'smb2-absurd-length',
      'smb2-slowloris',
      'epm-absurd-fragment',
      'tls-slowloris',
    ]) {
      const o = byName(name).observation;
      expect(o.confirmed, name).not.to.equal(true);
    }
  });

  it('LDAP: the injected values are text, cut to their bound, 1,000 values listed as at most 64', () => {
    const o = byName('ldap-inject').observation;
    expect(o.confirmed).to.equal(true);
    const line = o.evidence.find((l) => l.startsWith('dnsHostName ')) as string;
    expect(line).to.include('<img src=x onerror=alert(1)>');
    expect(line).to.include('\\x1b[31mRED\\x9b31m');
    expect(o.evidence.find((l) => l.startsWith('ldapServiceName'))).to.include('\\x00nul');
    expect(o.evidence.find((l) => l.startsWith('supportedLDAPVersion'))?.length).to.be.at.most(MAX_LINE_TEXT + 1);
  });

  it('EPM: 3,900 listed ports make one bounded line that says how many more', () => {
    const o = byName('epm-3900-ports').observation;
    const ports = o.evidence.find((l) => l.startsWith('EPM:')) as string;
    expect(ports).to.match(/^EPM: 3900 endpoints; 3900 TCP ports: 10000, 10001, .* and 3,876 more$/);
    expect(ports.length).to.be.below(300);
    expect(o.evidence.join('\n')).to.match(/and 3,876 more$/m);
  });

  it('TLS: certificate subject, issuer and names are printable, and 2,504 names are listed as 10', function () {
    if (!probed.some((p) => p.name === 'tls-hostile-cert')) this.skip();
    for (const name of ['tls-hostile-cert', 'ldaps-hostile-cert']) {
      const o = byName(name).observation;
      const subject = o.evidence.find((l) => l.startsWith('certificate subject')) as string;
      expect(subject, name).to.include('<img src=x onerror=alert(1)>');
      expect(subject, name).to.include('\\x1b[31mRED');
      expect(subject, name).to.include('cdata\\x07');
      const names = o.evidence.find((l) => l.startsWith('subject alternative names')) as string;
      expect(names, name).to.match(/^subject alternative names: DNS:h0\.example\.test, .* and 2,494 more names$/);
    }
  });

  it('HTTP: a hostile Server header is text; a slow or endless response ends at the deadline', () => {
    const o = byName('http-inject').observation;
    expect(o.evidence.join(' ')).to.include('Server: <img src=x onerror=alert(1)>');
    expect(byName('http-slowloris').ms).to.be.below(APP_TIMEOUT_MS + MARGIN_MS);
  });

  it('CLDAP, NTP and DNS: hostile names and ids are escaped; DNS states only the records it read', () => {
    const cldap = byName('cldap-inject').observation.evidence;
    expect(cldap.join(' ')).to.include('<x>');
    for (const line of cldap) expect(line).not.to.match(CONTROL);
    expect(byName('ntp-escape-refid').observation.evidence[0]).to.match(/reference \\x1b/);
    const lie = byName('dns-counts-lie').observation;
    expect(lie.evidence).to.include('0 answer, 0 authority, 0 additional records');
    expect(lie.evidence).to.include('the header counts more records than the reply holds');
    expect(lie.evidence.join(' ')).not.to.include('65535');
    expect(byName('dns-hostile-name').observation.evidence.join(' ')).to.include('<script>\\27[31m\\0|');
  });

  it('every renderer keeps every hostile reply inert: no tag, valid JUnit, intact Markdown, no terminal escape', () => {
    // The checks themselves see what they look for.
    expect(attributeNames(`<p title="&lt;img onerror=x&gt;">${INJECT}</p>`)).to.deep.equal(['title', 'src', 'onerror']);
    expect(() => markdownTablesIntact('| a | b |\n|---|---|\n| x | y | z |')).to.throw();
    for (const p of probed) expectSafeReports(resultOf(p), p.name);
  });

  it('tampered result files through `portolan report`: raw control bytes and tags in every text field stay inert', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portolan-tampered-'));
    try {
      const result = resultOf(byName('ldap-inject'));
      // What an attacker with write access to a saved result might put there: raw bytes, not escapes.
      const raw = `${INJECT}\u0000\u001b]0;title\u0007\u009b2J`;
      const tampered = JSON.parse(JSON.stringify(result)) as RunResult;
      const o = tampered.observations[0] as Observation;
      o.evidence = [raw, raw];
      o.warnings = [raw];
      tampered.targets = tampered.targets.map((t) => ({ ...t, name: raw, origin: raw }));
      for (const v of tampered.verdicts.expectations) v.explanation = raw;
      tampered.summary.headline = raw;
      tampered.run.source.hostname = raw;
      const file = join(dir, 'tampered.json');
      writeFileSync(file, JSON.stringify(tampered));
      for (const format of FORMATS) {
        const run = await runCli(['report', file, '--format', format]);
        expect(run.code, `${format}: ${run.stderr}`).to.equal(0);
        if (format === 'table') expect(run.stdout).not.to.match(CONTROL_BUT_NEWLINE);
        if (format === 'html') {
          expect(run.stdout).not.to.match(/<(img|x)\b/i);
          expect(attributeNames(run.stdout).filter((a) => a.startsWith('on'))).to.deep.equal([]);
          expect(scriptCount(run.stdout)).to.equal(BENIGN_SCRIPTS);
        }
        if (format === 'md') {
          expect(run.stdout).not.to.match(/<(img|x|script)\b/i);
          markdownTablesIntact(run.stdout);
        }
        if (format === 'junit' && XMLLINT) {
          const lint = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, '-'], { input: run.stdout });
          expect(lint.status, 'xmllint').to.equal(0);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
