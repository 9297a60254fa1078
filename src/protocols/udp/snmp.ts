/**
 * SNMP agent on UDP 161: two modules.
 *
 * `snmp` (RFC 3414 §4, RFC 3412 §7.2.5): an SNMPv3 engine-discovery request (msgFlags
 * reportable, USM, empty engine id and user), needing no credentials. Recognised: an
 * SNMPv3 message with our msgID carrying a Report PDU; evidence: the agent's engine id
 * (decoded per RFC 3411 §5), boots, engine time and the report's counter OID.
 *
 * `snmp-v2c` (RFC 3416 §4.2.1, RFC 1157): GetRequest sysDescr.0 with `ctx.snmpCommunity`
 * (default "public"). Recognised: version 1 (v2c), the community echoed, a GetResponse
 * with our request id; evidence: sysDescr, or the error/exception the agent returned.
 *
 * Proves: an SNMP agent. Caveats: agents drop requests with an unknown community or from
 * managers not on their list, silently (the Windows SNMP service does by default), and
 * the Windows service does not speak v3: silence then stays `open|filtered`.
 */

import {
  childrenOf,
  int,
  nul,
  octets,
  oid,
  oidValue,
  readAll,
  readInt,
  readTlv,
  seq,
  Tag,
  type Tlv,
  tlv,
} from '../codec/ber.js';
import { hex, printable, readU32be } from '../codec/bytes.js';
import { malformed, type Parsed, parsed } from '../codec/parsed.js';
import { recognized, rejected } from '../recognition.js';
import type { ProbeContext, Recognition, UdpProtocol } from '../types.js';

const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
const REPORT_OIDS: Record<string, string> = {
  '1.3.6.1.6.3.15.1.1.4.0': 'usmStatsUnknownEngineIDs',
  '1.3.6.1.6.3.15.1.1.3.0': 'usmStatsUnknownUserNames',
  '1.3.6.1.6.3.15.1.1.1.0': 'usmStatsUnsupportedSecLevels',
  '1.3.6.1.6.3.15.1.1.2.0': 'usmStatsNotInTimeWindows',
};
const ERROR_STATUS = ['noError', 'tooBig', 'noSuchName', 'badValue', 'readOnly', 'genErr'];
const EXCEPTIONS: Record<number, string> = { 128: 'noSuchObject', 129: 'noSuchInstance', 130: 'endOfMibView' };

/** A 31-bit id from the nonce (msgID / request-id). */
const requestId = (ctx: ProbeContext): number => (readU32be(ctx.nonce, 0) ?? 0x12345678) & 0x7fffffff || 1;

function buildV3(ctx: ProbeContext): Uint8Array {
  const id = requestId(ctx);
  const header = seq(int(id), int(65507), octets(Uint8Array.of(0x04)), int(3));
  const usm = octets(seq(octets(''), int(0), int(0), octets(''), octets(''), octets('')));
  const pdu = tlv(0xa0, int(id), int(0), int(0), seq());
  return seq(int(3), header, usm, seq(octets(''), octets(''), pdu));
}

function buildV2c(ctx: ProbeContext): Uint8Array {
  const community = ctx.snmpCommunity ?? 'public';
  const pdu = tlv(0xa0, int(requestId(ctx)), int(0), int(0), seq(seq(oid(SYS_DESCR), nul())));
  return seq(int(1), octets(community), pdu);
}

/** The SEQUENCE children of an SNMP message. */
function message(reply: Uint8Array): Parsed<Tlv[]> {
  if (reply.length === 0) return malformed('empty datagram');
  const outer = readTlv(reply, 0);
  if (!outer || outer.tag !== Tag.sequence) return malformed('not a BER SEQUENCE');
  const children = childrenOf(outer);
  return children ? parsed(children) : malformed('malformed SNMP message');
}

/** SnmpEngineID in words (RFC 3411 §5 SnmpEngineID textual convention). */
export function engineIdText(id: Uint8Array): string {
  const raw = `engine id ${hex(id)}`;
  if (id.length < 5 || !(id[0] & 0x80)) return raw;
  const enterprise = (readU32be(id, 0) ?? 0) & 0x7fffffff;
  const data = id.subarray(5);
  const formats: Record<number, () => string> = {
    1: () => `IPv4 ${data.join('.')}`,
    3: () => `MAC ${hex(data, ':')}`,
    4: () => `text "${printable(data, 32)}"`,
  };
  const detail = formats[id[4]]?.() ?? `format ${id[4]}`;
  return `${raw} (enterprise ${enterprise}${enterprise === 311 ? ' Microsoft' : enterprise === 8072 ? ' net-snmp' : ''}, ${detail})`;
}

