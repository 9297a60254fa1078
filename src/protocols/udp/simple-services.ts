/**
 * Simple TCP/IP Services over UDP: echo 7 (RFC 862), daytime 13 (RFC 867), qotd 17
 * (RFC 865), chargen 19 (RFC 864). Windows "Simple TCP/IP Services" (simptcp) and inetd
 * provide them.
 *
 * Sends: a short ASCII datagram carrying the nonce in hex.
 * Recognised: echo: the identical datagram back (the nonce proves it is ours); daytime,
 * qotd, chargen: any non-empty datagram (these protocols send a fresh one per request,
 * so nothing can be matched).
 * Proves: the service answers. Caveats: any UDP service that answers every datagram would
 * pass the daytime/qotd/chargen rule, so their evidence shows the first characters.
 * Discard (9) never answers: see silent.ts.
 */
import { ascii, bytesEqual, hex, printable } from '../codec/bytes.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

const request = (ctx: ProbeContext): Uint8Array => ascii(`portolan ${hex(ctx.nonce.subarray(0, 16))}\r\n`);

function anyText(label: string) {
  return (reply: Uint8Array): Recognition =>
    reply.length === 0
      ? rejected('empty datagram')
      : recognized([`${label} answered (${reply.length} bytes): ${printable(reply, 80)}`]);
}

function simple(id: string, port: number, describe: string, recognize: UdpProtocol['recognize']): UdpProtocol {
  return { kind: 'datagram', id, transport: 'udp', ports: [port], describe, buildRequest: request, recognize };
}

export const echoUdp = simple('echo-udp', 7, 'echo: our nonce datagram must come back unchanged', (reply, ctx) => {
  if (reply.length === 0) return rejected('empty datagram');
  return bytesEqual(reply, request(ctx))
    ? recognized(['echo service returned our datagram unchanged'])
    : rejected('the reply is not our datagram');
});
export const daytimeUdp = simple('daytime-udp', 13, 'daytime: any non-empty datagram', anyText('daytime service'));
export const qotdUdp = simple(
  'qotd-udp',
  17,
  'quote of the day: any non-empty datagram',
  anyText('quote-of-the-day service'),
);
export const chargenUdp = simple('chargen-udp', 19, 'chargen: any non-empty datagram', anyText('chargen service'));
