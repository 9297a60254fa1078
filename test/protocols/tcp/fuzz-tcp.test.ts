import { expect } from 'chai';
import { parseEptLookupResponse } from '../../../src/protocols/rpc/epm.js';
import { parseBindAck, parseCallReply, pduFrameLength } from '../../../src/protocols/rpc/pdu.js';
import { decodeTower } from '../../../src/protocols/rpc/tower.js';
import { ldapMessageLength, parseLdapMessage } from '../../../src/protocols/tcp/ldap.js';
import { parseConnectionConfirm, tpktFrameLength } from '../../../src/protocols/tcp/rdp.js';
import { directTcpFrameLength, parseNegotiateResponse } from '../../../src/protocols/tcp/smb2.js';
import { fuzzParser } from '../../support/fuzz.js';
import { fromHex } from '../../support/tcp-fake-server.js';
import {
  BIND_ACK,
  BIND_NAK,
  DONE,
  DONE_ERR,
  DRSUAPI_49667,
  ENTRY,
  HANDLE_1,
  lookupStub,
  NETLOGON_49668,
  NETLOGON_NP,
  negotiateResponse,
  responsePdus,
} from './replies.js';

const RUNS = 10_000;
/** Generous: 10,000 runs take well under a second each on this machine; a hang would blow it. */
const TIME_LIMIT_MS = 5000;

const stub = Uint8Array.from(
  lookupStub(
    HANDLE_1,
    [
      { annotation: 'MS NT Directory DRS Interface', tower: DRSUAPI_49667 },
      { annotation: '', tower: NETLOGON_49668 },
      { annotation: 'x', tower: null },
      { annotation: '', tower: NETLOGON_NP },
    ],
    0,
  ),
);

/** Parser name, function, seeds (valid inputs from the specifications). */
const targets: [string, (b: Uint8Array) => unknown, Uint8Array[]][] = [
  ['rpc bind_ack', (b) => parseBindAck(b), [BIND_ACK, BIND_NAK]],
  ['rpc response fragment', (b) => [pduFrameLength(b), parseCallReply(b, 2)], responsePdus([...stub], 2, 200)],
  ['ept_lookup response stub', (b) => parseEptLookupResponse(b), [stub]],
  ['protocol tower', (b) => decodeTower(b), [DRSUAPI_49667, NETLOGON_49668, NETLOGON_NP]],
  ['LDAP message', (b) => [ldapMessageLength(b), parseLdapMessage(b)], [ENTRY, DONE, DONE_ERR]],
  [
    'SMB2 negotiate response',
    (b) => [directTcpFrameLength(b), parseNegotiateResponse(b)],
    [negotiateResponse('11 03', '03 00'), negotiateResponse('02 02', '01 00', 'bb 00 00 c0')],
  ],
  [
    'RDP X.224 Connection Confirm',
    (b) => [tpktFrameLength(b), parseConnectionConfirm(b)],
    [fromHex('03 00 00 13 0e d0 00 00 12 34 00 02 1f 08 00 02 00 00 00'), fromHex('03 00 00 0b 06 d0 00 00 12 34 00')],
  ],
];

describe('fuzz: TCP protocol parsers (10,000 seeded inputs each)', () => {
  for (const [name, fn, seeds] of targets) {
    it(`${name}: never throws, never hangs`, () => {
      for (const seed of seeds) expect(() => fn(seed)).not.to.throw();
      const report = fuzzParser(name, fn, seeds, RUNS);
      expect(report.runs).to.equal(RUNS);
      expect(report.ms).to.be.below(TIME_LIMIT_MS);
    });
  }

  it('the seeds are accepted as valid by their parsers', () => {
    expect(parseBindAck(BIND_ACK).ok).to.equal(true);
    expect(parseEptLookupResponse(stub)).to.have.nested.property('value.entries.length', 4);
    expect(decodeTower(DRSUAPI_49667).ok).to.equal(true);
    expect(parseLdapMessage(ENTRY)).to.have.nested.property('value.kind', 'entry');
    expect(parseNegotiateResponse(negotiateResponse('11 03', '03 00')).ok).to.equal(true);
  });
});
