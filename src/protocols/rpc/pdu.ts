/**
 * DCE/RPC connection-oriented PDUs the endpoint-mapper probe needs: bind, bind_ack /
 * bind_nak, request, response and fault (C706 §12.6, MS-RPCE 2.2.2). Pure: bytes in,
 * values out; decoders return `Parsed` and never throw.
 */
import { ByteReader, check, parseWith } from '../codec/byte-reader.js';
import { concat, guidToBytes, u16le, u32le } from '../codec/bytes.js';
import type { Parsed } from '../codec/parsed.js';

export const PacketType = { request: 0, response: 2, fault: 3, bind: 11, bindAck: 12, bindNak: 13 } as const;
export const FIRST_FRAG = 0x01;
export const LAST_FRAG = 0x02;
/** Our max_xmit_frag / max_recv_frag; C706 requires at least 1432, Windows offers 4280/5840. */
export const MAX_FRAG = 4280;
/** NDR transfer syntax 8a885d04-1ceb-11c9-9fe8-08002b104860 v2.0. */
export const NDR_SYNTAX = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: 2 };

const HEADER = 16;

/** Common header with frag_length filled in for `body`. Little-endian data representation. */
function pdu(type: number, callId: number, body: Uint8Array): Uint8Array {
  const header = [
    5,
    0,
    type,
    FIRST_FRAG | LAST_FRAG,
    0x10,
    0,
    0,
    0,
    ...u16le(HEADER + body.length),
    0,
    0,
    ...u32le(callId),
  ];
  return concat(header, body);
}

/** A bind to one interface with the NDR transfer syntax (presentation context 0). */
export function encodeBind(iface: { uuid: string; major: number; minor: number }, callId = 1): Uint8Array {
  return pdu(
    PacketType.bind,
    callId,
    concat(
      u16le(MAX_FRAG),
      u16le(MAX_FRAG),
      u32le(0), // assoc_group_id: a new association
      [1, 0, 0, 0], // n_context_elem 1 + reserved
      [0, 0, 1, 0], // p_cont_id 0, n_transfer_syn 1, reserved
      guidToBytes(iface.uuid),
      u16le(iface.major),
      u16le(iface.minor),
      guidToBytes(NDR_SYNTAX.uuid),
      u32le(NDR_SYNTAX.version),
    ),
  );
}

/** A request PDU for operation `opnum` on presentation context 0. */
export function encodeRequest(opnum: number, stub: Uint8Array, callId: number): Uint8Array {
  return pdu(PacketType.request, callId, concat(u32le(stub.length), u16le(0), u16le(opnum), stub));
}

export interface PduHeader {
  type: number;
  flags: number;
  fragLength: number;
  callId: number;
}

/**
 * Framing for `StreamIO.read`: the length of the first PDU once it is all buffered,
 * 0 while more is needed, or everything buffered as soon as it cannot be DCE/RPC (so the
 * caller gets the bytes at once and the decoder says why).
 */
export function pduFrameLength(buffered: Uint8Array): number {
  if (buffered.length >= 1 && buffered[0] !== 5) return buffered.length;
  if (buffered.length < 10) return 0;
  const fragLength = buffered[8] | (buffered[9] << 8);
  if (fragLength < HEADER) return buffered.length;
  return buffered.length >= fragLength ? fragLength : 0;
}

function readHeader(r: ByteReader): PduHeader {
  const version = r.u8('rpc_vers');
  const minor = r.u8('rpc_vers_minor');
  check(version === 5 && minor <= 1, `not DCE/RPC v5 (version ${version}.${minor})`);
  const type = r.u8('PTYPE');
  const flags = r.u8('pfc_flags');
  const drep = r.u8('drep');
  check((drep & 0xf0) === 0x10, 'big-endian data representation is not supported');
  r.skip(3, 'drep');
  const fragLength = r.u16le('frag_length');
  r.u16le('auth_length');
  const callId = r.u32le('call_id');
  check(fragLength >= HEADER && fragLength <= r.bytes.length, `frag_length ${fragLength} does not match the PDU`);
  return { type, flags, fragLength, callId };
}

export type BindReply =
  | { kind: 'ack'; accepted: boolean; result: number; reason: number; secondaryAddress: string; maxRecvFrag: number }
  | { kind: 'nak'; reason: number };

/** A bind_ack (first presentation result) or bind_nak (C706 §12.6.4.4, §12.6.4.5). */
export function parseBindAck(bytes: Uint8Array): Parsed<BindReply> {
  return parseWith((): BindReply => {
    const r = new ByteReader(bytes);
    const h = readHeader(r);
    if (h.type === PacketType.bindNak) return { kind: 'nak', reason: r.u16le('reject reason') };
    check(h.type === PacketType.bindAck, `PDU type ${h.type} is not bind_ack`);
    r.u16le('max_xmit_frag');
    const maxRecvFrag = r.u16le('max_recv_frag');
    r.u32le('assoc_group_id');
    const addrLength = r.u16le('sec_addr length');
    const addr = r.take(addrLength, 'sec_addr');
    const secondaryAddress = String.fromCharCode(
      ...addr.subarray(0, addr.indexOf(0) >= 0 ? addr.indexOf(0) : addr.length),
    );
    r.align(4);
    const count = r.u8('n_results');
    check(count >= 1, 'bind_ack carries no presentation result');
    r.skip(3);
    const result = r.u16le('result');
    const reason = r.u16le('reason');
    r.take(20, 'transfer syntax');
    return { kind: 'ack', accepted: result === 0, result, reason, secondaryAddress, maxRecvFrag };
  });
}

export type CallReply = { kind: 'response'; last: boolean; stub: Uint8Array } | { kind: 'fault'; status: number };

/** A response fragment's stub, or a fault's status, for call `callId`. */
export function parseCallReply(bytes: Uint8Array, callId: number): Parsed<CallReply> {
  return parseWith((): CallReply => {
    const r = new ByteReader(bytes);
    const h = readHeader(r);
    check(h.callId === callId, `call_id ${h.callId} is not ours (${callId})`);
    check(h.type === PacketType.response || h.type === PacketType.fault, `PDU type ${h.type} is not a response`);
    r.u32le('alloc_hint');
    r.u16le('p_cont_id');
    r.u8('cancel_count');
    r.u8('reserved');
    if (h.type === PacketType.fault) return { kind: 'fault', status: r.u32le('fault status') };
    return { kind: 'response', last: (h.flags & LAST_FRAG) !== 0, stub: bytes.subarray(r.offset, h.fragLength) };
  });
}

/** Well-known fault and EPM status codes, for evidence text. */
export function rpcStatusName(status: number): string {
  const names: Record<number, string> = {
    469827587: 'nca_s_op_rng_error',
    469827586: 'nca_s_unk_if',
    1783: 'RPC_X_BAD_STUB_DATA',
    5: 'access denied',
    382312662: 'EPT_S_NOT_REGISTERED',
  };
  return `0x${status.toString(16).padStart(8, '0')}${names[status] ? ` ${names[status]}` : ''}`;
}
