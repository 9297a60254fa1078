/**
 * The lab's fixed layout: namespace names, addresses and roles. Everything lives in
 * 10.231.0.0/24, a range the suite owns and only ever assigns inside its own namespaces;
 * the bridge sits in a "switch" namespace, so nothing is attached to the root namespace
 * and no namespace has a default route: no packet can leave the lab.
 */

/** Prefix of every namespace the lab creates; leftovers with it are removed before a run. */
export const PREFIX = 'plab-';

export const SUBNET = '10.231.0.0/24';
export const PREFIX_LEN = 24;

/** Where the lab keeps configs, logs, the Samba provision and the PID list. Fixed, so a crashed run is found. */
export const RUN_DIR = '/tmp/plab-run';

export const SWITCH_NS = `${PREFIX}sw`;
export const BRIDGE = 'br0';

export type HostId = 'cli' | 'fwc' | 'brc' | 'dc' | 'srv' | 'drop' | 'closed';

/** The hosts portolan probes. */
export type TargetId = Exclude<HostId, SourceId>;
/** The hosts portolan runs on. */
export type SourceId = Extract<HostId, 'cli' | 'fwc' | 'brc'>;

export interface HostSpec {
  id: HostId;
  ns: string;
  address: string;
  /** Name of the veth end in the switch namespace (<= 15 characters). */
  port: string;
  purpose: string;
}

function host(id: HostId, lastOctet: number, purpose: string): HostSpec {
  return { id, ns: `${PREFIX}${id}`, address: `10.231.0.${lastOctet}`, port: `v-${id}`, purpose };
}

export const HOSTS: Record<HostId, HostSpec> = {
  cli: host('cli', 10, 'healthy client: portolan runs here'),
  fwc: host('fwc', 11, 'firewalled client: the DC drops or resets some of its traffic'),
  brc: host('brc', 12, 'branch client: the DC drops LDAP over TCP from it only (a third view for the fleet matrix)'),
  dc: host('dc', 20, 'Samba AD DC (PORTOLAN.TEST) with chrony as NTP server'),
  srv: host('srv', 30, 'server host: snmpd, tftpd, nginx (80/443/5985), inetd simple services'),
  drop: host('drop', 40, 'every inbound packet dropped (nftables policy drop)'),
  closed: host('closed', 50, 'no services, default ICMP rate limit'),
};

export const SOURCES: readonly SourceId[] = ['cli', 'fwc', 'brc'];
export const TARGETS: readonly TargetId[] = ['dc', 'srv', 'drop', 'closed'];

export const REALM = 'PORTOLAN.TEST';
export const DOMAIN = 'PORTOLAN';
export const DC_HOSTNAME = 'dc1';
/** Lab-only password of the throwaway domain; never used outside these namespaces. */
export const ADMIN_PASSWORD = 'Portolan-Lab-2026!';
