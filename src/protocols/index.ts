/**
 * The one registry of application-protocol modules. Each module declares its own `id` and
 * the `ports` it speaks on; this list is the only other place that names it. Adding a
 * protocol is one file plus one line here.
 *
 * Order matters where modules share a port: the first speaks (443 `https` before the bare
 * `tls` handshake), and on UDP the others follow up once the first confirmed the service
 * (161: the SNMPv3 engine discovery, then the v2c sysDescr get).
 */

import { http, https } from './http/web.js';
import { winrmHttp, winrmHttps } from './http/winrm.js';
import { adws, ftp, imap, msmq, nntp, pop3, rpcOverHttp, smtp, telnet } from './tcp/banner.js';
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

/** Every module, in the order that decides which speaks first on a shared port. */
export const MODULES: readonly ProtocolModule[] = [
  // TCP, conversation over the engine's stream
  epm,
  msrpcBind,
  rpcOverHttp,
  ldap,
  ldapGc,
  ldaps,
  ldapsGc,
  smb2,
  netbiosSession,
  rdp,
  kerberosTcp,
  kpasswdTcp,
  ftp,
  telnet,
  smtp,
  pop3,
  nntp,
  imap,
  adws,
  msmq,
  // TCP, own client (clients/)
  dnsTcp,
  http,
  https,
  winrmHttp,
  winrmHttps,
  // After every TLS-speaking module of its ports: the bare handshake, for ports nothing else speaks on
  tlsHandshake,
  // UDP
  dns,
  cldap,
  kerberosUdp,
  kpasswdUdp,
  ntp,
  nbns,
  snmp,
  snmpV2c,
  tftp,
  ssdp,
  sqlBrowser,
  ike,
  ikeNatT,
  l2tp,
  echoUdp,
  daytimeUdp,
  qotdUdp,
  chargenUdp,
  rdpUdp,
  msmqPing,
  radius,
  radiusAcct,
  netbiosDgm,
  snmpTrap,
  discardUdp,
  rtp,
  wsDiscovery,
];

/** A module's id, as observations record it (`Observation.module`). */
export type ProtocolId = string;

/** Every module by id. */
export const modules: Readonly<Record<ProtocolId, ProtocolModule>> = Object.fromEntries(MODULES.map((m) => [m.id, m]));

const BY_PORT = new Map<string, ProtocolModule[]>();
for (const m of MODULES) {
  for (const port of m.ports)
    BY_PORT.set(`${m.transport}/${port}`, [...(BY_PORT.get(`${m.transport}/${port}`) ?? []), m]);
}

/** Which modules speak on a (transport, port), in registry order; empty where none does. */
export function modulesFor(transport: 'tcp' | 'udp', port: number): readonly ProtocolModule[] {
  return BY_PORT.get(`${transport}/${port}`) ?? [];
}

export function moduleById(id: ProtocolId): ProtocolModule | undefined {
  return modules[id];
}
