/**
 * The protocol registry: one list of modules, each declaring its id and ports. These
 * tables are the contract the engine relies on, written out so a change to it is deliberate.
 */
import { expect } from 'chai';
import { MODULES, moduleById, modulesFor } from '../../src/protocols/index.js';

const EXPECTED_IDS = [
  'msrpc-epm',
  'msrpc',
  'ncacn-http',
  'ldap',
  'ldap-gc',
  'ldaps',
  'ldaps-gc',
  'smb2',
  'netbios-ssn',
  'rdp',
  'kerberos-tcp',
  'kpasswd-tcp',
  'ftp',
  'telnet',
  'smtp',
  'pop3',
  'nntp',
  'imap',
  'adws',
  'msmq',
  'dns-tcp',
  'http',
  'https',
  'winrm-http',
  'winrm-https',
  'tls',
  'dns',
  'cldap',
  'kerberos-udp',
  'kpasswd-udp',
  'ntp',
  'nbns',
  'snmp',
  'snmp-v2c',
  'tftp',
  'ssdp',
  'sql-browser',
  'ike',
  'ike-natt',
  'l2tp',
  'echo-udp',
  'daytime-udp',
  'qotd-udp',
  'chargen-udp',
  'rdp-udp',
  'msmq-ping',
  'radius',
  'radius-acct',
  'netbios-dgm',
  'snmp-trap',
  'discard-udp',
  'rtp',
  'ws-discovery',
];

/** Which modules speak on each port, first one first. */
const EXPECTED_PORTS: Record<'tcp' | 'udp', Record<number, string[]>> = {
  tcp: {
    21: ['ftp'],
    23: ['telnet'],
    25: ['smtp'],
    53: ['dns-tcp'],
    80: ['http'],
    88: ['kerberos-tcp'],
    110: ['pop3'],
    119: ['nntp'],
    135: ['msrpc-epm'],
    139: ['netbios-ssn'],
    143: ['imap'],
    389: ['ldap'],
    443: ['https', 'tls'],
    445: ['smb2'],
    464: ['kpasswd-tcp'],
    563: ['tls'],
    593: ['ncacn-http'],
    636: ['ldaps', 'tls'],
    993: ['tls'],
    995: ['tls'],
    1801: ['msmq'],
    3268: ['ldap-gc'],
    3269: ['ldaps-gc', 'tls'],
    3389: ['rdp'],
    5985: ['winrm-http'],
    5986: ['winrm-https', 'tls'],
    9389: ['adws'],
  },
  udp: {
    7: ['echo-udp'],
    9: ['discard-udp'],
    13: ['daytime-udp'],
    17: ['qotd-udp'],
    19: ['chargen-udp'],
    53: ['dns'],
    69: ['tftp'],
    88: ['kerberos-udp'],
    123: ['ntp'],
    137: ['nbns'],
    138: ['netbios-dgm'],
    161: ['snmp', 'snmp-v2c'],
    162: ['snmp-trap'],
    389: ['cldap'],
    464: ['kpasswd-udp'],
    500: ['ike'],
    1434: ['sql-browser'],
    1645: ['radius'],
    1646: ['radius-acct'],
    1701: ['l2tp'],
    1812: ['radius'],
    1813: ['radius-acct'],
    1900: ['ssdp'],
    3389: ['rdp-udp'],
    3527: ['msmq-ping'],
    3702: ['ws-discovery'],
    4500: ['ike-natt'],
    5004: ['rtp'],
    5005: ['rtp'],
  },
};

describe('protocol registry', () => {
  it('holds exactly the expected modules, each id once', () => {
    expect(MODULES.map((m) => m.id)).to.deep.equal(EXPECTED_IDS);
    expect(new Set(MODULES.map((m) => m.id)).size).to.equal(MODULES.length);
  });

  it('maps every port to the modules that declare it, in registry order, and nothing else', () => {
    for (const transport of ['tcp', 'udp'] as const) {
      const declared = new Set(MODULES.filter((m) => m.transport === transport).flatMap((m) => m.ports));
      expect(
        [...declared].sort((a, b) => a - b),
        transport,
      ).to.deep.equal(Object.keys(EXPECTED_PORTS[transport]).map(Number));
      for (const [port, ids] of Object.entries(EXPECTED_PORTS[transport])) {
        expect(
          modulesFor(transport, Number(port)).map((m) => m.id),
          `${port}/${transport}`,
        ).to.deep.equal(ids);
      }
    }
    expect(modulesFor('tcp', 49152)).to.deep.equal([]);
  });

  it('finds a module by id; the RPC bind module speaks on no port of its own', () => {
    expect(moduleById('msrpc')?.ports).to.deep.equal([]);
    expect(moduleById('no-such-module')).to.equal(undefined);
  });

  it('flags the UDP requests every server of the protocol answers', () => {
    const flagged = MODULES.filter((m) => m.kind === 'datagram' && m.everyServerAnswers).map((m) => m.id);
    expect(flagged).to.deep.equal(['dns', 'cldap', 'kerberos-udp', 'kpasswd-udp']);
  });
});
