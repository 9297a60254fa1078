/**
 * The endpoint mapper's ept_lookup call (opnum 2): request stub and response stub in NDR
 * (C706 Appendix O, MS-RPCE 2.2.1.2.4). Paging works through the 20-byte context handle
 * the server returns; an all-zero handle or EPT_S_NOT_REGISTERED ends the list.
 */
import { ByteReader, check, parseWith } from '../codec/byte-reader.js';
import { concat, guidToString, u32le } from '../codec/bytes.js';
import type { Parsed } from '../codec/parsed.js';
import { encodeRequest } from './pdu.js';

/** Endpoint mapper interface e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0. */
export const EPM_INTERFACE = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', major: 3, minor: 0 };
export const EPT_LOOKUP = 2;
/** "No more entries" (Samba ends the list with it; Windows returns 0 and a zero handle). */
export const EPT_S_NOT_REGISTERED = 0x16c9a0d6;
/** MS-RPCE: max_ents is a [range(0,500)] value. */
export const MAX_ENTS_LIMIT = 500;
export const HANDLE_SIZE = 20;
export const ZERO_HANDLE = new Uint8Array(HANDLE_SIZE);

/** ept_lookup(RPC_C_EP_ALL_ELTS, NULL object, NULL interface, RPC_C_VERS_ALL, handle, maxEnts). */
export function encodeEptLookup(handle: Uint8Array, callId: number, maxEnts = 100): Uint8Array {
  check(handle.length === HANDLE_SIZE, 'entry handle must be 20 bytes');
  const stub = concat(
    u32le(0), // inquiry_type RPC_C_EP_ALL_ELTS
    u32le(0), // object: NULL unique pointer
    u32le(0), // Ifid: NULL unique pointer
    u32le(1), // vers_option RPC_C_VERS_ALL
    handle,
    u32le(Math.min(Math.max(maxEnts, 1), MAX_ENTS_LIMIT)),
  );
  return encodeRequest(EPT_LOOKUP, stub, callId);
}

export interface EptEntry {
  object: string;
  annotation: string;
  /** The tower octets, or null for a NULL tower pointer. */
  tower: Uint8Array | null;
}

export interface EptLookupResult {
  handle: Uint8Array;
  entries: EptEntry[];
  status: number;
}

/** Longest annotation the IDL allows (ept_max_annotation_size). */
const MAX_ANNOTATION = 64;

/** The response stub (all fragments' stubs concatenated). `maxEntries` bounds the work on hostile counts. */
export function parseEptLookupResponse(stub: Uint8Array, maxEntries = 4096): Parsed<EptLookupResult> {
  return parseWith((): EptLookupResult => {
    const r = new ByteReader(stub);
    const handle = Uint8Array.from(r.take(HANDLE_SIZE, 'entry_handle'));
    const numEnts = r.u32le('num_ents');
    const maxCount = r.u32le('entries max_count');
    const offset = r.u32le('entries offset');
    const actual = r.u32le('entries actual_count');
    check(offset === 0, `entries offset ${offset} is not 0`);
    check(actual === numEnts && actual <= maxCount, `entry counts disagree (${numEnts}/${actual}/${maxCount})`);
    check(actual <= maxEntries, `${actual} entries exceed the limit of ${maxEntries}`);
    // Each inline entry is at least 28 bytes: refuse counts the stub cannot hold before looping.
    check(actual * 28 <= r.remaining, `${actual} entries cannot fit in ${r.remaining} bytes`);
    const inline: { object: string; towerRef: number; annotation: string }[] = [];
    for (let i = 0; i < actual; i++) {
      const object = guidToString(r.take(16, 'object uuid'));
      const towerRef = r.u32le('tower pointer');
      const annOffset = r.u32le('annotation offset');
      const annCount = r.u32le('annotation length');
      check(annOffset === 0 && annCount <= MAX_ANNOTATION, `bad annotation bounds (${annOffset}, ${annCount})`);
      const chars = r.take(annCount, 'annotation');
      const nul = chars.indexOf(0);
      const annotation = String.fromCharCode(...chars.subarray(0, nul >= 0 ? nul : chars.length));
      r.align(4);
      inline.push({ object, towerRef, annotation });
    }
    const entries: EptEntry[] = inline.map(({ object, towerRef, annotation }) => {
      if (towerRef === 0) return { object, annotation, tower: null };
      const conformance = r.u32le('tower max_count');
      const length = r.u32le('tower_length');
      check(conformance === length, `tower size ${conformance} != length ${length}`);
      const tower = Uint8Array.from(r.take(length, 'tower'));
      r.align(4);
      return { object, annotation, tower };
    });
    const status = r.u32le('status');
    return { handle, entries, status };
  });
}

export function isZeroHandle(handle: Uint8Array): boolean {
  return handle.every((b) => b === 0);
}
