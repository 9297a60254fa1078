/**
 * Every UDP module against a fake server on 127.0.0.1 that answers with spec-built bytes
 * (replies.ts), probed through the engine's `udpProbe`: the valid reply is open/reply with the
 * right evidence; wrong-id, truncated
 * and garbage replies are rejected with a reason; an empty datagram is never valid.
 */
import { expect } from 'chai';
import type { ProbeContext, Recognition, UdpProtocol } from '../../../src/protocols/types.js';
import { cldap } from '../../../src/protocols/udp/cldap.js';
import { dns } from '../../../src/protocols/udp/dns.js';
import { ike, ikeNatT } from '../../../src/protocols/udp/ike.js';
import { kerberosUdp } from '../../../src/protocols/udp/kerberos.js';
import { kpasswdUdp } from '../../../src/protocols/udp/kpasswd.js';
import { l2tp } from '../../../src/protocols/udp/l2tp.js';
import { msmqPing } from '../../../src/protocols/udp/msmq-ping.js';
import { nbns } from '../../../src/protocols/udp/nbns.js';
import { ntp } from '../../../src/protocols/udp/ntp.js';
import { rdpUdp } from '../../../src/protocols/udp/rdp-udp.js';
import { radius, wsDiscovery } from '../../../src/protocols/udp/silent.js';
import { chargenUdp, daytimeUdp, echoUdp, qotdUdp } from '../../../src/protocols/udp/simple-services.js';
import { snmp, snmpV2c } from '../../../src/protocols/udp/snmp.js';
import { sqlBrowser } from '../../../src/protocols/udp/sql-browser.js';
import { ssdp } from '../../../src/protocols/udp/ssdp.js';
import { tftp } from '../../../src/protocols/udp/tftp.js';
import { probeFake, type Responder, startFakeUdpServer, testContext } from '../../support/udp-fake-server.js';
import * as r from './replies.js';

interface Case {
  mod: UdpProtocol;
  ctx?: Partial<ProbeContext>;
  respond: Responder;
  evidence: RegExp[];
  warnings?: RegExp[];
  /** Replies that must be rejected, with the reason they must give. */
  bad: { name: string; reply: (req: Uint8Array) => Uint8Array; reason: RegExp }[];
}

const flip = (b: Uint8Array, at: number, mask = 0xff) => {
  const c = Uint8Array.from(b);
  c[at] ^= mask;
  return c;
};
const cut = (b: Uint8Array, n: number) => b.slice(0, n);
const garbage = () => Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);

