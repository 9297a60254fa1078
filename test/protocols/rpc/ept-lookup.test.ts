/**
 * The ept_lookup response stub decoder (src/protocols/rpc/epm.ts) on hand-built NDR
 * (tcp/replies.ts `lookupStub`): every count the server sends is checked against the others
 * and against the bytes left before any loop, so a malformed endpoint-mapper reply is
 * refused with the field it broke, never half-read.
 */
import { expect } from 'chai';
import {
  EPT_LOOKUP,
  encodeEptLookup,
  isZeroHandle,
  parseEptLookupResponse,
  ZERO_HANDLE,
} from '../../../src/protocols/rpc/epm.js';
import { DRSUAPI_49667, HANDLE_1, lookupStub, NETLOGON_49668, ZERO } from '../tcp/replies.js';

const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
/** Overwrite the little-endian u32 at `at`. */
const withU32 = (stub: ArrayLike<number>, at: number, n: number) => {
  const copy = Array.from(stub);
  copy.splice(at, 4, ...le32(n));
  return Uint8Array.from(copy);
};
// Stub layout: handle 0..19, num_ents 20, max_count 24, offset 28, actual_count 32, entries from 36.
const NUM_ENTS = 20;
const MAX_COUNT = 24;
const OFFSET = 28;
const ACTUAL = 32;
const FIRST_ENTRY = 36;

const two = lookupStub(
  HANDLE_1,
  [
    { annotation: 'MS NT Directory DRS Interface', tower: DRSUAPI_49667 },
    { annotation: '', tower: null },
  ],
  0x16c9a0d6,
);

const reason = (stub: Uint8Array, maxEntries?: number) => {
  const r = parseEptLookupResponse(stub, maxEntries);
  return r.ok ? null : r.reason;
};

