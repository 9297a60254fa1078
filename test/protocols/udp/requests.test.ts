/**
 * The requests the modules send, compared with the byte layouts written down from the
 * specifications in notes/probes.md (Part A), and the BER codec against X.690 examples.
 */
import { expect } from 'chai';
import { int, oid, oidValue, readAll, readTlv } from '../../../src/protocols/codec/ber.js';
import { buildAsReq } from '../../../src/protocols/codec/kerberos.js';
import { modulesFor } from '../../../src/protocols/index.js';
import type { UdpProtocol } from '../../../src/protocols/types.js';
import { cldap } from '../../../src/protocols/udp/cldap.js';
import { dns } from '../../../src/protocols/udp/dns.js';
import { ike, ikeNatT } from '../../../src/protocols/udp/ike.js';
import { kpasswdUdp } from '../../../src/protocols/udp/kpasswd.js';
import { nbns } from '../../../src/protocols/udp/nbns.js';
import { ntp } from '../../../src/protocols/udp/ntp.js';
import { rdpUdp } from '../../../src/protocols/udp/rdp-udp.js';
import { snmp, snmpV2c } from '../../../src/protocols/udp/snmp.js';
import { testContext } from '../../support/udp-fake-server.js';
import { asc, hx } from './replies.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const spec = (s: string) => Buffer.from(hx(s)).toString('hex');
const ctx = testContext(9);

describe('UDP requests match the specification layouts', () => {
  it('DNS: root NS query, RD=0 (RFC 1035 §4.1), id from the nonce', () => {
    expect(hex(dns.buildRequest(ctx))).to.equal(spec('a1 b2 00 00 00 01 00 00 00 00 00 00 00 00 02 00 01'));
  });
  it('CLDAP: LDAP ping without DnsDomain is the 53-byte layout of MS-ADTS 6.3.3 (message id aside)', () => {
    const got = cldap.buildRequest(ctx);
    const expected = 'a0 0f a3 0d 04 05 4e 74 56 65 72 04 04 06 00 00 00 30 0a 04 08 4e 65 74 6c 6f 67 6f 6e';
    expect(hex(got)).to.match(
      new RegExp(`${spec('63 2e 04 00 0a 01 00 0a 01 00 02 01 00 02 01 00 01 01 00')}${spec(expected)}$`),
    );
  });
  it('CLDAP: with DnsDomain the filter is (&(DnsDomain=example.com)(NtVer=6))', () => {
    const got = hex(cldap.buildRequest(testContext(9, { domain: 'example.com' })));
    expect(got).to.include(
      spec('a0 29 a3 18 04 09') +
        Buffer.from('DnsDomain').toString('hex') +
        spec('04 0b') +
        Buffer.from('example.com').toString('hex'),
    );
  });
  it('Kerberos: AS-REQ equals the 147-byte example of probes.md A4', () => {
    const got = buildAsReq({ realm: 'EXAMPLE.COM', user: 'nx-probe-7f3a', nonce: 0x1f2e3d4c });
    expect(got.length).to.equal(147);
    expect(hex(got)).to.equal(
      spec(
        '6a 81 90 30 81 8d a1 03 02 01 05 a2 03 02 01 0a a4 81 80 30 7e a0 07 03 05 00 40 81 00 10 a1 1a 30 18 a0 03 02 01 01 a1 11 30 0f 1b 0d 6e 78 2d 70 72 6f 62 65 2d 37 66 33 61 a2 0d 1b 0b 45 58 41 4d 50 4c 45 2e 43 4f 4d a3 20 30 1e a0 03 02 01 02 a1 17 30 15 1b 06 6b 72 62 74 67 74 1b 0b 45 58 41 4d 50 4c 45 2e 43 4f 4d a5 11 18 0f 32 30 33 37 30 39 31 33 30 32 34 38 30 35 5a a7 06 02 04 1f 2e 3d 4c a8 0b 30 09 02 01 12 02 01 11 02 01 17',
      ),
    );
  });
  it('kpasswd: the 8-byte malformed request of RFC 3244 framing', () => {
    expect(hex(kpasswdUdp.buildRequest(ctx))).to.equal('0008000100010000');
  });
  it('NTP: 48 bytes, VN 4 mode 3, transmit timestamp = nonce', () => {
    const got = ntp.buildRequest(ctx);
    expect(got.length).to.equal(48);
    expect(got[0]).to.equal(0x23);
    expect(hex(got.subarray(40))).to.equal('a1b2c3d405060708');
  });
  it('NBNS: the 50-byte NBSTAT request for * (RFC 1002 §4.2.17)', () => {
    const name = `20${Buffer.from(`CK${'A'.repeat(30)}`).toString('hex')}00`;
    expect(hex(nbns.buildRequest(ctx))).to.equal(`a1b200000001000000000000${name}00210001`);
  });
  it('SNMP v2c: the 43-byte GetRequest sysDescr.0 of probes.md A8', () => {
    const got = snmpV2c.buildRequest(ctx);
    expect(hex(got)).to.equal(
      spec(
        '30 29 02 01 01 04 06 70 75 62 6c 69 63 a0 1c 02 04 21 b2 c3 d4 02 01 00 02 01 00 30 0e 30 0c 06 08 2b 06 01 02 01 01 01 00 05 00',
      ),
    );
  });
  it('SNMPv3: engine discovery is reportable, USM, empty engine id and user (RFC 3414 §4)', () => {
    const got = hex(snmp.buildRequest(ctx));
    expect(got).to.match(
      new RegExp(
        `^303e0201033011020421b2c3d4020300ffe3040104020103${spec('04 10 30 0e 04 00 02 01 00 02 01 00 04 00 04 00 04 00')}`,
      ),
    );
  });
  it('IKE: 376-byte IKE_SA_INIT with our SPI; NAT-T adds the 4-byte non-ESP marker', () => {
    const got = ike.buildRequest(ctx);
    expect(got.length).to.equal(376);
    expect(hex(got.subarray(0, 28))).to.equal(`a1b2c3d405060708${'00'.repeat(8)}21202208${'00'.repeat(4)}00000178`);
    expect(hex(ikeNatT.buildRequest(ctx))).to.equal(`00000000${hex(got)}`);
  });
  it('RDP-UDP: 1232-byte SYN (MS-RDPEUDP 2.2.2.1/2.2.2.5)', () => {
    const got = rdpUdp.buildRequest(ctx);
    expect(got.length).to.equal(1232);
    expect(hex(got.subarray(0, 16))).to.equal(spec('ff ff ff ff 00 40 00 01 a1 b2 c3 d4 04 d0 04 d0'));
  });
  it('every default UDP port has a module that lists the port', () => {
    for (const port of [
      7, 9, 13, 17, 19, 53, 69, 88, 123, 137, 138, 161, 162, 389, 464, 500, 1434, 1645, 1646, 1701, 1812, 1813, 1900,
      3389, 3527, 3702, 4500, 5004, 5005,
    ]) {
      const mods = modulesFor('udp', port);
      expect(mods.length, `udp ${port}`).to.be.greaterThan(0);
      for (const m of mods) expect(m.ports, `${m.id} on ${port}`).to.include(port);
      expect((mods[0] as UdpProtocol).kind, `udp ${port}`).to.equal('datagram');
    }
  });
});

