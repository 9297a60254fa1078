/**
 * Server replies for the TCP module tests, built field by field from the specifications
 * (not from the modules' encoders). Shared by the module tests and the fuzz test, whose
 * seeds they are.
 */
import { fromHex } from '../../support/tcp-fake-server.js';

// ---- DCE/RPC endpoint mapper (C706 ch. 12, Appendix L and O) ----

// bind_ack per C706 §12.6.4.4: max frags 4280, assoc group 0x53f0, sec_addr "135\0", pad, 1 result accepted + NDR.
export const BIND_ACK = fromHex(`05 00 0c 03 10 00 00 00 3c 00 00 00 01 00 00 00  b8 10 b8 10 f0 53 00 00
  04 00 31 33 35 00 00 00  01 00 00 00 00 00 00 00
  04 5d 88 8a eb 1c c9 11 9f e8 08 00 2b 10 48 60 02 00 00 00`);
export const BIND_NAK = fromHex('05 00 0d 03 10 00 00 00 12 00 00 00 01 00 00 00 04 00');

const le16 = (n: number) => [n & 0xff, n >> 8];
const le32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const NDR_FLOOR = '13 00 0d 04 5d 88 8a eb 1c c9 11 9f e8 08 00 2b 10 48 60 02 00 02 00 00 00';

/** C706 Appendix L towers, floor by floor. `uuidWire` is the interface UUID in wire order. */
function tower(uuidWire: string, major: number, rest: string): Uint8Array {
  return fromHex(
    `05 00 13 00 0d ${uuidWire} ${le16(major)
      .map((b) => b.toString(16).padStart(2, '0'))
      .join(' ')} 02 00 00 00 ${NDR_FLOOR} ${rest}`,
  );
}
export const DRSUAPI_49667 = fromHex(`05 00
  13 00 0d 35 42 51 e3 06 4b d1 11 ab 04 00 c0 4f c2 dc d2 04 00 02 00 00 00
  ${NDR_FLOOR}
  01 00 0b 02 00 00 00  01 00 07 02 00 c2 03  01 00 09 04 00 00 00 00 00`); // probes.md B1.6 worked example
const NETLOGON = '78 56 34 12 34 12 cd ab ef 00 01 23 45 67 cf fb';
export const NETLOGON_49668 = tower(
  NETLOGON,
  1,
  '01 00 0b 02 00 00 00 01 00 07 02 00 c2 04 01 00 09 04 00 0a 00 00 05',
);
export const NETLOGON_UDP = tower(NETLOGON, 1, '01 00 0a 02 00 00 00 01 00 08 02 00 c2 10 01 00 09 04 00 00 00 00 00');
export const NETLOGON_HTTP = tower(NETLOGON, 1, '01 00 0b 02 00 00 00 01 00 1f 02 00 c2 0a 01 00 09 04 00 00 00 00 00');
// ncacn_np \PIPE\lsass on \\DC1 (floor 4 0x0f pipe name, floor 5 0x11 NetBIOS host).
export const NETLOGON_NP = tower(
  NETLOGON,
  1,
  '01 00 0b 02 00 00 00 01 00 0f 0c 00 5c 50 49 50 45 5c 6c 73 61 73 73 00 01 00 11 04 00 44 43 31 00',
);

interface Entry {
  annotation: string;
  tower: Uint8Array | null;
}

/** An ept_lookup response stub (C706 Appendix O, NDR), built field by field. */
export function lookupStub(handle: number[], entries: Entry[], status: number): number[] {
  const out: number[] = [...handle, ...le32(entries.length), ...le32(100), ...le32(0), ...le32(entries.length)];
  const pad = () => {
    while (out.length % 4) out.push(0);
  };
  entries.forEach((e, i) => {
    out.push(...new Array(15).fill(0), i + 1); // object uuid
    out.push(...le32(e.tower ? 0x20000 + i : 0));
    const chars = [...Buffer.from(e.annotation, 'latin1'), 0];
    out.push(...le32(0), ...le32(chars.length), ...chars);
    pad();
  });
  for (const e of entries) {
    if (!e.tower) continue;
    out.push(...le32(e.tower.length), ...le32(e.tower.length), ...e.tower);
    pad();
  }
  out.push(...le32(status));
  return out;
}