/** The varbinds of a PDU's last child: [oid, value] pairs. */
function varbinds(list: Tlv | undefined): [string, Tlv][] {
  const out: [string, Tlv][] = [];
  for (const vb of (list?.tag === Tag.sequence && readAll(list.value)) || []) {
    const [name, value] = readAll(vb.value) ?? [];
    const dotted = name?.tag === Tag.oid ? oidValue(name.value) : null;
    if (dotted && value) out.push([dotted, value]);
  }
  return out;
}

function recognizeV3(reply: Uint8Array, ctx: ProbeContext): Recognition {
  const m = message(reply);
  if (!m.ok) return rejected(m.reason);
  const [version, header, security, scoped] = m.value;
  if (readInt(version) !== 3) return rejected(`SNMP version ${readInt(version)}, not 3`);
  const headerFields = header?.tag === Tag.sequence ? readAll(header.value) : null;
  if (!headerFields || readInt(headerFields[0]) !== requestId(ctx)) return rejected('SNMPv3 msgID does not match');
  if (security?.tag !== Tag.octetString) return rejected('missing security parameters');
  const usmSeq = readTlv(security.value, 0);
  const usm = usmSeq?.tag === Tag.sequence ? readAll(usmSeq.value) : null;
  if (!usm || usm[0]?.tag !== Tag.octetString) return rejected('malformed USM security parameters');
  if (scoped?.tag !== Tag.sequence) return rejected('missing scoped PDU (encrypted or malformed)');
  const pdu = readAll(scoped.value)?.[2];
  if (pdu?.tag !== 0xa8) return rejected(`expected a Report PDU, got tag 0x${(pdu?.tag ?? 0).toString(16)}`);
  const evidence = [`SNMPv3 agent answered engine discovery: ${engineIdText(usm[0].value)}`];
  const boots = readInt(usm[1]);
  const time = readInt(usm[2]);
  if (boots !== null && time !== null) evidence.push(`engine boots ${boots}, engine time ${time} s`);
  for (const [name] of varbinds(readAll(pdu.value)?.[3])) evidence.push(`report ${REPORT_OIDS[name] ?? name}`);
  return recognized(evidence);
}

function recognizeV2c(reply: Uint8Array, ctx: ProbeContext): Recognition {
  const m = message(reply);
  if (!m.ok) return rejected(m.reason);
  const [version, community, pdu] = m.value;
  const v = readInt(version);
  if (v !== 1 && v !== 0) return rejected(`SNMP version field ${v}, not v1/v2c`);
  const expected = ctx.snmpCommunity ?? 'public';
  if (community?.tag !== Tag.octetString || new TextDecoder().decode(community.value) !== expected) {
    return rejected('community not echoed');
  }
  if (pdu?.tag !== 0xa2) return rejected(`expected a GetResponse PDU, got tag 0x${(pdu?.tag ?? 0).toString(16)}`);
  const fields = readAll(pdu.value);
  if (!fields || readInt(fields[0]) !== requestId(ctx)) return rejected('request id does not match');
  const status = readInt(fields[1]) ?? 0;
  const evidence = [`SNMP ${v === 1 ? 'v2c' : 'v1'} agent answered with community "${printable(community.value, 32)}"`];
  if (status !== 0) return recognized([...evidence, `error-status ${ERROR_STATUS[status] ?? status}`]);
  const [, value] = varbinds(fields[3]).find(([name]) => name === SYS_DESCR) ?? [];
  if (value?.tag === Tag.octetString) evidence.push(`sysDescr: ${printable(value.value, 200)}`);
  else if (value && EXCEPTIONS[value.tag]) evidence.push(`sysDescr.0: ${EXCEPTIONS[value.tag]}`);
  return recognized(evidence);
}

export const snmp: UdpProtocol = {
  kind: 'datagram',
  id: 'snmp',
  transport: 'udp',
  ports: [161],
  describe: 'SNMPv3 engine discovery (no credentials); a Report with our msgID proves an SNMP agent',
  buildRequest: buildV3,
  recognize: recognizeV3,
};

export const snmpV2c: UdpProtocol = {
  kind: 'datagram',
  id: 'snmp-v2c',
  transport: 'udp',
  ports: [161],
  describe: 'SNMP v2c GetRequest sysDescr.0 with the community; a GetResponse with our id proves an SNMP agent',
  buildRequest: buildV2c,
  recognize: recognizeV2c,
};
