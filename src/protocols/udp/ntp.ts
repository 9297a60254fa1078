/**
 * NTP on UDP 123 (RFC 5905 §7.3, §7.4; SNTP RFC 4330 §5).
 *
 * Sends: a 48-byte mode-3 (client) packet, version 4, whose transmit timestamp is 8 random
 * bytes from the nonce.
 * Recognised: at least 48 bytes, mode 4 (server), version 1–4, and the origin timestamp
 * equal to our transmit timestamp (the server must copy it: this is the match).
 * Short replies are rejected, not taken as "no data".
 * Proves: an NTP server that serves clients. Stratum 0 is a Kiss-o'-Death (RATE, DENY ...),
 * which still proves NTP. Evidence: stratum, reference id, and the server's clock offset
 * from this host estimated as transmit time minus receive time (error up to the round trip).
 * Caveats: W32Time answers only where its NtpServer provider is enabled (DCs by default);
 * chrony answers only with an `allow` directive.
 */
import { printable, readU32be } from '../codec/bytes.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

/** Seconds between the NTP era 0 epoch (1900) and the Unix epoch. */
const NTP_UNIX_OFFSET = 2_208_988_800;

function transmitStamp(ctx: ProbeContext): Uint8Array {
  const out = new Uint8Array(8);
  out.set(ctx.nonce.subarray(0, 8));
  return out;
}

function build(ctx: ProbeContext): Uint8Array {
  const p = new Uint8Array(48);
  p[0] = 0x23; // LI 0, VN 4, mode 3
  p.set(transmitStamp(ctx), 40);
  return p;
}

/** NTP timestamp at `offset` as Unix milliseconds (era 0, or era 1 after 2036). */
function ntpTime(b: Uint8Array, offset: number): number | null {
  const seconds = readU32be(b, offset);
  const fraction = readU32be(b, offset + 4);
  if (seconds === null || fraction === null || (seconds === 0 && fraction === 0)) return null;
  // RFC 5905 §6: a timestamp below 2^31 falls in era 1 (from 2036) for any current clock.
  const unix = seconds - NTP_UNIX_OFFSET + (seconds < 0x80000000 ? 2 ** 32 : 0);
  return unix * 1000 + (fraction / 2 ** 32) * 1000;
}

function referenceId(reply: Uint8Array, stratum: number): string {
  const id = reply.subarray(12, 16);
  if (stratum <= 1)
    return (
      printable(
        id.filter((b) => b !== 0),
        4,
      ) || '(empty)'
    );
  // Stratum 2+: the upstream server's IPv4 address (or a hash of its IPv6 address).
  return id.join('.');
}

function recognize(reply: Uint8Array, ctx: ProbeContext): Recognition {
  if (reply.length < 48) return rejected(`NTP reply too short (${reply.length} bytes, need 48)`);
  const mode = reply[0] & 7;
  const version = (reply[0] >> 3) & 7;
  if (mode !== 4) return rejected(`NTP mode ${mode}, not 4 (server)`);
  if (version < 1 || version > 4) return rejected(`NTP version ${version}`);
  const sent = transmitStamp(ctx);
  if (!sent.every((v, i) => reply[24 + i] === v))
    return rejected('origin timestamp does not echo our transmit timestamp');
  const stratum = reply[1];
  const li = reply[0] >> 6;
  const refId = referenceId(reply, stratum);
  if (stratum === 0) {
    return recognized(
      [`NTP server answered with a Kiss-o'-Death: ${refId}`],
      [`the server refuses to serve time (${refId})`],
    );
  }
  const evidence = [
    `NTP v${version} server, stratum ${stratum}${stratum >= 16 ? ' (unsynchronised)' : ''}, reference ${refId}`,
  ];
  const warnings: string[] = [];
  if (li === 3 || stratum >= 16) warnings.push('the server says its clock is not synchronised');
  const serverTx = ntpTime(reply, 40);
  if (serverTx !== null) {
    const offset = (serverTx - Date.now()) / 1000;
    evidence.push(`server clock about ${offset >= 0 ? '+' : ''}${offset.toFixed(3)} s from this host (± round trip)`);
    if (Math.abs(offset) > 300)
      warnings.push(`clock offset ${offset.toFixed(0)} s exceeds Kerberos' 5-minute tolerance`);
  }
  return recognized(evidence, warnings);
}

export const ntp: UdpProtocol = {
  kind: 'datagram',
  id: 'ntp',
  transport: 'udp',
  ports: [123],
  describe: 'NTP client request (mode 3); a mode-4 reply echoing our transmit timestamp proves an NTP server',
  buildRequest: build,
  recognize,
};
