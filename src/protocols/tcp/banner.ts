/**
 * Services recognised by what they say first (probes.md B9, B4, B8, B10): one factory,
 * one spec per protocol. Most servers speak first (FTP, SMTP, POP3, NNTP, IMAP, Telnet,
 * ncacn_http); ADWS and MSMQ need a request first. A 4xx/5xx greeting still proves the
 * service (with a warning). After a recognised greeting the module says QUIT where the
 * protocol has one.
 */

import { ascii, concat, guidToString, nonceBytes, printable, readU32le } from '../codec/bytes.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, TcpProtocol } from '../types.js';

export interface BannerSpec {
  id: string;
  ports: number[];
  describe: string;
  /** Request to send before reading; absent when the server speaks first. */
  hello?: (ctx: ProbeContext) => Uint8Array;
  /** Framing for the reply; default: the first line, at most 1 KiB. */
  frame?: (buffered: Uint8Array) => number;
  /** Evidence for a recognised reply, or null. */
  recognize: (reply: Uint8Array) => Recognition;
  /** Polite goodbye after a recognised reply. */
  quit?: string;
}

const MAX_LINE = 1024;

/** The first line (through LF), or 1 KiB when no LF arrives. */
export function firstLine(b: Uint8Array): number {
  const lf = b.indexOf(0x0a);
  if (lf >= 0) return Math.min(lf + 1, MAX_LINE);
  return b.length >= MAX_LINE ? MAX_LINE : 0;
}

const lineText = (b: Uint8Array) => printable(b, 160).replace(/(\\x0d)?\\x0a$/, '');

export function bannerModule(spec: BannerSpec): TcpProtocol {
  return {
    kind: 'stream',
    id: spec.id,
    transport: 'tcp',
    ports: spec.ports,
    describe: spec.describe,
    async converse(io, ctx) {
      if (spec.hello) io.write(spec.hello(ctx));
      const reply = await io.read(spec.frame ?? firstLine, 64 * 1024);
      if (reply.length === 0) return rejected('connection closed without a greeting');
      const r = spec.recognize(reply);
      if (r.valid && spec.quit) io.write(ascii(spec.quit));
      return r;
    },
  };
}

/**
 * Recognition for "NNN text" greetings (FTP, SMTP, NNTP): `ready` codes prove the service
 * ready, `refusing` codes prove it but refuse us.
 */
function replyCode(service: string, ready: number[], refusing: number[]) {
  return (reply: Uint8Array): Recognition => {
    const line = lineText(reply);
    const m = /^(\d{3})[ -]/.exec(line);
    const code = m ? Number(m[1]) : Number.NaN;
    if (ready.includes(code)) return recognized([`${service} greeting: ${line}`]);
    if (refusing.includes(code)) {
      return recognized([`${service} greeting: ${line}`], [`${service} server refuses sessions (${code})`]);
    }
    return rejected(`not a ${service} greeting: ${line}`);
  };
}

function prefixed(service: string, ok: RegExp, refusing?: RegExp) {
  return (reply: Uint8Array): Recognition => {
    const line = lineText(reply);
    if (ok.test(line)) return recognized([`${service} greeting: ${line}`]);
    if (refusing?.test(line))
      return recognized([`${service} greeting: ${line}`], [`${service} server refuses sessions`]);
    return rejected(`not a ${service} greeting: ${line}`);
  };
}

export const ftp = bannerModule({
  id: 'ftp',
  ports: [21],
  describe: 'reads the FTP greeting; recognised: a 220 (or 421/5xx) reply line',
  recognize: replyCode('FTP', [220], [421, 530, 554]),
  quit: 'QUIT\r\n',
});

export const smtp = bannerModule({
  id: 'smtp',
  ports: [25],
  describe: 'reads the SMTP greeting; recognised: a 220 (or 421/554) reply line',
  recognize: replyCode('SMTP', [220], [421, 554]),
  quit: 'QUIT\r\n',
});

export const nntp = bannerModule({
  id: 'nntp',
  ports: [119],
  describe: 'reads the NNTP greeting; recognised: 200/201 (or 400/502)',
  recognize: replyCode('NNTP', [200, 201], [400, 502]),
  quit: 'QUIT\r\n',
});

export const pop3 = bannerModule({
  id: 'pop3',
  ports: [110],
  describe: 'reads the POP3 greeting; recognised: +OK (or -ERR)',
  recognize: prefixed('POP3', /^\+OK/, /^-ERR/),
  quit: 'QUIT\r\n',
});

export const imap = bannerModule({
  id: 'imap',
  ports: [143],
  describe: 'reads the IMAP greeting; recognised: * OK / * PREAUTH (or * BYE)',
  recognize: prefixed('IMAP', /^\* (OK|PREAUTH)\b/i, /^\* BYE\b/i),
  quit: 'a1 LOGOUT\r\n',
});

const IAC = 0xff;

export const telnet = bannerModule({
  id: 'telnet',
  ports: [23],
  describe: 'reads what a Telnet server sends first; recognised: IAC option negotiation (or a text banner)',
  frame: (b) => (b[0] === IAC ? b.length : firstLine(b)),
  recognize(reply) {
    if (reply[0] === IAC && reply.length >= 2 && reply[1] >= 0xfb && reply[1] <= 0xfe) {
      return recognized([`Telnet option negotiation (${reply.length} bytes of IAC commands)`]);
    }
    const line = lineText(reply);
    const printableStart = (reply[0] >= 0x20 && reply[0] < 0x7f) || reply[0] === 0x0d || reply[0] === 0x0a;
    if (printableStart) {
      return recognized([`text banner without Telnet negotiation: ${line}`]);
    }
    return rejected(`not Telnet: ${line}`);
  },
});

