import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { describeNote } from '../../src/analyze/describe.js';
import { discoverDomainControllers, parseSrvShort, splitServer } from '../../src/targets/domain-controllers.js';
import { type FakeUdpServer, startFakeUdpServer } from '../support/udp-fake-server.js';

const DOMAIN = 'corp.test';
const QUERY = `_ldap._tcp.dc._msdcs.${DOMAIN}`;
const DCS: Record<string, string> = { 'dc1.corp.test': '192.0.2.11', 'dc2.corp.test': '192.0.2.12' };

/** RFC 1035 name: length-prefixed labels, zero-terminated. */
function name(text: string): Buffer {
  return Buffer.concat([
    ...text.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ]);
}

/** Read the question (name, type) of a query; the name starts at offset 12. */
function question(q: Uint8Array): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let i = 12;
  while (q[i] !== 0) {
    labels.push(Buffer.from(q.subarray(i + 1, i + 1 + (q[i] as number))).toString());
    i += 1 + (q[i] as number);
  }
  return { name: labels.join('.').toLowerCase(), type: ((q[i + 1] as number) << 8) | (q[i + 2] as number), end: i + 5 };
}

/** A DNS server that knows the SRV records of corp.test and the A records of its DCs (RFC 1035, RFC 2782). */
function answer(q: Uint8Array): Uint8Array {
  const { name: qname, type, end } = question(q);
  const rr = (rtype: number, rdata: Buffer) =>
    Buffer.concat([
      Buffer.from([
        0xc0,
        0x0c,
        rtype >> 8,
        rtype & 0xff,
        0,
        1,
        0,
        0,
        0x0e,
        0x10,
        rdata.length >> 8,
        rdata.length & 0xff,
      ]),
      rdata,
    ]);
  const answers: Buffer[] = [];
  if (type === 33 && qname === QUERY) {
    answers.push(rr(33, Buffer.concat([Buffer.from([0, 0, 0, 100, 0x01, 0x85]), name('dc2.corp.test')])));
    answers.push(rr(33, Buffer.concat([Buffer.from([0, 0, 0, 200, 0x01, 0x85]), name('dc1.corp.test')])));
  }
  if (type === 1 && DCS[qname]) answers.push(rr(1, Buffer.from((DCS[qname] as string).split('.').map(Number))));
  const header = Buffer.from([q[0] as number, q[1] as number, 0x85, 0x80, 0, 1, 0, answers.length, 0, 0, 0, 0]);
  return Buffer.concat([header, Buffer.from(q.subarray(12, end)), ...answers]);
}

describe('domain controller discovery (SRV _ldap._tcp.dc._msdcs)', () => {
  let dns: FakeUdpServer;
  before(async () => {
    dns = await startFakeUdpServer(answer);
  });
  after(async () => {
    await dns.close();
  });

  it('parses dig +short SRV lines in priority, then weight order', () => {
    expect(
      parseSrvShort('0 100 389 dc2.corp.test.\n0 200 389 dc1.corp.test.\n\n;; garbage\n').map((t) => t.name),
    ).to.deep.equal(['dc1.corp.test', 'dc2.corp.test']);
  });

  it('splits a DNS server with a port, IPv4 and IPv6', () => {
    expect(splitServer('192.0.2.53')).to.deep.equal({ host: '192.0.2.53', port: null });
    expect(splitServer('127.0.0.1:5353')).to.deep.equal({ host: '127.0.0.1', port: '5353' });
    expect(splitServer('[::1]:5353')).to.deep.equal({ host: '::1', port: '5353' });
  });

  it('finds the DCs through dig and resolves them at the same server', async function () {
    if (!existsSync('/usr/bin/dig')) {
      console.log('      (skipped: dig is not installed; CI installs dnsutils)');
      this.skip();
    }
    const found = await discoverDomainControllers(DOMAIN, { dnsServer: `127.0.0.1:${dns.port}`, timeoutMs: 1000 });
    expect(found.targets.map((t) => [t.name, t.port, t.addresses])).to.deep.equal([
      ['dc1.corp.test', 389, ['192.0.2.11']],
      ['dc2.corp.test', 389, ['192.0.2.12']],
    ]);
    expect(found.via).to.equal('dig');
  });

  it('says when dig is missing and falls back to Node\u2019s resolver', async () => {
    const found = await discoverDomainControllers(DOMAIN, {
      dnsServer: `127.0.0.1:${dns.port}`,
      timeoutMs: 1000,
      digBinary: '/nonexistent/dig',
    });
    expect(found.targets.map((t) => t.name)).to.deep.equal(['dc1.corp.test', 'dc2.corp.test']);
    expect(found.targets[0]?.addresses).to.deep.equal(['192.0.2.11']);
    expect(found.via).to.equal('node-resolver');
    const note = {
      kind: 'dcs-discovered' as const,
      domain: DOMAIN,
      query: found.query,
      via: found.via,
      platform: process.platform,
    };
    expect(describeNote(note)).to.match(
      /^dig is not installed \(.+\); found the domain controllers with Node.s resolver instead\.$/,
    );
  });

  it('rejects a malformed domain name', async () => {
    let caught: unknown;
    await discoverDomainControllers('not a domain').catch((e) => (caught = e));
    expect((caught as { code?: string }).code).to.equal('INVALID_VALUE');
  });
});
