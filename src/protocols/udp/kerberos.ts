/**
 * Kerberos KDC on UDP 88 (RFC 4120 §5.4.1, §5.9.1, §7.5.9).
 *
 * Sends: an AS-REQ without pre-authentication for a random principal that cannot exist
 * (`portolan-probe-<nonce>`), in the realm `ctx.domain` upper-cased, or in
 * `PORTOLAN-PROBE.INVALID` when no domain is known.
 * Recognised: a KRB-ERROR (pvno 5, msg-type 30, an error code) or an AS-REP.
 * KRB-ERROR echoes no nonce of ours, so the match is structural.
 * Proves: a Kerberos KDC answers. KDC_ERR_C_PRINCIPAL_UNKNOWN (6) with our realm also
 * proves the KDC serves that realm; KDC_ERR_WRONG_REALM (68) proves a KDC of another realm.
 * The server time gives the clock offset, which Kerberos allows up to 5 minutes.
 * Caveats: Windows logs event 4768 (failure 0x6) for the made-up user; no lockout.
 */
import { readU32be } from '../codec/bytes.js';
import { buildAsReq, readKrbReply } from '../codec/kerberos.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

/** Kerberos' default maximum clock skew (RFC 4120 §1.6 suggests 5 minutes; AD uses 5). */
const MAX_SKEW_S = 300;

/** The realm a probe asks about. */
export const probeRealm = (ctx: ProbeContext): string => (ctx.domain ?? 'portolan-probe.invalid').toUpperCase();

function build(ctx: ProbeContext): Uint8Array {
  const n = (readU32be(ctx.nonce, 0) ?? 0x1f2e3d4c) & 0x7fffffff;
  return buildAsReq({ realm: probeRealm(ctx), user: `portolan-probe-${n.toString(16)}`, nonce: n });
}

/** Evidence lines for a KRB-ERROR's server time: the time and the offset from this host. */
export function clockEvidence(serverTime: Date | null, now = Date.now()): { evidence: string[]; warnings: string[] } {
  if (!serverTime) return { evidence: [], warnings: [] };
  const offset = Math.round((serverTime.getTime() - now) / 1000);
  const evidence = [
    `server time ${serverTime.toISOString()} (about ${offset >= 0 ? '+' : ''}${offset} s from this host)`,
  ];
  const warnings =
    Math.abs(offset) > MAX_SKEW_S ? [`clock offset ${offset} s exceeds Kerberos' 5-minute tolerance`] : [];
  return { evidence, warnings };
}

function recognize(reply: Uint8Array, ctx: ProbeContext): Recognition {
  if (reply.length === 0) return rejected('empty datagram');
  const read = readKrbReply(reply);
  if (!read.ok) return rejected(read.reason);
  const r = read.value;
  if (r.kind === 'priv') return rejected('KRB-PRIV is not an answer to an AS-REQ');
  if (r.kind === 'as-rep') {
    return recognized(
      [`KDC issued an AS-REP for realm ${r.realm ?? '?'}`],
      ['the KDC answered a made-up principal without pre-authentication'],
    );
  }
  const realm = probeRealm(ctx);
  const evidence = [`Kerberos KDC answered: ${r.codeName} (${r.code})${r.meaning ? `: ${r.meaning}` : ''}`];
  if (r.realm) evidence.push(`realm ${r.realm}${r.realm.toUpperCase() === realm ? ' (the one asked for)' : ''}`);
  if (r.text) evidence.push(`e-text: ${r.text}`);
  const clock = clockEvidence(r.serverTime);
  evidence.push(...clock.evidence);
  const warnings = [...clock.warnings];
  if (ctx.domain && r.code === 68) warnings.push(`the KDC does not serve realm ${realm}`);
  return recognized(evidence, warnings);
}

export const kerberosUdp: UdpProtocol = {
  kind: 'datagram',
  id: 'kerberos-udp',
  transport: 'udp',
  everyServerAnswers: true,
  ports: [88],
  describe: 'Kerberos AS-REQ for a made-up principal; a KRB-ERROR or AS-REP proves a KDC',
  buildRequest: build,
  recognize,
};