describe('rpc/epm: ept_lookup response stub', () => {
  it('reads the handle, every entry (a NULL tower as null) and the status', () => {
    const r = parseEptLookupResponse(Uint8Array.from(two));
    if (!r.ok) throw new Error(r.reason);
    expect([...r.value.handle]).to.deep.equal(HANDLE_1);
    expect(r.value.status).to.equal(0x16c9a0d6);
    expect(r.value.entries.map((e) => [e.object, e.annotation, e.tower?.length ?? null])).to.deep.equal([
      ['00000000-0000-0000-0000-000000000001', 'MS NT Directory DRS Interface', DRSUAPI_49667.length],
      ['00000000-0000-0000-0000-000000000002', '', null],
    ]);
    expect([...(r.value.entries[0]?.tower ?? [])]).to.deep.equal([...DRSUAPI_49667]);
  });

  it('reads an empty list', () => {
    const r = parseEptLookupResponse(Uint8Array.from(lookupStub(ZERO, [], 0)));
    expect(r.ok && [r.value.entries.length, r.value.status, isZeroHandle(r.value.handle)]).to.deep.equal([0, 0, true]);
  });

  it('refuses num_ents that disagrees with actual_count (either way)', () => {
    expect(reason(withU32(two, NUM_ENTS, 1))).to.equal('entry counts disagree (1/2/100)');
    expect(reason(withU32(two, NUM_ENTS, 3))).to.equal('entry counts disagree (3/2/100)');
  });

  it('refuses actual_count above the conformant max_count', () => {
    expect(reason(withU32(two, MAX_COUNT, 1))).to.equal('entry counts disagree (2/2/1)');
    // Equal is fine.
    expect(parseEptLookupResponse(withU32(two, MAX_COUNT, 2)).ok).to.equal(true);
  });

  it('refuses a non-zero conformant-varying offset', () => {
    expect(reason(withU32(two, OFFSET, 1))).to.equal('entries offset 1 is not 0');
  });

  it('refuses more entries than the caller’s limit, and accepts exactly the limit', () => {
    expect(reason(Uint8Array.from(two), 1)).to.equal('2 entries exceed the limit of 1');
    expect(parseEptLookupResponse(Uint8Array.from(two), 2).ok).to.equal(true);
  });

  it('refuses counts the stub cannot hold before reading any entry', () => {
    const big = withU32(withU32(withU32(two, NUM_ENTS, 4000), MAX_COUNT, 4000), ACTUAL, 4000);
    expect(reason(big)).to.match(/^4000 entries cannot fit in \d+ bytes$/);
  });

  it('refuses annotation bounds outside the IDL’s (offset 0, at most 64 characters)', () => {
    const annOffset = FIRST_ENTRY + 16 + 4;
    expect(reason(withU32(two, annOffset, 1))).to.match(/^bad annotation bounds \(1, 30\)$/);
    const long = lookupStub(HANDLE_1, [{ annotation: 'x'.repeat(64), tower: null }], 0);
    expect(reason(Uint8Array.from(long))).to.equal('bad annotation bounds (0, 65)');
    const fits = lookupStub(HANDLE_1, [{ annotation: 'x'.repeat(63), tower: null }], 0);
    expect(parseEptLookupResponse(Uint8Array.from(fits)).ok).to.equal(true);
  });

  it('keeps an annotation that lacks its NUL terminator whole', () => {
    const stub = lookupStub(HANDLE_1, [{ annotation: 'abcd', tower: null }], 0);
    const nul = FIRST_ENTRY + 16 + 4 + 4 + 4 + 4; // the annotation's fifth character, its terminator
    stub[nul] = 0x65; // 'e'
    const r = parseEptLookupResponse(Uint8Array.from(stub));
    expect(r.ok && r.value.entries[0]?.annotation).to.equal('abcde');
  });

  it('refuses a tower whose conformance and length disagree', () => {
    const one = lookupStub(HANDLE_1, [{ annotation: '', tower: NETLOGON_49668 }], 0);
    const towerAt = FIRST_ENTRY + 16 + 4 + 4 + 4 + 4; // uuid, pointer, ann offset, ann length, "\0" padded to 4
    expect(reason(withU32(one, towerAt, NETLOGON_49668.length + 1))).to.equal(
      `tower size ${NETLOGON_49668.length + 1} != length ${NETLOGON_49668.length}`,
    );
  });

  it('refuses a truncated stub, naming the field it ran out in', () => {
    expect(reason(Uint8Array.from(two.slice(0, 10)))).to.match(/entry_handle/);
    expect(reason(Uint8Array.from(two.slice(0, two.length - 2)))).to.match(/status/);
  });

  it('builds an ept_lookup request: opnum 2, our handle, max_ents clamped to 1..500', () => {
    const stubOf = (pdu: Uint8Array) => pdu.subarray(24);
    const maxEnts = (pdu: Uint8Array) => new DataView(pdu.buffer, pdu.byteOffset).getUint32(24 + 36, true);
    const req = encodeEptLookup(Uint8Array.from(HANDLE_1), 7, 100);
    expect(req[2]).to.equal(0); // request PDU
    expect(new DataView(req.buffer).getUint16(22, true)).to.equal(EPT_LOOKUP);
    expect([...stubOf(req).subarray(0, 16)]).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    expect([...stubOf(req).subarray(16, 36)]).to.deep.equal(HANDLE_1);
    expect(maxEnts(req)).to.equal(100);
    expect(maxEnts(encodeEptLookup(ZERO_HANDLE, 1, 0))).to.equal(1);
    expect(maxEnts(encodeEptLookup(ZERO_HANDLE, 1, 10_000))).to.equal(500);
    expect(() => encodeEptLookup(new Uint8Array(19), 1)).to.throw(/20 bytes/);
  });

  it('tells a zero handle from any other', () => {
    expect(isZeroHandle(ZERO_HANDLE)).to.equal(true);
    expect(isZeroHandle(Uint8Array.from(HANDLE_1))).to.equal(false);
    const lastByte = new Uint8Array(20);
    lastByte[19] = 1;
    expect(isZeroHandle(lastByte)).to.equal(false);
  });
});
