/**
 * Server replies built byte by byte from the specifications (not from the modules' own
 * encoders), as a real server would send them for a given request. Shared by the module
 * tests and the fuzz test (whose seeds they are).
 */

/** Bytes from a hex string with spaces. */
export const hx = (s: string): number[] => (s.match(/[0-9a-f]{2}/gi) ?? []).map((b) => Number.parseInt(b, 16));
/** ASCII bytes. */
export const asc = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
/** X.690 §8.1.3 definite length (test side): short form below 128, else 0x81 nn (< 256 bytes). */
export function t(tag: number, ...content: number[][]): number[] {
  const body = content.flat();
  if (body.length > 255) throw new Error('test TLVs stay under 256 bytes');
  return body.length < 128 ? [tag, body.length, ...body] : [tag, 0x81, body.length, ...body];
}
/** X.690 long form with four length bytes (0x84), as Windows LDAP writes every length. */
export function t4(tag: number, ...content: number[][]): number[] {
  const body = content.flat();
  const n = body.length;
  return [tag, 0x84, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, ...body];
}
const u8 = (b: number[]) => Uint8Array.from(b);
const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];

/** RFC 1035: header with QR+AA, the question copied, one SOA answer (compressed names). */
export function dnsReply(req: Uint8Array, rcode = 0): Uint8Array {
  // The question is the labels up to the root byte, then QTYPE and QCLASS; an EDNS OPT record after it is not echoed.
  let end = 12;
  while (end < req.length && req[end] !== 0) end += req[end] + 1;
  const question = Array.from(req.subarray(12, end + 5));
  const soa = [
    ...hx('03 64 63 31 c0 0c'),
    ...hx('0a'),
    ...asc('hostmaster'),
    ...hx('c0 0c'),
    ...hx('00 00 00 01 00 00 0e 10 00 00 02 58 00 09 3a 80 00 00 0e 10'),
  ];
  const answer = rcode === 0 ? [...hx('c0 0c 00 06 00 01 00 00 0e 10'), ...be16(soa.length), ...soa] : [];
  return u8([req[0], req[1], 0x84, rcode, 0, 1, 0, answer.length ? 1 : 0, 0, 0, 0, 0, ...question, ...answer]);
}

/** [MS-ADTS] 6.3.1.9 NETLOGON_SAM_LOGON_RESPONSE_EX for example.test (flags 0xe00031fd). */
export const netlogonBlob = [
  ...hx('17 00 00 00 fd 31 00 e0'),
  ...hx('01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10'),
  ...hx('07'),
  ...asc('example'),
  ...hx('04'),
  ...asc('test'),
  0, // 24: forest
  ...hx('c0 18'), // 38: domain -> forest
  ...hx('03'),
  ...asc('dc1'),
  ...hx('c0 18'), // 40: host
  ...hx('07'),
  ...asc('EXAMPLE'),
  0, // 46: NetBIOS domain
  ...hx('03'),
  ...asc('DC1'),
  0, // 55: NetBIOS computer
  0, // 60: user
  0x17,
  ...asc('Default-First-Site-Name'),
  0, // 61: DC site
  ...hx('c0 3d'), // 86: client site -> DC site
  ...hx('05 00 00 00 ff ff ff ff'),
];

/** CLDAP reply for a request with message id `id`: searchResEntry + searchResDone, 0x84 lengths. */
export function cldapReply(req: Uint8Array, blob: number[] | null = netlogonBlob): Uint8Array {
  // The request's messageID TLV is at offset 2 (30 LL 02 len id...): copy it as a server does.
  const idTlv = Array.from(req.subarray(2, 4 + req[3]));
  const attrs = blob ? t4(0x30, t4(0x30, t4(0x04, asc('Netlogon')), t4(0x31, t4(0x04, blob)))) : t4(0x30);
  const entry = t4(0x30, idTlv, t4(0x64, t4(0x04), attrs));
  const done = t4(0x30, idTlv, t4(0x65, hx('0a 01 00 04 00 04 00')));
  return u8([...entry, ...done]);
}

const generalString = (s: string) => t(0x1b, asc(s));

/** RFC 4120 §5.9.1 KRB-ERROR: KDC_ERR_C_PRINCIPAL_UNKNOWN for realm EXAMPLE.TEST at `stime`. */
export function krbError(stime: string, code = 6, edata: number[] | null = null): number[] {
  return t(
    0x7e,
    t(
      0x30,
      t(0xa0, t(0x02, [5])),
      t(0xa1, t(0x02, [30])),
      t(0xa4, t(0x18, asc(stime))),
      t(0xa5, t(0x02, hx('0a 0b 0c'))),
      t(0xa6, t(0x02, [code])),
      t(0xa9, generalString('EXAMPLE.TEST')),
      t(0xaa, t(0x30, t(0xa0, t(0x02, [2])), t(0xa1, t(0x30, generalString('krbtgt'), generalString('EXAMPLE.TEST'))))),
      ...(edata ? [t(0xac, t(0x04, edata))] : []),
    ),
  );
}

