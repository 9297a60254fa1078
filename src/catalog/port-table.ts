/**
 * The catalog as the KB's port-sorted table: one row per (service, port row), so an admin can
 * ask "who uses 445?". A port inside a range or port set matches it; port sets are resolved
 * with the profile asked for, `both` by default, since the KB names both generations' ranges.
 * ICMP comes first, then the IP protocols by number, then ports, as the KB's table has them.
 */
import { PortolanError } from '../errors.js';
import type { Catalog, PortSetId, Requirement, RowCondition, RowSource, RpcProfile, Transport } from '../model.js';
import { parseProfile } from './options.js';
import { formatRange, parsePortList, resolvePortSet } from './port-sets.js';

export interface PortTableRow {
  protocol: Transport;
  port: number | null;
  /** A fixed range, or a port set's ranges for the profile ("1025-5000,49152-65535"); null for single ports. */
  range: string | null;
  portSet: PortSetId | null;
  /** IP protocol number for `protocol: ip` (47 GRE, 50 ESP, 51 AH), else null. */
  ipProtocol: number | null;
  service: string;
  serviceName: string;
  application: string;
  requirement: Requirement;
  condition: string | null;
  /** OS selectors: the row is checked only for these `--os` / `--client-os` values. */
  when: RowCondition | null;
  /** Named condition (`--with NAME`) that makes the row required. */
  switch: string | null;
  footnote: string | null;
  note: string | null;
  source: RowSource;
}

export interface PortTableFilter {
  /** Only rows that use this port (inside a range or port set counts). */
  port?: number;
  /** tcp, udp, icmp or ip, any case. */
  protocol?: string;
  /** How port sets resolve. @default 'both' */
  profile?: RpcProfile | string;
}

const PROTOCOLS: readonly Transport[] = ['tcp', 'udp', 'icmp', 'ip'];

export function catalogPortTable(catalog: Catalog, filter: PortTableFilter = {}): PortTableRow[] {
  const profile = parseProfile(filter.profile ?? 'both');
  const protocol = filter.protocol === undefined ? undefined : parseProtocol(filter.protocol);
  const rows: PortTableRow[] = [];
  for (const service of catalog.services.values()) {
    for (const row of service.ports) {
      const setRanges = row.portSet
        ? resolvePortSet(row.portSet, { profile, rpcRange: null, ftpPassiveRange: null }).map(formatRange).join(',')
        : null;
      rows.push({
        protocol: row.protocol,
        port: row.port ?? null,
        range: row.range ?? setRanges,
        portSet: row.portSet ?? null,
        ipProtocol: row.ipProtocol ?? null,
        service: service.id,
        serviceName: service.name,
        application: row.application,
        requirement: row.requirement,
        condition: row.condition ?? null,
        when: row.when ?? null,
        switch: row.switch ?? null,
        footnote: row.footnote ?? null,
        note: row.note ?? null,
        source: row.source,
      });
    }
  }
  return rows.filter((r) => matches(r, filter.port, protocol)).sort(byPort);
}

/** `--protocol ICMP` means icmp; anything but the four transports is a usage error. */
export function parseProtocol(value: string): Transport {
  const protocol = value.trim().toLowerCase() as Transport;
  if (PROTOCOLS.includes(protocol)) return protocol;
  throw new PortolanError('INVALID_VALUE', `protocol "${value}": expected ${PROTOCOLS.join(', ')} (any case)`, {
    fields: ['protocol'],
  });
}

function matches(r: PortTableRow, port: number | undefined, protocol: Transport | undefined): boolean {
  if (protocol && r.protocol !== protocol) return false;
  if (port === undefined) return true;
  if (r.port !== null) return r.port === port;
  if (r.range === null) return false;
  return parsePortList(r.range, 'range').some((x) => port >= x.first && port <= x.last);
}

/** ICMP first, then IP protocols by number, then ports (a range by its first port). */
function sortKey(r: PortTableRow): [number, number] {
  if (r.protocol === 'icmp') return [0, 0];
  if (r.protocol === 'ip') return [1, r.ipProtocol ?? 0];
  if (r.port !== null) return [2, r.port];
  return [2, r.range === null ? 0 : (parsePortList(r.range, 'range')[0]?.first ?? 0)];
}

function byPort(a: PortTableRow, b: PortTableRow): number {
  const [ga, na] = sortKey(a);
  const [gb, nb] = sortKey(b);
  return ga - gb || na - nb || a.protocol.localeCompare(b.protocol) || a.service.localeCompare(b.service);
}
