/**
 * Kerberos password change (kpasswd) on UDP 464 (RFC 3244 §2–3; Samba kpasswd-service.c).
 *
 * Sends: 8 bytes, a deliberately malformed request: length 8, version 1, AP-REQ length 1,
 * one byte of "AP-REQ" and one of "KRB-PRIV". Nothing is changed: no ticket, no key.
 * Recognised: a framed reply (total length = datagram length, version 1 or 0xff80, then a
 * KRB-ERROR or KRB-PRIV after the AP-REP) or a bare KRB-ERROR (some implementations).
 * Proves: a Kerberos password-change service answers.
 * Caveats: the request carries no nonce, so the match is structural. Samba and MIT answer
 * this garbage with an error; Windows' answer to it is not verified (probes.md A10).
 */
import { printable, readU16be } from '../codec/bytes.js';
import { readKrbReply } from '../codec/kerberos.js';
import { recognized, rejected } from '../recognition.js';
import type { Recognition, UdpProtocol } from '../types.js';
import { clockEvidence } from './kerberos.js';

/** kpasswd result codes (RFC 3244 §2). */
const RESULTS = [
  'SUCCESS',
  'MALFORMED',
  'HARDERROR',
  'AUTHERROR',
  'SOFTERROR',
  'ACCESSDENIED',
  'BAD_VERSION',
  'INITIAL_FLAG_NEEDED',
];

const REQUEST = Uint8Array.of(0x00, 0x08, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00);

function recognize(reply: Uint8Array): Recognition {
  if (reply.length === 0) return rejected('empty datagram');
  let message = reply;
  let framing = 'bare';
  if (reply[0] !== 0x7e) {
    const length = readU16be(reply, 0);
    const version = readU16be(reply, 2);
    const apRep = readU16be(reply, 4);
    if (length === null || version === null || apRep === null)
      return rejected('reply too short for the kpasswd header');
    if (length !== reply.length)
      return rejected(`kpasswd length field ${length} differs from the datagram (${reply.length})`);
    if (version !== 1 && version !== 0xff80) return rejected(`kpasswd version 0x${version.toString(16)}`);
    if (6 + apRep >= reply.length) return rejected('kpasswd reply without a message after the AP-REP');
    message = reply.subarray(6 + apRep);
    framing = 'framed';
  }
  const read = readKrbReply(message);
  if (!read.ok) return rejected(read.reason);
  const r = read.value;
  if (r.kind === 'as-rep') return rejected('an AS-REP is not a kpasswd reply');
  if (r.kind === 'priv') return recognized(['kpasswd service answered with a KRB-PRIV (framed reply)']);
  const evidence = [`kpasswd service answered (${framing}): ${r.codeName} (${r.code})`];
  const result = r.edata ? readU16be(r.edata, 0) : null;
  if (result !== null && r.edata) {
    const words = r.edata.length > 2 ? `: ${printable(r.edata.subarray(2), 120)}` : '';
    evidence.push(`result ${RESULTS[result] ?? result}${words}`);
  }
  if (r.realm) evidence.push(`realm ${r.realm}`);
  const clock = clockEvidence(r.serverTime);
  return recognized([...evidence, ...clock.evidence], clock.warnings);
}

export const kpasswdUdp: UdpProtocol = {
  kind: 'datagram',
  id: 'kpasswd-udp',
  transport: 'udp',
  everyServerAnswers: true,
  ports: [464],
  describe: 'malformed kpasswd request; a framed KRB-ERROR/KRB-PRIV reply proves the password-change service',
  buildRequest: () => REQUEST.slice(),
  recognize,
};
