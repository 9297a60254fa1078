/**
 * Named conditions ("switches"): a conditional or optional row's `switch` (`gc`, `ipsec` ...)
 * or an optional role entry's (`dfsr-sysvol`, `wins` ...). A run turns them on with `--with`
 * or a plan, a role with `with:`; once on, the row (or the role entry's service) is required.
 * A switch is defined by being used: this module gathers where each one is.
 */
import type { Catalog, Requirement, Transport } from '../model.js';
import { endpointLabel } from './endpoint.js';

/** One place a switch governs. */
export type SwitchUse =
  | {
      kind: 'row';
      service: string;
      protocol: Transport;
      /** "389/tcp", "icmp echo", "ip proto 50", "rpc-dynamic/tcp". */
      endpoint: string;
      requirement: Requirement;
      condition: string;
    }
  | { kind: 'role-entry'; role: string; service: string; condition: string }
  | { kind: 'role-default'; role: string };

export interface SwitchInfo {
  name: string;
  uses: SwitchUse[];
}

/** Every switch of the catalog, by name, with the rows, role entries and roles that use it. */
export function catalogSwitches(catalog: Catalog): SwitchInfo[] {
  const byName = new Map<string, SwitchUse[]>();
  const add = (name: string, use: SwitchUse) => byName.set(name, [...(byName.get(name) ?? []), use]);
  for (const service of catalog.services.values()) {
    for (const row of service.ports) {
      if (!row.switch) continue;
      add(row.switch, {
        kind: 'row',
        service: service.id,
        protocol: row.protocol,
        endpoint: endpointLabel(row),
        requirement: row.requirement,
        condition: row.condition ?? '',
      });
    }
  }
  for (const role of catalog.roles.values()) {
    for (const entry of role.services) {
      if (entry.switch) {
        add(entry.switch, {
          kind: 'role-entry',
          role: role.id,
          service: entry.service,
          condition: entry.condition ?? '',
        });
      }
    }
    for (const name of role.with ?? []) add(name, { kind: 'role-default', role: role.id });
  }
  return [...byName.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, uses]) => ({ name, uses }));
}

/** Names a run may turn on: those some row or role entry uses (a role's `with:` alone defines nothing). */
export function switchNames(catalog: Catalog): string[] {
  return catalogSwitches(catalog)
    .filter((s) => s.uses.some((u) => u.kind !== 'role-default'))
    .map((s) => s.name);
}