const cases: Case[] = [
  {
    mod: dns,
    ctx: { domain: 'example.test' },
    respond: r.dnsReply,
    evidence: [
      /DNS reply to SOA example\.test: NOERROR, authoritative \(AA\)/,
      /1 answer, 0 authority/,
      /SOA example\.test: primary dc1\.example\.test, contact hostmaster\.example\.test/,
    ],
    bad: [
      { name: 'wrong id', reply: (q) => flip(r.dnsReply(q), 1), reason: /id does not match/ },
      { name: 'wrong id (high byte)', reply: (q) => flip(r.dnsReply(q), 0), reason: /id does not match/ },
      { name: 'other opcode', reply: (q) => flip(r.dnsReply(q), 2, 0x08), reason: /unexpected opcode 1/ },
      { name: 'query, not response', reply: (q) => flip(r.dnsReply(q), 2, 0x80), reason: /QR bit clear/ },
      { name: 'truncated header', reply: (q) => cut(r.dnsReply(q), 9), reason: /too short/ },
      { name: 'other question', reply: (q) => flip(r.dnsReply(q), 14, 0x01), reason: /does not echo our question/ },
    ],
  },
  {
    mod: dns,
    respond: (q) => r.dnsReply(q, 5),
    evidence: [/DNS reply to NS \.: REFUSED/],
    warnings: [/refused the query/],
    bad: [],
  },
  {
    mod: cldap,
    ctx: { domain: 'example.test' },
    respond: (q) => r.cldapReply(q),
    evidence: [
      /LDAP ping answered for example\.test: LOGON_SAM_LOGON_RESPONSE_EX/,
      /^domain GUID 04030201-0605-0807-090a-0b0c0d0e0f10$/,
      /^forest example\.test$/,
      /^DC host name dc1\.example\.test$/,
      /^NetBIOS domain EXAMPLE$/,
      /^DC site Default-First-Site-Name$/,
      /^client site Default-First-Site-Name$/,
      /DC flags 0xe00031fd: PDC, global catalog, LDAP, directory service, KDC, time server, closest site, writable, Windows 2012 DS, AD Web Services, DNS controller, DNS domain, DNS forest/,
    ],
    bad: [
      { name: 'wrong message id', reply: (q) => flip(r.cldapReply(q), 10), reason: /message id does not match/ },
      { name: 'message not a SEQUENCE', reply: (q) => flip(r.cldapReply(q), 0, 0x01), reason: /not a SEQUENCE/ },
      {
        name: 'other LDAP operation',
        reply: (q) => flip(r.cldapReply(q), 6 + 2 + (q[3] ?? 0), 0x02),
        reason: /unexpected LDAP operation tag 0x66/,
      },
      { name: 'truncated', reply: (q) => cut(r.cldapReply(q), 40), reason: /not a sequence of BER/ },
      { name: 'garbage', reply: garbage, reason: /BER|SEQUENCE/ },
    ],
  },
  {
    mod: cldap,
    ctx: { domain: 'wrong.test' },
    respond: (q) => r.cldapReply(q, null),
    evidence: [/empty entry/],
    warnings: [/does not serve that domain/],
    bad: [],
  },
  {
    mod: kerberosUdp,
    ctx: { domain: 'example.test' },
    respond: () => Uint8Array.from(r.krbError(r.kerberosTime(new Date()))),
    evidence: [
      /KDC_ERR_C_PRINCIPAL_UNKNOWN \(6\)/,
      /^realm EXAMPLE\.TEST \(the one asked for\)$/,
      /server time .* \(about [+-]?\d+ s from this host\)/,
    ],
    bad: [
      { name: 'not Kerberos', reply: garbage, reason: /not a (Kerberos reply|complete BER)/ },
      {
        name: 'truncated',
        reply: () => cut(Uint8Array.from(r.krbError('20261126123102Z')), 50),
        reason: /not a complete BER message/,
      },
      {
        name: 'wrong pvno',
        reply: () => flip(Uint8Array.from(r.krbError('20261126123102Z')), 8, 0x01),
        reason: /protocol version 4/,
      },
      // RFC 4120 §5.7.1: KRB-PRIV (kpasswd's reply wrapper) is Kerberos, but no KDC answers an AS-REQ with it.
      {
        name: 'KRB-PRIV',
        reply: () => Uint8Array.from(r.krbPriv()),
        reason: /^KRB-PRIV is not an answer to an AS-REQ$/,
      },
    ],
  },
  {
    mod: kerberosUdp,
    respond: () => Uint8Array.from(r.krbError('20200101000000Z', 68)),
    evidence: [/KDC_ERR_WRONG_REALM \(68\)/],
    warnings: [/exceeds Kerberos' 5-minute tolerance/],
    bad: [],
  },
  {
    // RFC 3244 §2: a server that does not speak the new protocol answers version 0xff80.
    mod: kpasswdUdp,
    respond: () => {
      const reply = r.kpasswdReply();
      reply.set([0xff, 0x80], 2);
      return reply;
    },
    evidence: [/kpasswd service answered \(framed\): KRB_ERR_GENERIC \(60\)/],
    bad: [],
  },
  {
    mod: snmpV2c,
    respond: (q) => flip(r.snmpV2cResponse(q), 5, 0x01), // version field 0: an SNMPv1 agent
    evidence: [/sysDescr:/],
    bad: [],
  },
  {
    mod: l2tp,
    respond: (q) => flip(r.l2tpStopCcn(q), 19, 0x06), // message type 2: SCCRP
    evidence: [/L2TP peer answered with SCCRP/],
    bad: [],
  },
  {
    mod: kerberosUdp,
    respond: () => Uint8Array.from(r.asRep()),
    evidence: [/^KDC issued an AS-REP for realm EXAMPLE\.TEST$/],
    warnings: [/^the KDC answered a made-up principal without pre-authentication$/],
    bad: [
      {
        name: 'AS-REP with another message type',
        reply: () => flip(Uint8Array.from(r.asRep()), 13, 0x01),
        reason: /AS-REP with message type 10/,
      },
    ],
  },
  {
    mod: kerberosUdp,
    ctx: { domain: 'other.test' },
    respond: () => Uint8Array.from(r.krbError(r.kerberosTime(new Date()), 68)),
    evidence: [/KDC_ERR_WRONG_REALM \(68\)/, /^realm EXAMPLE\.TEST$/],
    warnings: [/^the KDC does not serve realm OTHER\.TEST$/],
    bad: [],
  },
  {
    mod: kpasswdUdp,
    respond: r.kpasswdReply,
    evidence: [/kpasswd service answered \(framed\): KRB_ERR_GENERIC \(60\)/, /^result MALFORMED: Malformed$/],
    bad: [
      { name: 'length mismatch', reply: () => flip(r.kpasswdReply(), 1, 0x01), reason: /length field/ },
      { name: 'bad version', reply: () => flip(r.kpasswdReply(), 3, 0x04), reason: /kpasswd version/ },
      { name: 'header only', reply: () => Uint8Array.of(0, 6, 0, 1, 0, 0), reason: /without a message/ },
      {
        name: 'AP-REP longer than the reply',
        reply: () => flip(r.kpasswdReply(), 4, 0x01),
        reason: /without a message after the AP-REP/,
      },
    ],
  },
  {
    mod: ntp,
    respond: (q) => r.ntpReply(q),
    evidence: [/NTP v4 server, stratum 2, reference 192\.0\.2\.1/, /server clock about [+-]0\.\d{3} s from this host/],
    bad: [
      { name: 'origin not echoed', reply: (q) => flip(r.ntpReply(q), 30), reason: /origin timestamp/ },
      { name: 'short reply', reply: (q) => cut(r.ntpReply(q), 47), reason: /too short \(47 bytes/ },
      { name: 'client mode', reply: (q) => flip(r.ntpReply(q), 0, 0x07), reason: /mode 3/ },
      { name: 'version 5', reply: (q) => flip(r.ntpReply(q), 0, 0x08), reason: /NTP version 5/ },
      { name: 'version 0', reply: (q) => flip(r.ntpReply(q), 0, 0x20), reason: /NTP version 0/ },
    ],
  },
  {
    mod: ntp,
    respond: (q) => r.ntpReply(q, 3_600_000),
    evidence: [/server clock about \+3\d{3}\.\d{3} s/],
    warnings: [/exceeds Kerberos' 5-minute tolerance/],
    bad: [],
  },
  {
    mod: nbns,
    respond: r.nbstatReply,
    evidence: [
      /3 names/,
      /^DC1<00> unique: workstation$/,
      /^EXAMPLE<00> group: workstation$/,
      /^EXAMPLE<1c> group: domain controllers$/,
      /^MAC address 00:15:5d:01:02:03$/,
    ],
    bad: [
      { name: 'wrong id', reply: (q) => flip(r.nbstatReply(q), 0), reason: /transaction id/ },
      { name: 'a request, not a response', reply: (q) => flip(r.nbstatReply(q), 2, 0x80), reason: /not a response/ },
      { name: 'other opcode', reply: (q) => flip(r.nbstatReply(q), 2, 0x08), reason: /opcode 1, not a query response/ },
      { name: 'NB, not NBSTAT', reply: (q) => flip(r.nbstatReply(q), 47, 0x01), reason: /answer type 32 class 1/ },
      { name: 'class not IN', reply: (q) => flip(r.nbstatReply(q), 49, 0x02), reason: /answer type 33 class 3/ },
      { name: 'DNS-style error echo', reply: (q) => r.dnsReply(q, 1), reason: /no answer record|not NBSTAT/ },
      { name: 'truncated table', reply: (q) => cut(r.nbstatReply(q), 70), reason: /truncated NBSTAT|does not fit/ },
    ],
  },
  {
    mod: snmp,
    respond: r.snmpV3Report,
    evidence: [
      /engine id 8000013704444331 \(enterprise 311 Microsoft, text "DC1"\)/,
      /engine boots 5, engine time 256 s/,
      /report usmStatsUnknownEngineIDs/,
    ],
    bad: [
      { name: 'wrong msgID', reply: (q) => flip(r.snmpV3Report(q), 12), reason: /msgID does not match/ },
      { name: 'v2c reply', reply: (q) => r.snmpV2cResponse(q), reason: /version 1, not 3/ },
      { name: 'truncated', reply: (q) => cut(r.snmpV3Report(q), 30), reason: /not a BER SEQUENCE/ },
    ],
  },
  {
    mod: snmpV2c,
    respond: (q) => r.snmpV2cResponse(q),
    evidence: [/SNMP v2c agent answered with community "public"/, /sysDescr: Hardware: Intel64 .*Windows Version 6\.3/],
    bad: [
      { name: 'wrong request id', reply: (q) => flip(r.snmpV2cResponse(q), 20), reason: /request id does not match/ },
      { name: 'other community', reply: (q) => r.snmpV2cResponse(q, 'secret'), reason: /community not echoed/ },
      {
        name: 'version field 3',
        reply: (q) => flip(r.snmpV2cResponse(q), 5, 0x02),
        reason: /version field 3, not v1\/v2c/,
      },
      {
        name: 'a GetRequest',
        reply: (q) => flip(r.snmpV2cResponse(q), 14, 0x02),
        reason: /GetResponse PDU, got tag 0xa0/,
      },
      { name: 'garbage', reply: garbage, reason: /BER SEQUENCE|malformed/ },
    ],
  },
  {
    mod: snmpV2c,
    ctx: { snmpCommunity: 'ops-ro' },
    respond: (q) => r.snmpV2cResponse(q, 'ops-ro'),
    evidence: [/community "ops-ro"/, /sysDescr:/],
    bad: [],
  },
  {
    mod: tftp,
    respond: r.tftpError,
    evidence: [/TFTP server answered with ERROR 1 \(file not found\): File not found/],
    bad: [
      { name: 'unterminated message', reply: () => cut(r.tftpError(), 10), reason: /not NUL-terminated/ },
      { name: 'one byte', reply: () => Uint8Array.of(0), reason: /too short/ },
      { name: 'a request', reply: (q) => q, reason: /opcode 1 is not an answer/ },
    ],
  },
  {
    mod: ssdp,
    respond: r.ssdpReply,
    evidence: [
      /^SERVER: Debian\/12 DLNADOC\/1\.50 UPnP\/1\.0 MiniDLNA\/1\.3\.0$/,
      /^ST: upnp:rootdevice$/,
      /^LOCATION: http:\/\/127\.0\.0\.1:8200\/rootDesc\.xml$/,
    ],
    bad: [
      {
        name: 'HTTP 404',
        reply: () => Uint8Array.from(r.asc('HTTP/1.1 404 Not Found\r\n\r\n')),
        reason: /not an HTTP\/1\.1 200/,
      },
      {
        name: 'HTTP 200 without ST/USN',
        reply: () => Uint8Array.from(r.asc('HTTP/1.1 200 OK\r\nServer: x\r\n\r\n')),
        reason: /without ST or USN/,
      },
    ],
  },
  {
    mod: sqlBrowser,
    respond: r.sqlBrowserReply,
    evidence: [
      /listed 2 instance/,
      /^SQL1\\MSSQLSERVER version 15\.0\.2000\.5, tcp port 1433$/,
      /^SQL1\\SQLEXPRESS version 16\.0\.1000\.6, no TCP listener$/,
    ],
    bad: [
      { name: 'length past the end', reply: () => cut(r.sqlBrowserReply(), 50), reason: /exceeds the datagram/ },
      { name: 'wrong type', reply: () => flip(r.sqlBrowserReply(), 0, 0x01), reason: /not SVR_RESP/ },
      { name: 'no instance', reply: () => Uint8Array.of(5, 2, 0, 0x3b, 0x3b), reason: /without an instance record/ },
    ],
  },
  {
    mod: ike,
    respond: (q) => r.ikeNoProposal(q),
    evidence: [/IKEv2 responder answered: IKE_SA_INIT/, /payloads: Notify NO_PROPOSAL_CHOSEN/],
    bad: [
      { name: 'other SPI', reply: (q) => flip(r.ikeNoProposal(q), 3), reason: /initiator SPI is not ours/ },
      { name: 'request echoed back', reply: (q) => q, reason: /without the Response flag/ },
      { name: 'truncated', reply: (q) => cut(r.ikeNoProposal(q), 20), reason: /too short/ },
      { name: 'major version 3', reply: (q) => flip(r.ikeNoProposal(q), 17, 0x10), reason: /IKE major version 3/ },
      {
        name: 'length past the datagram',
        reply: (q) => flip(r.ikeNoProposal(q), 27, 0x80),
        reason: /length field 164/,
      },
      {
        name: 'payload past the message',
        reply: (q) => flip(r.ikeNoProposal(q), 31, 0x40),
        reason: /payload chain runs past/,
      },
      {
        name: 'payload shorter than its header',
        reply: (q) => flip(r.ikeNoProposal(q), 31, 0x0b),
        reason: /payload chain/,
      },
    ],
  },
  {
    mod: ikeNatT,
    respond: (q) => r.ikeNoProposal(q, true),
    evidence: [/IKEv2 responder answered: IKE_SA_INIT/, /NO_PROPOSAL_CHOSEN/],
    bad: [{ name: 'no marker', reply: (q) => r.ikeNoProposal(q.subarray(4)), reason: /no non-ESP marker/ }],
  },
  {
    mod: l2tp,
    respond: r.l2tpStopCcn,
    evidence: [/L2TP peer answered with StopCCN/, /^result code 2$/, /^host name lns-1\.$/, /^vendor Xelerance$/],
    bad: [
      { name: 'other tunnel', reply: (q) => flip(r.l2tpStopCcn(q), 5), reason: /tunnel id/ },
      { name: 'data message', reply: (q) => flip(r.l2tpStopCcn(q), 0, 0x80), reason: /not an L2TP control message/ },
      { name: 'truncated', reply: (q) => cut(r.l2tpStopCcn(q), 30), reason: /length .* does not fit/ },
      { name: 'version 3', reply: (q) => flip(r.l2tpStopCcn(q), 1, 0x01), reason: /L2TP version 3, not 2/ },
      {
        name: 'length past the datagram',
        reply: (q) => flip(r.l2tpStopCcn(q), 2, 0x10),
        reason: /does not fit the datagram/,
      },
      {
        name: 'an SCCRQ',
        reply: (q) => flip(r.l2tpStopCcn(q), 19, 0x05),
        reason: /message type 1 is not SCCRP or StopCCN/,
      },
      { name: 'AVP past the message', reply: (q) => flip(r.l2tpStopCcn(q), 13, 0xf0), reason: /AVP runs past/ },
      { name: 'AVP shorter than its header', reply: (q) => flip(r.l2tpStopCcn(q), 13, 0x0c), reason: /AVP runs past/ },
    ],
  },
  {
    mod: rdpUdp,
    respond: r.rdpSynAck,
    evidence: [/RDP UDP transport answered SYN\+ACK \(MTU up 1232, down 1232\)/],
    bad: [
      { name: 'wrong ack', reply: (q) => flip(r.rdpSynAck(q), 2), reason: /snSourceAck/ },
      { name: 'SYN only', reply: (q) => flip(r.rdpSynAck(q), 7, 0x04), reason: /lack SYN and ACK/ },
    ],
  },
  {
    mod: msmqPing,
    respond: r.msmqPong,
    evidence: [/QM GUID 12345678-1234-5678-90ab-cdef01234567/],
    bad: [
      { name: 'wrong cookie', reply: (q) => flip(r.msmqPong(q), 5), reason: /cookie/ },
      { name: 'wrong size', reply: (q) => cut(r.msmqPong(q), 20), reason: /24 bytes/ },
      { name: 'no signature', reply: (q) => flip(r.msmqPong(q), 2), reason: /no MSMQ ping signature/ },
    ],
  },
  {
    mod: echoUdp,
    respond: (q) => q,
    evidence: [/returned our datagram unchanged/],
    bad: [{ name: 'other bytes', reply: (q) => flip(q, 3), reason: /not our datagram/ }],
  },
  {
    mod: daytimeUdp,
    respond: () => Uint8Array.from(r.asc('Thursday, November 26, 2026 12:31:02-UTC\r\n')),
    evidence: [/daytime service answered \(42 bytes\): Thursday, November 26, 2026 12:31:02-UTC\\x0d\\x0a/],
    bad: [],
  },
  {
    mod: qotdUdp,
    respond: () => Uint8Array.from(r.asc('"Quote."\r\n')),
    evidence: [/quote-of-the-day service answered/],
    bad: [],
  },
  {
    mod: chargenUdp,
    respond: () => Uint8Array.from(r.asc('!"#$%&\'()*+,-./0123')),
    evidence: [/chargen service answered \(19 bytes\)/],
    bad: [],
  },
  {
    mod: wsDiscovery,
    respond: r.wsdProbeMatches,
    evidence: [/ProbeMatches/],
    bad: [
      { name: 'other RelatesTo', reply: () => r.wsdProbeMatches(new Uint8Array(0)), reason: /RelatesTo/ },
      {
        name: 'a Hello, not ProbeMatches',
        reply: (q) =>
          Uint8Array.from(r.asc(new TextDecoder().decode(r.wsdProbeMatches(q)).replace('ProbeMatches', 'Hello'))),
        reason: /not a WS-Discovery ProbeMatches message/,
      },
    ],
  },
  {
    mod: radius,
    respond: (q) => Uint8Array.from([2, q[1], 0, 20, ...new Array(16).fill(0)]),
    evidence: [/RADIUS server answered Status-Server with code 2/],
    warnings: [/not checked/],
    bad: [
      {
        name: 'other identifier',
        reply: (q) => Uint8Array.from([2, q[1] ^ 1, 0, 20, ...new Array(16).fill(0)]),
        reason: /identifier/,
      },
      {
        name: 'an Access-Request',
        reply: (q) => Uint8Array.from([1, q[1], 0, 20, ...new Array(16).fill(0)]),
        reason: /code 1 is not an answer/,
      },
      {
        name: 'length past the datagram',
        reply: (q) => Uint8Array.from([2, q[1], 0, 200, ...new Array(16).fill(0)]),
        reason: /length 200 does not fit/,
      },
      {
        name: 'length under a header',
        reply: (q) => Uint8Array.from([2, q[1], 0, 19, ...new Array(16).fill(0)]),
        reason: /length 19 does not fit/,
      },
    ],
  },
];

describe('UDP protocol modules against spec-built fake servers', () => {
  for (const c of cases) {
    describe(`${c.mod.id}${c.ctx ? ` ${JSON.stringify(c.ctx)}` : ''}`, () => {
      it('recognises the reply with evidence', async () => {
        const server = await startFakeUdpServer(c.respond, { fromOtherPort: c.mod.replyFromOtherPort });
        try {
          const ctx = testContext(server.port, c.ctx);
          const probe = await probeFake(c.mod, ctx);
          expect([probe.state, probe.reason], probe.recognition?.reason).to.deep.equal(['open', 'reply']);
          const got = probe.recognition as Recognition;
          expect(got.valid, got.reason).to.equal(true);
          for (const re of c.evidence)
            expect(
              got.evidence.some((e) => re.test(e)),
              `${re} in ${JSON.stringify(got.evidence)}`,
            ).to.equal(true);
          for (const re of c.warnings ?? [])
            expect(
              (got.warnings ?? []).some((w) => re.test(w)),
              `${re} in ${JSON.stringify(got.warnings)}`,
            ).to.equal(true);
          if (!c.warnings) expect(got.warnings ?? []).to.deep.equal([]);
          expect(server.received).to.have.length(1);
        } finally {
          await server.close();
        }
      });
      for (const b of c.bad) {
        it(`rejects ${b.name}`, () => {
          const ctx = testContext(9, c.ctx);
          const got = c.mod.recognize(b.reply(c.mod.buildRequest(ctx)), ctx);
          expect(got.valid).to.equal(false);
          expect(got.reason).to.match(b.reason);
        });
      }
      it('rejects an empty datagram', () => {
        const ctx = testContext(9, c.ctx);
        const got = c.mod.recognize(new Uint8Array(0), ctx);
        expect(got.valid).to.equal(false);
        expect(got.reason).to.be.a('string').and.not.equal('');
      });
    });
  }
});
