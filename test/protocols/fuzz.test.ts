/**
 * Fuzz every parser: 10,000 seeded random, truncated, bit-flipped and spliced inputs per
 * parser, starting from valid replies. A parser must never throw and must finish in
 * bounded time. Other modules add their parsers to `targets` (TCP modules: their pure decoders).
 */
import { expect } from 'chai';
import { readAll, readTlv } from '../../src/protocols/codec/ber.js';
import { readName } from '../../src/protocols/codec/dns-name.js';
import { readKrbReply } from '../../src/protocols/codec/kerberos.js';
import { moduleById, modules } from '../../src/protocols/index.js';
import type { ProbeContext, UdpProtocol } from '../../src/protocols/types.js';
import { parseNetlogon } from '../../src/protocols/udp/cldap.js';
import { fuzzParser } from '../support/fuzz.js';
import { testContext } from '../support/udp-fake-server.js';
import * as r from './udp/replies.js';

const RUNS = 10_000;
/** Generous: a parser that loops or goes quadratic blows far past this. */
const MAX_MS = 5000;

/** Valid replies per UDP module id, built from the request the module sends. */
const udpSeeds: Record<string, (req: Uint8Array) => Uint8Array[]> = {
  dns: (q) => [r.dnsReply(q), r.dnsReply(q, 3)],
  cldap: (q) => [r.cldapReply(q), r.cldapReply(q, null)],
  'kerberos-udp': () => [
    Uint8Array.from(r.krbError('20261126123102Z')),
    Uint8Array.from(r.krbError('20261126123102Z', 68, [0, 1])),
  ],
  'kpasswd-udp': () => [r.kpasswdReply()],
  ntp: (q) => [r.ntpReply(q)],
  nbns: (q) => [r.nbstatReply(q)],
  snmp: (q) => [r.snmpV3Report(q)],
  'snmp-v2c': (q) => [r.snmpV2cResponse(q)],
  tftp: () => [r.tftpError()],
  ssdp: () => [r.ssdpReply()],
  'sql-browser': () => [r.sqlBrowserReply()],
  ike: (q) => [r.ikeNoProposal(q), q],
  'ike-natt': (q) => [r.ikeNoProposal(q, true)],
  l2tp: (q) => [r.l2tpStopCcn(q)],
  'rdp-udp': (q) => [r.rdpSynAck(q)],
  'msmq-ping': (q) => [r.msmqPong(q)],
  'echo-udp': (q) => [q],
  'daytime-udp': () => [Uint8Array.from(r.asc('Thursday, November 26, 2026 12:31:02-UTC\r\n'))],
  'qotd-udp': () => [Uint8Array.from(r.asc('"Quote."\r\n'))],
  'chargen-udp': () => [Uint8Array.from(r.asc('!"#$%&\'()*+,-./0123'))],
  radius: (q) => [Uint8Array.from([2, q[1], 0, 20, ...new Array(16).fill(0)])],
  'radius-acct': (q) => [Uint8Array.from([5, q[1], 0, 20, ...new Array(16).fill(0)])],
  'ws-discovery': (q) => [r.wsdProbeMatches(q)],
  'netbios-dgm': () => [Uint8Array.of(0x11, 0x02)],
  'snmp-trap': () => [Uint8Array.of(0x30, 0x00)],
  'discard-udp': () => [Uint8Array.of(1)],
  rtp: () => [Uint8Array.of(0x80, 0x00)],
};

/** Parsers to fuzz: name, function, seeds. Add yours here. */
const targets: { name: string; fn: (b: Uint8Array) => unknown; seeds: Uint8Array[] }[] = [];

const ctx: ProbeContext = testContext(9, { domain: 'example.test' });
for (const [id, seeds] of Object.entries(udpSeeds)) {
  const mod = moduleById(id) as UdpProtocol;
  targets.push({ name: `udp/${id}`, fn: (b) => mod.recognize(b, ctx), seeds: seeds(mod.buildRequest(ctx)) });
}
const cldapSeed = r.cldapReply((moduleById('cldap') as UdpProtocol).buildRequest(ctx));
targets.push(
  {
    name: 'codec/ber readTlv+readAll',
    fn: (b) => [readTlv(b, 0), readAll(b)],
    seeds: [cldapSeed, Uint8Array.from(r.krbError('20261126123102Z'))],
  },
  {
    name: 'codec/dns-name readName',
    fn: (b) => readName(b, 0),
    seeds: [Uint8Array.from(r.netlogonBlob).subarray(24), Uint8Array.from([0xc0, 0x00])],
  },
  {
    name: 'codec/kerberos readKrbReply',
    fn: readKrbReply,
    seeds: [Uint8Array.from(r.krbError('20261126123102Z', 6, [0, 1, 0x41]))],
  },
  { name: 'udp/cldap parseNetlogon', fn: parseNetlogon, seeds: [Uint8Array.from(r.netlogonBlob)] },
);

describe(`fuzz: ${RUNS} mutated inputs per parser, no throw, bounded time`, () => {
  it('covers every datagram module in the registry', () => {
    const datagram = Object.values(modules)
      .filter((m) => m.kind === 'datagram')
      .map((m) => m.id);
    expect(Object.keys(udpSeeds).sort()).to.deep.equal(datagram.sort());
  });
  for (const t of targets) {
    it(t.name, function () {
      this.timeout(MAX_MS * 3);
      for (const seed of t.seeds) expect(() => t.fn(seed)).not.to.throw();
      const report = fuzzParser(t.name, t.fn, t.seeds, RUNS);
      expect(report.runs).to.equal(RUNS);
      expect(report.ms).to.be.lessThan(MAX_MS);
    });
  }
});