/** GeneralizedTime for a Date ("YYYYMMDDHHMMSSZ"). */
export const kerberosTime = (d: Date): string => `${d.toISOString().slice(0, 19).replace(/[-T:]/g, '')}Z`;

/** RFC 4120 §5.7.1 KRB-PRIV: [APPLICATION 21] { pvno 5, msg-type 21, enc-part { etype 18, cipher } }. */
export function krbPriv(): number[] {
  const int = (n: number) => t(0x02, [n]);
  const encPart = t(0x30, t(0xa0, int(18)), t(0xa2, t(0x04, new Array(16).fill(0x5a))));
  return t(0x75, t(0x30, t(0xa0, int(5)), t(0xa1, int(21)), t(0xa3, encPart)));
}

/** RFC 4120 §5.4.2 AS-REP (APPLICATION 11) for realm EXAMPLE.TEST; ticket and enc-part elided to what the probe reads. */
export function asRep(): number[] {
  const int = (n: number) => t(0x02, [n]);
  return t(0x6b, t(0x30, t(0xa0, int(5)), t(0xa1, int(11)), t(0xa3, generalString('EXAMPLE.TEST'))));
}

/** RFC 3244 §3 framed reply: length, version 1, AP-REP length 0, KRB-ERROR with result MALFORMED. */
export function kpasswdReply(): Uint8Array {
  const err = krbError(kerberosTime(new Date()), 60, [0, 1, ...asc('Malformed')]);
  return u8([...be16(6 + err.length), 0, 1, 0, 0, ...err]);
}

/** NTP seconds+fraction for a Unix ms time. */
function ntpStamp(ms: number): number[] {
  const seconds = Math.floor(ms / 1000) + 2_208_988_800;
  const fraction = Math.floor(((ms % 1000) / 1000) * 2 ** 32);
  return [
    ...be16(Math.floor(seconds / 65536)),
    ...be16(seconds & 0xffff),
    ...be16(Math.floor(fraction / 65536)),
    ...be16(fraction & 0xffff),
  ];
}

/** RFC 5905 §7.3 server reply: VN 4 mode 4, stratum 2, refid 192.0.2.1, origin = request transmit. */
export function ntpReply(req: Uint8Array, clockOffsetMs = 0): Uint8Array {
  const now = Date.now() + clockOffsetMs;
  return u8([
    ...hx('24 02 06 ec 00 00 00 10 00 00 00 20 c0 00 02 01'),
    ...ntpStamp(now - 60_000),
    ...Array.from(req.subarray(40, 48)),
    ...ntpStamp(now),
    ...ntpStamp(now),
  ]);
}

/** RFC 1002 §4.2.18 NODE STATUS RESPONSE: three names and a MAC. */
export function nbstatReply(req: Uint8Array): Uint8Array {
  const name = (n: string, suffix: number, flags: string) => [...asc(n.padEnd(15, ' ')), suffix, ...hx(flags)];
  const rdata = [
    3,
    ...name('DC1', 0x00, '04 00'),
    ...name('EXAMPLE', 0x00, '84 00'),
    ...name('EXAMPLE', 0x1c, '84 00'),
    ...hx('00 15 5d 01 02 03'),
    ...new Array(40).fill(0),
  ];
  const encodedName = Array.from(req.subarray(12, 46));
  return u8([
    req[0],
    req[1],
    ...hx('84 00 00 00 00 01 00 00 00 00'),
    ...encodedName,
    ...hx('00 21 00 01 00 00 00 00'),
    ...be16(rdata.length),
    ...rdata,
  ]);
}

/** RFC 3414 §4 Report for engine discovery, engine id 80 00 01 37 04 "DC1" (Microsoft, text). */
export function snmpV3Report(req: Uint8Array): Uint8Array {
  // msgID: request 30 LL 02 01 03 30 LL 02 04 <id>
  const msgId = Array.from(req.subarray(9, 13));
  const engine = hx('80 00 01 37 04 44 43 31');
  const usm = t(0x30, t(0x04, engine), t(0x02, [5]), t(0x02, [1, 0]), t(0x04), t(0x04), t(0x04));
  const varbind = t(0x30, t(0x30, t(0x06, hx('2b 06 01 06 03 0f 01 01 04 00')), t(0x41, [7])));
  const pdu = t(0xa8, t(0x02, msgId), t(0x02, [0]), t(0x02, [0]), varbind);
  return u8(
    t(
      0x30,
      t(0x02, [3]),
      t(0x30, t(0x02, msgId), t(0x02, hx('00 ff e3')), t(0x04, [0]), t(0x02, [3])),
      t(0x04, usm),
      t(0x30, t(0x04, engine), t(0x04), pdu),
    ),
  );
}

