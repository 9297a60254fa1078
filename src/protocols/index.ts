/**
 * The one registry of application-protocol modules. Adding a protocol is one file
 * plus one line in `modules` and, for its default ports, one line in `defaults`.
 */

import { http, https } from './http/web.js';
import { winrmHttp, winrmHttps } from './http/winrm.js';
import { adws, ftp, imap, msmq, nntp, pop3, rpcOverHttp, smtp, telnet } from './tcp/banner.js';
// --- module imports (one line per module) ---
import { dnsTcp } from './tcp/dns-tcp.js';
import { epm, msrpcBind } from './tcp/epm.js';
import { kerberosTcp, kpasswdTcp } from './tcp/kerberos-tcp.js';
import { ldap, ldapGc, ldaps, ldapsGc } from './tcp/ldap.js';
import { netbiosSession } from './tcp/nbss.js';
import { rdp } from './tcp/rdp.js';
import { smb2 } from './tcp/smb2.js';
import { tlsHandshake } from './tcp/tls.js';
import type { ProtocolModule } from './types.js';
import { cldap } from './udp/cldap.js';
import { dns } from './udp/dns.js';
import { ike, ikeNatT } from './udp/ike.js';
import { kerberosUdp } from './udp/kerberos.js';
import { kpasswdUdp } from './udp/kpasswd.js';
import { l2tp } from './udp/l2tp.js';
import { msmqPing } from './udp/msmq-ping.js';
import { nbns } from './udp/nbns.js';
import { ntp } from './udp/ntp.js';
import { rdpUdp } from './udp/rdp-udp.js';
import { discardUdp, netbiosDgm, radius, radiusAcct, rtp, snmpTrap, wsDiscovery } from './udp/silent.js';
import { chargenUdp, daytimeUdp, echoUdp, qotdUdp } from './udp/simple-services.js';
import { snmp, snmpV2c } from './udp/snmp.js';
import { sqlBrowser } from './udp/sql-browser.js';
import { ssdp } from './udp/ssdp.js';
import { tftp } from './udp/tftp.js';

/** Every module by id. The id type is derived from these keys. */
export const modules = {
  // --- module entries (one line per module) ---
  'dns-tcp': dnsTcp,
  'msrpc-epm': epm,
  msrpc: msrpcBind,
  'ncacn-http': rpcOverHttp,
  ldap,
  'ldap-gc': ldapGc,
  ldaps,
  'ldaps-gc': ldapsGc,
  smb2,
  'netbios-ssn': netbiosSession,
  tls: tlsHandshake,
  http,
  https,
  'winrm-http': winrmHttp,
  'winrm-https': winrmHttps,
  rdp,
  'kerberos-tcp': kerberosTcp,
  'kpasswd-tcp': kpasswdTcp,
  ftp,
  telnet,
  smtp,
  pop3,
  nntp,
  imap,
  adws,
  msmq,
  dns,
  cldap,
  'kerberos-udp': kerberosUdp,
  'kpasswd-udp': kpasswdUdp,
  ntp,
  nbns,
  snmp,
  'snmp-v2c': snmpV2c,
  tftp,
  ssdp,
  'sql-browser': sqlBrowser,
  ike,
  'ike-natt': ikeNatT,
  l2tp,
  'echo-udp': echoUdp,
  'daytime-udp': daytimeUdp,
  'qotd-udp': qotdUdp,
  'chargen-udp': chargenUdp,
  'rdp-udp': rdpUdp,
  'msmq-ping': msmqPing,
  radius,
  'radius-acct': radiusAcct,
  'netbios-dgm': netbiosDgm,
  'snmp-trap': snmpTrap,
  'discard-udp': discardUdp,
  rtp,
  'ws-discovery': wsDiscovery,
} satisfies Record<string, ProtocolModule>;

export type ProtocolId = keyof typeof modules;

/**
 * Which modules speak on a (transport, port), most specific first. The engine tries
 * the first module for a port; `modulesFor` falls back to a generic probe where none exists.
 */
const defaults: Record<'tcp' | 'udp', Record<number, ProtocolId[]>> = {
  tcp: {
    53: ['dns-tcp'],
    // --- tcp port lines ---
    21: ['ftp'],
    23: ['telnet'],
    25: ['smtp'],
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
    // --- udp port lines ---
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

export function modulesFor(transport: 'tcp' | 'udp', port: number): ProtocolModule[] {
  const ids = defaults[transport][port] ?? [];
  return ids.map((id) => modules[id]);
}

export function moduleById(id: string): ProtocolModule | undefined {
  return (modules as Record<string, ProtocolModule>)[id];
}