describe('BER codec (X.690)', () => {
  it('reads 0x84 four-byte lengths as Windows writes them', () => {
    const t = readTlv(Uint8Array.from(hx('30 84 00 00 00 03 02 01 07')), 0);
    expect(t).to.include({ tag: 0x30, length: 3, header: 6, end: 9 });
  });
  it('refuses truncation, indefinite lengths and over-long length fields', () => {
    expect(readTlv(Uint8Array.from(hx('30 05 02 01')), 0)).to.equal(null);
    expect(readTlv(Uint8Array.from(hx('30 80 00 00')), 0)).to.equal(null);
    expect(readTlv(Uint8Array.from(hx('30 85 00 00 00 00 01 00')), 0)).to.equal(null);
    expect(readAll(Uint8Array.from(hx('02 01 05 02')))).to.equal(null);
  });
  it("encodes INTEGERs minimally in two's complement", () => {
    expect(hex(int(0))).to.equal('020100');
    expect(hex(int(128))).to.equal('02020080');
    expect(hex(int(-129))).to.equal('0202ff7f');
  });
  it('round-trips OIDs (X.690 §8.19)', () => {
    expect(hex(oid('1.3.6.1.2.1.1.1.0'))).to.equal('06082b06010201010100');
    expect(oidValue(Uint8Array.from(hx('2a 86 48 86 f7 14 01 04 82 37')))).to.equal('1.2.840.113556.1.4.311');
    expect(oidValue(Uint8Array.from(asc('\x2b\x86')))).to.equal(null);
  });
});