/** RFC 3416 GetResponse with sysDescr.0, echoing community and request id. */
export function snmpV2cResponse(req: Uint8Array, community = 'public'): Uint8Array {
  // 30 LL 02 01 01 04 len community a0 LL 02 04 <id>
  const idAt = 5 + 2 + community.length + 2;
  const reqId = Array.from(req.subarray(idAt + 2, idAt + 2 + req[idAt + 1]));
  const descr = asc('Hardware: Intel64 Family 6 - Software: Windows Version 6.3 (Build 17763 Multiprocessor Free)');
  const vb = t(0x30, t(0x30, t(0x06, hx('2b 06 01 02 01 01 01 00')), t(0x04, descr)));
  return u8(t(0x30, t(0x02, [1]), t(0x04, asc(community)), t(0xa2, t(0x02, reqId), t(0x02, [0]), t(0x02, [0]), vb)));
}

/** RFC 1350 §5 ERROR 1 "File not found". */
export const tftpError = (): Uint8Array => u8([0, 5, 0, 1, ...asc('File not found'), 0]);

/** UPnP 1.1 §1.3.3 search response (minidlna-like). */
export const ssdpReply = (): Uint8Array =>
  u8(
    asc(
      'HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nST: upnp:rootdevice\r\nUSN: uuid:4d696e69-444c-164e-9d41-b827eb000001::upnp:rootdevice\r\n' +
        'EXT:\r\nSERVER: Debian/12 DLNADOC/1.50 UPnP/1.0 MiniDLNA/1.3.0\r\nLOCATION: http://127.0.0.1:8200/rootDesc.xml\r\nContent-Length: 0\r\n\r\n',
    ),
  );

/** [MC-SQLR] 2.2.5 SVR_RESP listing two instances. */
export function sqlBrowserReply(): Uint8Array {
  const data = asc(
    'ServerName;SQL1;InstanceName;MSSQLSERVER;IsClustered;No;Version;15.0.2000.5;tcp;1433;np;\\\\SQL1\\pipe\\sql\\query;;' +
      'ServerName;SQL1;InstanceName;SQLEXPRESS;IsClustered;No;Version;16.0.1000.6;np;\\\\SQL1\\pipe\\MSSQL$SQLEXPRESS\\sql\\query;;',
  );
  return u8([5, data.length & 0xff, data.length >> 8, ...data]);
}

/** RFC 7296 §3.1/§3.10 IKE_SA_INIT response carrying only Notify NO_PROPOSAL_CHOSEN (14). */
export function ikeNoProposal(req: Uint8Array, marker = false): Uint8Array {
  const body = marker ? req.subarray(4) : req;
  const msg = [
    ...Array.from(body.subarray(0, 8)),
    ...new Array(8).fill(0),
    ...hx('29 20 22 20 00 00 00 00 00 00 00 24'),
    ...hx('00 00 00 08 00 00 00 0e'),
  ];
  return u8(marker ? [0, 0, 0, 0, ...msg] : msg);
}

/** RFC 2661 StopCCN to the tunnel id the SCCRQ assigned (AVP 9, at a fixed place in our SCCRQ). */
export function l2tpStopCcn(req: Uint8Array): Uint8Array {
  // Walk the request's AVPs for Assigned Tunnel ID (attribute 9).
  let tunnel = [0, 0];
  for (let o = 12; o + 6 <= req.length; o += ((req[o] & 3) << 8) | req[o + 1]) {
    if (req[o + 5] === 9) tunnel = [req[o + 6], req[o + 7]];
    if ((((req[o] & 3) << 8) | req[o + 1]) < 6) break;
  }
  const avps = [
    ...hx('80 08 00 00 00 00 00 04'),
    ...hx('80 08 00 00 00 09 00 07'),
    ...hx('80 0a 00 00 00 01 00 02 00 00'),
    ...hx('80 0c 00 00 00 07'),
    ...asc('lns-1.'),
    ...hx('80 0f 00 00 00 08'),
    ...asc('Xelerance'),
  ];
  return u8([0xc8, 0x02, ...be16(12 + avps.length), ...tunnel, 0, 0, 0, 0, 0, 1, ...avps]);
}

/** [MS-RDPEUDP] SYN+ACK: snSourceAck = the request's snInitialSequenceNumber, padded to 1232. */
export function rdpSynAck(req: Uint8Array): Uint8Array {
  const out = new Uint8Array(1232);
  out.set([...hx('00 00 00 00 00 40 00 05 12 34 56 78 04 d0 04 d0')]);
  out.set(req.subarray(8, 12), 0);
  return out;
}

/** [MS-MQQB] 2.2.7 ping response: signature, cookie echoed, QM GUID. */
export const msmqPong = (req: Uint8Array): Uint8Array =>
  u8([0, 0, 0x48, 0x55, ...Array.from(req.subarray(4, 8)), ...hx('78 56 34 12 34 12 78 56 90 ab cd ef 01 23 45 67')]);

/** WS-Discovery ProbeMatches relating to the request's MessageID. */
export function wsdProbeMatches(req: Uint8Array): Uint8Array {
  const id = /<wsa:MessageID>([^<]+)</.exec(new TextDecoder().decode(req))?.[1] ?? '';
  return u8(
    asc(
      '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">' +
        `<soap:Header><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action><wsa:RelatesTo>${id}</wsa:RelatesTo></soap:Header>` +
        '<soap:Body/></soap:Envelope>',
    ),
  );
}
