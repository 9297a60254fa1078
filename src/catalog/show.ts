/**
 * One catalog entry (a role or a service) as `catalog show` presents it: every row the run's
 * options would check, and also the rows its OS selectors leave out, so nothing the catalog
 * knows is hidden; each row carries its switches and OS selectors.
 */
import { PortolanError } from '../errors.js';
import type { Catalog, Expectation, RowCondition } from '../model.js';
import { type ExpandOptions, findRole, planRole, planService, suggest, switchesOn } from './expand.js';
import { resolveExpandOptions } from './options.js';

export interface CatalogShowRow extends Expectation {
  /** False when the row's OS selectors leave it out of this run: listed, never probed. */
  checked: boolean;
  /** OS selectors that turn the row on, or null. */
  when: RowCondition | null;
}

export interface CatalogShow {
  kind: 'role' | 'service';
  id: string;
  name: string;
  /** A role's description, or a service's summary. */
  description: string;
  /** What breaks when a required row is blocked (services only). */
  impact: string | null;
  /** Former ids of a role. */
  aliases: string[];
  /** Switches on for this listing: the role's own (`with:`) and those asked for. */
  with: string[];
  /** The OS values the listing assumed or was given. */
  os: string;
  clientOs: string;
  rows: CatalogShowRow[];
}

/** A role (by id or former id) or a service; an unknown id is a usage error with "did you mean". */
export function showCatalogEntry(catalog: Catalog, id: string, opts: ExpandOptions = {}): CatalogShow {
  const resolved = resolveExpandOptions(catalog, opts);
  const role = findRole(catalog, id) ?? null;
  const service = catalog.services.get(id);
  const head = role
    ? { kind: 'role' as const, id: role.id, name: role.name, description: role.description, impact: null }
    : service
      ? { kind: 'service' as const, id, name: service.name, description: service.summary, impact: service.impact }
      : null;
  if (!head) {
    const known = [
      ...catalog.services.keys(),
      ...catalog.roles.keys(),
      ...[...catalog.roles.values()].flatMap((r) => r.aliases ?? []),
    ];
    throw new PortolanError(
      'UNKNOWN_ID',
      `no service or role "${id}".${suggest(id, known)} See \`portolan catalog services\` and \`portolan catalog roles\`.`,
    );
  }
  const planned = role ? planRole(catalog, role.id, opts) : planService(catalog, id, opts);
  return {
    ...head,
    aliases: role?.aliases ?? [],
    with: [...switchesOn(role, resolved)].sort(),
    os: resolved.os,
    clientOs: resolved.clientOs,
    rows: planned.map(toShowRow),
  };
}

function toShowRow(p: { expectation: Expectation; checked: boolean; when: RowCondition | null }): CatalogShowRow {
  return { ...p.expectation, checked: p.checked, when: p.when };
}
