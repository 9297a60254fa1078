/**
 * UDP services that no unauthenticated request can draw an answer from. Each module
 * sends the least intrusive datagram that still makes a closed port answer with ICMP
 * port-unreachable (the engine reads that as `closed`), and says in `silentByDesign`
 * what would settle `open|filtered`. Their `recognize` rejects everything except where a
 * real answer is possible (a RADIUS server that answers Status-Server without a
 * Message-Authenticator, a WS-Discovery host that answers unicast).
 *
 * RADIUS 1812/1813/1645/1646: RFC 2865 §3, RFC 5997 (servers silently drop clients without
 * a shared secret). NetBIOS datagram 138: RFC 1002 §4.4 (answers go to port 138).
 * SNMP trap 162: RFC 3416 §4.2.6 (receivers answer only InformRequests). Discard 9: RFC 863.
 * RTP/RTCP 5004/5005: RFC 3550 (media only inside a session). WS-Discovery 3702:
 * WS-Discovery 2005/04 §5.2 (hosts answer multicast probes).
 */
import { ascii, concat, hex, nonceBytes, readU16be, u16be } from '../codec/bytes.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

const CAPTURE = 'a packet capture on the target showing the datagram arrive';
const RESPONDER = 'the portolan responder on the target (it records the datagram)';

const silentRecognize = (what: string) => (reply: Uint8Array) =>
  rejected(reply.length ? `${what} never answers; this reply is some other service` : 'empty datagram');

function silent(
  id: string,
  ports: number[],
  describe: string,
  silentByDesign: string,
  request: (ctx: ProbeContext) => Uint8Array,
): UdpProtocol {
  return {
    kind: 'datagram',
    id,
    transport: 'udp',
    ports,
    describe,
    buildRequest: request,
    recognize: silentRecognize(describe),
    silentByDesign,
  };
}

const empty = () => new Uint8Array(0);

/** RADIUS Status-Server (code 12) without a Message-Authenticator: a conforming server drops it. */
function radiusRequest(ctx: ProbeContext): Uint8Array {
  return concat([12, ctx.nonce[0] ?? 0], u16be(20), nonceBytes(ctx.nonce, 16));
}

function radiusRecognize(reply: Uint8Array, ctx: ProbeContext): Recognition {
  if (reply.length < 20) return rejected(`reply too short for RADIUS (${reply.length} bytes)`);
  const code = reply[0];
  if (![2, 3, 5, 11].includes(code)) return rejected(`RADIUS code ${code} is not an answer`);
  if (reply[1] !== (ctx.nonce[0] ?? 0)) return rejected('RADIUS identifier does not match');
  const length = readU16be(reply, 2) ?? 0;
  if (length < 20 || length > reply.length) return rejected(`RADIUS length ${length} does not fit the datagram`);
  return recognized(
    [`RADIUS server answered Status-Server with code ${code}`],
    ['the Response Authenticator was not checked (no shared secret given)'],
  );
}

const radiusSilence = `a RADIUS server drops requests from clients it has no shared secret for: configure this host as a RADIUS client and give the secret, run ${RESPONDER}, or use ${CAPTURE}`;

export const radius: UdpProtocol = {
  ...silent('radius', [1812, 1645], 'RADIUS authentication', radiusSilence, radiusRequest),
  recognize: radiusRecognize,
};
export const radiusAcct: UdpProtocol = {
  ...silent('radius-acct', [1813, 1646], 'RADIUS accounting', radiusSilence, radiusRequest),
  recognize: radiusRecognize,
};

export const netbiosDgm = silent(
  'netbios-dgm',
  [138],
  'NetBIOS datagram service',
  `answers go as new datagrams to port 138 of a registered NetBIOS name: run ${RESPONDER}, or use ${CAPTURE}`,
  empty,
);
export const snmpTrap = silent(
  'snmp-trap',
  [162],
  'SNMP trap receiver',
  `trap receivers never answer traps (and an InformRequest would be recorded as an alert): run ${RESPONDER}, or use ${CAPTURE}`,
  empty,
);
export const discardUdp = silent(
  'discard-udp',
  [9],
  'discard service',
  `discard never answers: run ${RESPONDER}, or use ${CAPTURE}`,
  empty,
);
export const rtp = silent(
  'rtp',
  [5004, 5005],
  'RTP/RTCP media',
  `media ports answer only inside a negotiated session: run ${RESPONDER}, or use ${CAPTURE}`,
  empty,
);

/** WS-Discovery Probe (2005/04, as Windows uses) with a message id from the nonce. */
function wsdMessageId(ctx: ProbeContext): string {
  const h = hex(nonceBytes(ctx.nonce, 16));
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function wsdProbe(ctx: ProbeContext): Uint8Array {
  return ascii(
    '<?xml version="1.0" encoding="utf-8"?>' +
      '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
      'xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof">' +
      '<soap:Header><wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>' +
      '<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action>' +
      `<wsa:MessageID>${wsdMessageId(ctx)}</wsa:MessageID></soap:Header>` +
      '<soap:Body><wsd:Probe><wsd:Types>wsdp:Device</wsd:Types></wsd:Probe></soap:Body></soap:Envelope>',
  );
}

export const wsDiscovery: UdpProtocol = {
  ...silent(
    'ws-discovery',
    [3702],
    'WS-Discovery',
    `hosts answer multicast probes, rarely unicast ones (wsdd ignores them): run ${RESPONDER}, or use ${CAPTURE}`,
    wsdProbe,
  ),
  recognize: (reply, ctx) => {
    if (reply.length === 0) return rejected('empty datagram');
    const text = new TextDecoder('utf-8', { fatal: false }).decode(reply.subarray(0, 65536));
    if (!/\/discovery\/ProbeMatches\s*</.test(text)) return rejected('not a WS-Discovery ProbeMatches message');
    if (!text.includes(wsdMessageId(ctx))) return rejected('RelatesTo does not name our Probe');
    return recognized(['WS-Discovery host answered our unicast Probe with ProbeMatches']);
  },
};
