/**
 * IKE on UDP 500 and IKE over NAT-T on UDP 4500 (RFC 7296 §3.1–3.10; RFC 3948 §2.2; RFC 2408 §3.1).
 *
 * Sends: an IKEv2 IKE_SA_INIT with a random initiator SPI (from the nonce), one proposal
 * (AES-CBC-256, HMAC-SHA2-256, group 14), a KE payload and a nonce. On 4500 the same
 * message follows the 4-byte non-ESP marker (zeros), without which the packet is ESP.
 * Recognised: a message whose initiator SPI equals ours: IKEv2 (a response to
 * IKE_SA_INIT) or IKEv1 (an Informational such as INVALID-MAJOR-VERSION from a v1-only peer).
 * Proves: an IKE responder; evidence: version, exchange, payload and notify types
 * (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, COOKIE ... all still prove the responder).
 * Caveats: Windows IKEEXT without an IPsec policy may stay silent; some IKEv1 peers answer
 * only from source port 500, which needs privileges.
 */
import { concat, hex, nonceBytes, readU16be, readU32be, u16be, u32be } from '../codec/bytes.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

const NON_ESP_MARKER = [0, 0, 0, 0];
/** Payloads walked at most. */
const MAX_PAYLOADS = 32;

const V2_EXCHANGES: Record<number, string> = {
  34: 'IKE_SA_INIT',
  35: 'IKE_AUTH',
  36: 'CREATE_CHILD_SA',
  37: 'INFORMATIONAL',
};
const V1_EXCHANGES: Record<number, string> = { 2: 'Identity Protection', 4: 'Aggressive', 5: 'Informational' };
const V2_PAYLOADS: Record<number, string> = {
  33: 'SA',
  34: 'KE',
  38: 'CERTREQ',
  40: 'Nonce',
  41: 'Notify',
  43: 'Vendor ID',
};
const NOTIFY: Record<number, string> = {
  1: 'UNSUPPORTED_CRITICAL_PAYLOAD',
  4: 'INVALID_IKE_SPI',
  5: 'INVALID_MAJOR_VERSION',
  7: 'INVALID_SYNTAX',
  14: 'NO_PROPOSAL_CHOSEN',
  17: 'INVALID_KE_PAYLOAD',
  24: 'AUTHENTICATION_FAILED',
  16388: 'NAT_DETECTION_SOURCE_IP',
  16389: 'NAT_DETECTION_DESTINATION_IP',
  16390: 'COOKIE',
  16404: 'MULTIPLE_AUTH_SUPPORTED',
  16430: 'IKEV2_FRAGMENTATION_SUPPORTED',
  16431: 'SIGNATURE_HASH_ALGORITHMS',
};

/** Our initiator SPI: 8 bytes from the nonce, never zero. */
function initiatorSpi(ctx: ProbeContext): Uint8Array {
  const spi = nonceBytes(ctx.nonce, 8);
  if (spi.every((b) => b === 0)) spi[7] = 1;
  return spi;
}

/** IKEv2 IKE_SA_INIT request (376 bytes). */
export function buildSaInit(ctx: ProbeContext): Uint8Array {
  const transform = (last: boolean, type: number, id: number, attr: number[] = []) =>
    concat([last ? 0 : 3, 0], u16be(8 + attr.length), [type, 0], u16be(id), attr);
  const transforms = concat(
    transform(false, 1, 12, [0x80, 0x0e, 0x01, 0x00]), // ENCR_AES_CBC, key length 256
    transform(false, 2, 5), // PRF_HMAC_SHA2_256
    transform(false, 3, 12), // AUTH_HMAC_SHA2_256_128
    transform(true, 4, 14), // D-H group 14 (MODP-2048)
  );
  const proposal = concat([0, 0], u16be(8 + transforms.length), [1, 1, 0, 4], transforms);
  const sa = concat([34, 0], u16be(4 + proposal.length), proposal);
  const keData = nonceBytes(ctx.nonce.slice().reverse(), 256);
  keData[0] &= 0x7f; // keep the public value below the MODP-2048 prime
  const ke = concat([40, 0], u16be(8 + keData.length), u16be(14), [0, 0], keData);
  const nonce = concat([0, 0], u16be(36), nonceBytes(ctx.nonce, 40).subarray(8));
  const body = concat(sa, ke, nonce);
  const header = concat(initiatorSpi(ctx), new Uint8Array(8), [33, 0x20, 34, 0x08], u32be(0), u32be(28 + body.length));
  return concat(header, body);
}

