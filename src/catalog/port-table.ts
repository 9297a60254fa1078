/**
 * The catalog as the KB's port-sorted table: one row per (service, port row), so an
 * admin can ask "who uses 445?". A port inside a range or port set matches it.
 */
import type { Catalog, PortSetId, Requirement, RowSource, Transport } from '../model.js';
import { formatRange, parseRange, resolveRpcDynamic } from './port-sets.js';

export interface PortTableRow {
  protocol: Transport;
  port: number | null;
  range: string | null;
  portSet: PortSetId | null;
  service: string;
  serviceName: string;
  application: string;
  requirement: Requirement;
  condition: string | null;
  source: RowSource;
}

export interface PortTableFilter {
  port?: number;
  protocol?: string;
}

export function catalogPortTable(catalog: Catalog, filter: PortTableFilter = {}): PortTableRow[] {
  // Port sets are shown with the default (modern) profile's range.
  const rpcDynamic = formatRange(resolveRpcDynamic('modern')[0] ?? { first: 49152, last: 65535 });
  const rows: PortTableRow[] = [];
  for (const service of catalog.services.values()) {
    for (const row of service.ports) {
      rows.push({
        protocol: row.protocol,
        port: row.port ?? null,
        range: row.range ?? (row.portSet ? rpcDynamic : null),
        portSet: row.portSet ?? null,
        service: service.id,
        serviceName: service.name,
        application: row.application,
        requirement: row.requirement,
        condition: row.condition ?? null,
        source: row.source,
      });
    }
  }
  return rows.filter((r) => matches(r, filter)).sort(byPort);
}

function matches(r: PortTableRow, f: PortTableFilter): boolean {
  if (f.protocol && r.protocol !== f.protocol) return false;
  if (f.port === undefined) return true;
  if (r.port !== null) return r.port === f.port;
  if (r.range === null) return false;
  const { first, last } = parseRange(r.range);
  return f.port >= first && f.port <= last;
}

function lowPort(r: PortTableRow): number {
  if (r.port !== null) return r.port;
  if (r.range !== null) return parseRange(r.range).first;
  return -1; // icmp and IP protocols first, as the KB's table has them
}

function byPort(a: PortTableRow, b: PortTableRow): number {
  return lowPort(a) - lowPort(b) || a.protocol.localeCompare(b.protocol) || a.service.localeCompare(b.service);
}