const NCACN_HTTP = 'ncacn_http/';

export const rpcOverHttp = bannerModule({
  id: 'ncacn-http',
  ports: [593],
  describe: 'reads the RPC over HTTP v1 banner; recognised: "ncacn_http/1.0" (MS-RPCH)',
  frame(b) {
    const want = ascii('ncacn_http/1.0');
    const prefix = b.subarray(0, NCACN_HTTP.length);
    if (!prefix.every((v, i) => v === want[i])) return b.length;
    return b.length >= want.length ? want.length : 0;
  },
  recognize(reply) {
    const m = /^ncacn_http\/(\d+\.\d+)$/.exec(String.fromCharCode(...reply.subarray(0, 32)));
    if (m) return recognized([`RPC over HTTP endpoint (ncacn_http/${m[1]})`]);
    return rejected(`not an ncacn_http banner: ${lineText(reply)}`);
  },
});

// --- .NET Message Framing (MC-NMF 2.2), used by ADWS on 9389 ---

/** MC-NMF 2.2.2 record sizes: 7 bits per byte, low bits first, high bit = more. */
export function nmfSize(n: number): number[] {
  const out: number[] = [];
  let v = n;
  do {
    out.push((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
    v >>>= 7;
  } while (v > 0);
  return out;
}

function nmfString(type: number, s: string): Uint8Array {
  const bytes = new TextEncoder().encode(s);
  return concat([type, ...nmfSize(bytes.length)], bytes);
}

/** Preamble + Upgrade Request for application/negotiate (probes.md B8). */
export function adwsPreamble(ctx: ProbeContext): Uint8Array {
  const via = `net.tcp://${ctx.target}:${ctx.port}/ActiveDirectoryWebServices/Windows/Enumeration`;
  return concat(
    [0x00, 0x01, 0x00, 0x01, 0x02],
    nmfString(0x02, via),
    [0x03, 0x08],
    nmfString(0x09, 'application/negotiate'),
  );
}

/** Where a sized record's payload starts and how long it is; null while the size is incomplete. */
function sizedRecord(b: Uint8Array): { start: number; size: number } | null {
  let size = 0;
  for (let i = 1; i < Math.min(b.length, 6); i++) {
    size += (b[i] & 0x7f) * 2 ** (7 * (i - 1));
    if ((b[i] & 0x80) === 0) return { start: i + 1, size };
  }
  return null;
}

/** Framing: a single Upgrade Response byte, or a whole Fault record (0x08 + size + text). */
function nmfRecordLength(b: Uint8Array): number {
  if (b.length === 0) return 0;
  if (b[0] !== 0x08) return 1;
  const r = sizedRecord(b);
  if (!r) return b.length >= 6 ? b.length : 0;
  return b.length >= r.start + r.size ? r.start + r.size : 0;
}

export const adws = bannerModule({
  id: 'adws',
  ports: [9389],
  describe: '.NET Message Framing preamble + upgrade request; recognised: Upgrade Response (0x0A) or a Fault record',
  hello: adwsPreamble,
  frame: nmfRecordLength,
  recognize(reply) {
    if (reply.length === 1 && reply[0] === 0x0a) {
      return recognized(['.NET net.tcp listener accepted the ADWS upgrade to application/negotiate']);
    }
    const fault = reply[0] === 0x08 ? sizedRecord(reply) : null;
    if (fault && fault.size > 0 && reply.length === fault.start + fault.size) {
      const text = printable(reply.subarray(fault.start), 200);
      return recognized([`.NET net.tcp listener answered with a fault: ${text}`]);
    }
    return rejected(`not a .NET Message Framing record (0x${reply[0].toString(16)})`);
  },
});

// --- MSMQ EstablishConnection (MS-MQQB 2.2.3), TCP 1801 ---

const MSMQ_PACKET = 572;
const LIOR = ascii('LIOR');

/** BaseHeader + InternalHeader (EstablishConnection) + client GUID from the nonce, 512 bytes padding. */
export function msmqEstablishConnection(ctx: ProbeContext): Uint8Array {
  const out = new Uint8Array(MSMQ_PACKET);
  out.set([0x10, 0x00, 0x0b, 0x00, ...LIOR, MSMQ_PACKET & 0xff, MSMQ_PACKET >> 8, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  out.set([0x00, 0x00, 0x02, 0x00], 16); // InternalHeader: reserved, packet type 2 = EstablishConnection
  out.set(nonceBytes(ctx.nonce, 16), 20); // ClientGuid; ServerGuid (36..51) stays zero: allowed for direct names
  return out;
}

/** Framing by the BaseHeader's PacketSize (u32 LE at offset 8), at most 64 KiB. */
function msmqFrameLength(b: Uint8Array): number {
  if (b.length >= 1 && b[0] !== 0x10) return b.length;
  const size = readU32le(b, 8);
  if (size === null) return 0;
  if (size < 12 || size > 65_536) return b.length;
  return b.length >= size ? size : 0;
}

export const msmq = bannerModule({
  id: 'msmq',
  ports: [1801],
  describe: 'MSMQ EstablishConnection packet; recognised: a reply with the LIOR signature (MS-MQQB)',
  hello: msmqEstablishConnection,
  frame: msmqFrameLength,
  recognize(reply) {
    const signed = reply[0] === 0x10 && LIOR.every((v, i) => reply[4 + i] === v);
    if (!signed) return rejected('no MSMQ LIOR signature');
    const guid = reply.length >= 52 ? reply.subarray(36, 52) : null;
    const named = guid?.some((b) => b !== 0) ? `; queue manager GUID ${guidToString(guid)}` : '';
    return recognized([`MSMQ queue manager answered EstablishConnection (${reply.length} bytes)${named}`]);
  },
});