/** The stub split into response PDUs of at most `chunk` stub bytes (FIRST/LAST_FRAG flags). */
export function responsePdus(stub: number[], callId: number, chunk = 4000): Uint8Array[] {
  const pdus: Uint8Array[] = [];
  for (let off = 0; off < stub.length; off += chunk) {
    const part = stub.slice(off, off + chunk);
    const flags = (off === 0 ? 1 : 0) | (off + chunk >= stub.length ? 2 : 0);
    pdus.push(
      Uint8Array.from([
        5,
        0,
        2,
        flags,
        0x10,
        0,
        0,
        0,
        ...le16(24 + part.length),
        0,
        0,
        ...le32(callId),
        ...le32(stub.length),
        0,
        0,
        0,
        0,
        ...part,
      ]),
    );
  }
  return pdus;
}

export const HANDLE_1 = [
  0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01,
];
export const ZERO = new Array(20).fill(0);

// ---- SMB2 (MS-SMB2 2.2.4) ----

// 2026-11-26T12:00:00Z as FILETIME: (1795694400000 ms + 11644473600000) * 10000.
const FILETIME = (1_795_694_400_000n + 11_644_473_600_000n) * 10_000n;
const le64 = (v: bigint) => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const hex = (a: number[]) => a.map((b) => b.toString(16).padStart(2, '0')).join(' ');

/** MS-SMB2 2.2.4 NEGOTIATE response with a 4-byte direct-TCP header, built field by field. */
export function negotiateResponse(dialect: string, securityMode: string, status = '00 00 00 00'): Uint8Array {
  const smb = fromHex(`fe 53 4d 42 40 00 00 00 ${status} 00 00 01 00 01 00 00 00 ${'00 '.repeat(44)}
    41 00 ${securityMode} ${dialect} 00 00
    10 32 54 76 98 ba dc fe 01 23 45 67 89 ab cd ef
    2f 00 00 00 00 00 80 00 00 00 80 00 00 00 80 00
    ${hex(le64(FILETIME))} 00 00 00 00 00 00 00 00
    80 00 00 00 00 00 00 00`);
  return Uint8Array.from([0, 0, smb.length >> 8, smb.length & 0xff, ...smb]);
}

// ---- LDAP (RFC 4511; Windows 0x84 lengths) ----

const enc = (s: string) => [...new TextEncoder().encode(s)];

/** A TLV with a 0x84 four-byte length, as Windows writes even small values (probes.md 0.3). */
const long = (tag: number, body: number[]) => [
  tag,
  0x84,
  (body.length >>> 24) & 0xff,
  (body.length >>> 16) & 0xff,
  (body.length >>> 8) & 0xff,
  body.length & 0xff,
  ...body,
];
const short = (tag: number, body: number[]) => [tag, body.length, ...body];
const attribute = (name: string, ...values: string[]) =>
  long(0x30, [
    ...short(0x04, enc(name)),
    ...long(
      0x31,
      values.flatMap((v) => short(0x04, enc(v))),
    ),
  ]);

// RFC 4511 §4.5.2 searchResEntry [APPLICATION 4] { objectName "", attributes } with messageID 1.
export const ENTRY = Uint8Array.from(
  long(0x30, [
    ...short(0x02, [1]),
    ...long(0x64, [
      0x04,
      0x00,
      ...long(0x30, [
        ...attribute('dnsHostName', 'DC1.example.test'),
        ...attribute('defaultNamingContext', 'DC=example,DC=test'),
        ...attribute('domainFunctionality', '7'),
        ...attribute('forestFunctionality', '7'),
        ...attribute('domainControllerFunctionality', '10'),
        ...attribute('supportedLDAPVersion', '3', '2'),
        ...attribute('ldapServiceName', 'example.test:dc1$@EXAMPLE.TEST'),
        ...attribute('isGlobalCatalogReady', 'TRUE'),
        ...attribute('supportedCapabilities', '1.2.840.113556.1.4.800', '1.2.840.113556.1.4.1670'),
      ]),
    ]),
  ]),
);
// searchResDone [APPLICATION 5] { resultCode success, matchedDN "", diagnosticMessage "" }.
export const DONE = Uint8Array.from(
  long(0x30, [...short(0x02, [1]), ...long(0x65, [0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00])]),
);
export const DONE_ERR = fromHex(
  '30 1f 02 01 01 65 1a 0a 01 01 04 00 04 13 30 30 30 30 30 30 30 30 3a 20 4c 64 61 70 45 72 72 3a 20',
); // operationsError