/** Decode an IKE message (without the non-ESP marker) sent in answer to our SPI. */
function readIke(msg: Uint8Array, ctx: ProbeContext): Recognition {
  if (msg.length < 28) return rejected(`reply too short for an IKE header (${msg.length} bytes)`);
  const spi = initiatorSpi(ctx);
  if (!spi.every((b, i) => msg[i] === b)) return rejected('initiator SPI is not ours');
  const major = msg[17] >> 4;
  if (major !== 1 && major !== 2) return rejected(`IKE major version ${major}`);
  const exchange = msg[18];
  const flags = msg[19];
  const length = readU32be(msg, 24) ?? 0;
  if (length < 28 || length > msg.length) return rejected(`IKE length field ${length} does not fit the datagram`);
  if (major === 2 && !(flags & 0x20)) return rejected('IKEv2 message without the Response flag');
  const exchangeName = (major === 2 ? V2_EXCHANGES : V1_EXCHANGES)[exchange] ?? `exchange ${exchange}`;
  const responderSpi = msg.subarray(8, 16);
  const payloads: string[] = [];
  let next = msg[16];
  let offset = 28;
  while (next !== 0 && payloads.length < MAX_PAYLOADS) {
    const plen = readU16be(msg, offset + 2);
    if (plen === null || plen < 4 || offset + plen > length) return rejected('IKE payload chain runs past the message');
    // Notify: v2 type 41 (protocol, SPI size, type at +6); v1 type 11 (DOI, protocol, SPI size, type at +10).
    const notifyAt = major === 2 && next === 41 ? 6 : major === 1 && next === 11 ? 10 : -1;
    const notify = notifyAt > 0 ? readU16be(msg, offset + notifyAt) : null;
    payloads.push(
      notify !== null
        ? `Notify ${NOTIFY[notify] ?? notify}`
        : ((major === 2 ? V2_PAYLOADS[next] : null) ?? `payload ${next}`),
    );
    next = msg[offset];
    offset += plen;
  }
  const evidence = [`IKEv${major} responder answered: ${exchangeName}`];
  if (responderSpi.some((b) => b !== 0)) evidence.push(`responder SPI ${hex(responderSpi)}`);
  if (payloads.length) evidence.push(`payloads: ${payloads.join(', ')}`);
  return recognized(evidence);
}

export const ike: UdpProtocol = {
  kind: 'datagram',
  id: 'ike',
  transport: 'udp',
  ports: [500],
  describe: 'IKEv2 IKE_SA_INIT with a random SPI; any IKE reply echoing our SPI proves an IKE responder',
  buildRequest: buildSaInit,
  recognize: (reply, ctx) => readIke(reply, ctx),
};

export const ikeNatT: UdpProtocol = {
  kind: 'datagram',
  id: 'ike-natt',
  transport: 'udp',
  ports: [4500],
  describe: 'IKEv2 IKE_SA_INIT after the non-ESP marker; a marked IKE reply echoing our SPI proves NAT-T IKE',
  buildRequest: (ctx) => concat(NON_ESP_MARKER, buildSaInit(ctx)),
  recognize: (reply, ctx) => {
    if (reply.length < 4 || reply[0] | reply[1] | reply[2] | reply[3])
      return rejected('no non-ESP marker: not IKE over NAT-T');
    return readIke(reply.subarray(4), ctx);
  },
};
