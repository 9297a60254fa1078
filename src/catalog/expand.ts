/**
 * Expand roles, services and ad-hoc ports into Expectations: the (service, port row) pairs a
 * run must check, independent of any target. Conditions are applied here:
 * - a row with `when` is checked only when the run's OS matches (a run without `--os` assumes
 *   the newest Windows the catalog knows); once it matches, the row is required unless it
 *   also waits for a switch;
 * - a row with a `switch` is required once the switch is on (`with`, or the role's `with:`),
 *   else it keeps its own level;
 * - a role's `optional` entry makes the service's required rows optional, until its own switch
 *   is on; its condition is joined to each row's own.
 * Conditions stay in words on every row, whatever the level they lead to.
 */
import { PortolanError } from '../errors.js';
import type {
  Catalog,
  Expectation,
  PortRow,
  Requirement,
  Role,
  RoleService,
  RowCondition,
  Service,
  SwitchState,
  Transport,
} from '../model.js';
import { type ExpandOptions, type ResolvedExpandOptions, resolveExpandOptions } from './options.js';
import { formatRange, resolvePortSet } from './port-sets.js';

export type { ExpandOptions } from './options.js';

/** One port row as a run would see it, including rows its OS selectors leave out. */
export interface PlannedRow {
  expectation: Expectation;
  /** False when the row's `when` does not match the run's OS: it is listed, never probed. */
  checked: boolean;
  /** The row's OS selectors, so a listing can say which `--os` / `--client-os` turn it on. */
  when: RowCondition | null;
}

/** What a run asks to check: roles, single services and ad-hoc port specs. */
export interface CheckScope {
  roles: string[];
  services: string[];
  ports: string[];
}

/** Every expectation of a run's scope; NOTHING_TO_CHECK when the scope names nothing. */
export function expandScope(catalog: Catalog, scope: CheckScope, opts: ExpandOptions = {}): Expectation[] {
  const expectations = [
    ...scope.roles.flatMap((r) => expandRole(catalog, r, opts)),
    ...scope.services.flatMap((s) => expandService(catalog, s, opts)),
    ...expandPorts(scope.ports),
  ];
  if (expectations.length === 0) {
    throw new PortolanError('NOTHING_TO_CHECK', 'nothing to check: name at least one of roles, services, ports', {
      fields: ['roles', 'services', 'ports'],
    });
  }
  return expectations;
}

export function expandRole(catalog: Catalog, roleId: string, opts: ExpandOptions = {}): Expectation[] {
  return checkedOnly(planRole(catalog, roleId, opts));
}

export function expandService(catalog: Catalog, serviceId: string, opts: ExpandOptions = {}): Expectation[] {
  return checkedOnly(planService(catalog, serviceId, opts));
}

/** Every row a role brings, checked or not (see `PlannedRow`); `roleId` may be a former id (alias). */
export function planRole(catalog: Catalog, roleId: string, opts: ExpandOptions = {}): PlannedRow[] {
  const role = findRole(catalog, roleId);
  if (!role) throw unknownId('role', roleId, [...catalog.roles.keys(), ...roleAliases(catalog)]);
  const resolved = resolveExpandOptions(catalog, opts);
  return dedupe(role.services.flatMap((entry) => planEntry(catalog, entry, role, resolved)));
}

/** Every row a single service brings, checked or not. */
export function planService(catalog: Catalog, serviceId: string, opts: ExpandOptions = {}): PlannedRow[] {
  const resolved = resolveExpandOptions(catalog, opts);
  return dedupe(planEntry(catalog, { service: serviceId.trim().toLowerCase() }, null, resolved));
}

/** A role by id or by one of its former ids. */
export function findRole(catalog: Catalog, id: string): Role | undefined {
  // Ids are lower case; "Domain-Controller" names the same role.
  const key = id.trim().toLowerCase();
  return catalog.roles.get(key) ?? [...catalog.roles.values()].find((r) => r.aliases?.includes(key));
}

/** The switches a role turns on by itself plus those the run asked for. */
export function switchesOn(role: Role | null, opts: ResolvedExpandOptions): Set<string> {
  return new Set([...opts.with, ...(role?.with ?? [])]);
}

/**
 * `--port 445/tcp`, `--port 53/udp`, `--port icmp`, `--port 5000-5010/tcp`: ad-hoc
 * expectations with neutral names ("Requested port 443/tcp"): several services share most
 * ports, so naming one would be a guess.
 */
export function expandPorts(specs: string[]): Expectation[] {
  return checkedOnly(
    specs.map((spec) => {
      const parsed = parsePortSpec(spec);
      const expectation: Expectation = {
        key: `adhoc/${spec}`,
        role: null,
        service: 'adhoc',
        serviceName: 'Requested ports',
        impact: 'The requested port is not usable',
        protocol: parsed.protocol,
        port: parsed.port,
        range: parsed.range,
        portSet: null,
        ipProtocol: null,
        // Neutral: a port asked for by number is not a guess at which service listens there.
        application: parsed.protocol === 'icmp' ? 'ICMP echo' : parsed.range ? 'Requested range' : 'Requested port',
        requirement: 'required',
        condition: null,
        footnote: null,
        note: null,
        source: { table: 'section', section: 'command line' },
      };
      return { expectation, checked: true, when: null };
    }),
  );
}

function parsePortSpec(spec: string): { protocol: Transport; port: number | null; range: string | null } {
  if (spec === 'icmp') return { protocol: 'icmp', port: null, range: null };
  const m = /^(\d{1,5})(?:-(\d{1,5}))?\/(tcp|udp)$/.exec(spec);
  const first = Number(m?.[1]);
  const last = m?.[2] === undefined ? first : Number(m[2]);
  if (!m || first < 1 || last > 65535 || first > last) {
    throw new PortolanError(
      'INVALID_VALUE',
      `ports "${spec}": expected PORT/tcp, PORT/udp, FIRST-LAST/tcp or icmp (ports 1-65535)`,
      { fields: ['ports'] },
    );
  }
  const protocol = m[3] as 'tcp' | 'udp';
  return first === last ? { protocol, port: first, range: null } : { protocol, port: null, range: `${first}-${last}` };
}

function planEntry(catalog: Catalog, entry: RoleService, role: Role | null, opts: ResolvedExpandOptions): PlannedRow[] {
  const service = catalog.services.get(entry.service);
  if (!service) throw unknownId('service', entry.service, [...catalog.services.keys()]);
  const on = switchesOn(role, opts);
  return service.ports.flatMap((row) => planRow(service, row, entry, role?.id ?? null, opts, on));
}

function planRow(
  service: Service,
  row: PortRow,
  entry: RoleService,
  roleId: string | null,
  opts: ResolvedExpandOptions,
  on: Set<string>,
): PlannedRow[] {
  const checked = osMatches(row.when, opts);
  const own = rowRequirement(row, checked, on);
  const entryOptional = entry.requirement === 'optional';
  const demoted = entryOptional && !(entry.switch && on.has(entry.switch));
  const requirement: Requirement = demoted && own === 'required' ? 'optional' : own;
  const condition = joinSentences([entryOptional ? entry.condition : undefined, row.condition]);
  const names = [entryOptional ? entry.switch : undefined, row.switch].filter((n): n is string => Boolean(n));
  const switches: SwitchState[] = names.map((name) => ({ name, on: on.has(name) }));
  const ranges = row.portSet ? resolvePortSet(row.portSet, opts).map(formatRange) : [row.range ?? null];
  return ranges.map((range) => {
    const where = row.port ?? range ?? (row.ipProtocol !== undefined ? `proto-${row.ipProtocol}` : 'echo');
    const expectation: Expectation = {
      key: `${roleId ?? '-'}/${service.id}/${row.protocol}/${where}`,
      role: roleId,
      service: service.id,
      serviceName: service.name,
      impact: service.impact,
      protocol: row.protocol,
      port: row.port ?? null,
      range,
      portSet: row.portSet ?? null,
      ipProtocol: row.ipProtocol ?? null,
      application: row.application,
      requirement,
      condition,
      footnote: row.footnote ?? null,
      note: row.note ?? null,
      source: row.source,
      ...(switches.length ? { switches } : {}),
    };
    return { expectation, checked, when: row.when ?? null };
  });
}

/** Without `--os` the run assumes the newest OS, so rows for old Windows stay out and rows for current Windows stay in. */
function osMatches(when: RowCondition | undefined, opts: ResolvedExpandOptions): boolean {
  if (!when) return true;
  if (when.os && !when.os.includes(opts.os)) return false;
  if (when.clientOs && !when.clientOs.includes(opts.clientOs)) return false;
  return true;
}

/** A row's own level in this run: its switch on, or (without a switch) its OS matched, makes it required. */
function rowRequirement(row: PortRow, checked: boolean, on: Set<string>): Requirement {
  if (row.requirement === 'required') return 'required';
  if (row.switch) return on.has(row.switch) ? 'required' : row.requirement;
  return row.when && checked ? 'required' : row.requirement;
}

/** "Only when SYSVOL replicates with DFSR." + "Only on 2008 DCs." -> one text, each part a sentence. */
export function joinSentences(parts: (string | undefined)[]): string | null {
  const sentences = parts
    .map((p) => p?.trim())
    .filter((p): p is string => Boolean(p))
    .map((p) => (/[.!?]$/.test(p) ? p : `${p}.`));
  return sentences.length ? sentences.join(' ') : null;
}

function checkedOnly(rows: PlannedRow[]): Expectation[] {
  return dedupe(rows.filter((r) => r.checked)).map((r) => r.expectation);
}

/** A service may list the same port twice (the KB does, e.g. NTP and SNTP on 123/udp); keep the strictest. */
function dedupe(list: PlannedRow[]): PlannedRow[] {
  const byKey = new Map<string, PlannedRow>();
  const weight: Record<Requirement, number> = { required: 0, conditional: 1, optional: 2 };
  for (const p of list) {
    const e = p.expectation;
    const prior = byKey.get(e.key);
    if (!prior) byKey.set(e.key, p);
    else if (p.checked && !prior.checked) byKey.set(e.key, p);
    else if (weight[e.requirement] < weight[prior.expectation.requirement]) {
      byKey.set(e.key, {
        ...p,
        expectation: { ...e, application: `${prior.expectation.application} / ${e.application}` },
      });
    } else if (!prior.expectation.application.split(' / ').includes(e.application)) {
      prior.expectation.application = `${prior.expectation.application} / ${e.application}`;
    }
  }
  return [...byKey.values()];
}

function roleAliases(catalog: Catalog): string[] {
  return [...catalog.roles.values()].flatMap((r) => r.aliases ?? []);
}

/** A usage error for an id the catalog lacks, with the nearest ids as "did you mean". */
function unknownId(what: string, id: string, known: string[]): PortolanError {
  const hint = suggest(id, known);
  return new PortolanError(
    'UNKNOWN_ID',
    `unknown ${what} "${id}".${hint} List them with \`portolan catalog ${what}s\`.`,
  );
}

/** " Did you mean "a", "b"?" for ids close to `id`, or "". */
export function suggest(id: string, known: string[]): string {
  const near = known
    .filter((k) => k.includes(id) || id.includes(k) || editDistance(k, id) <= Math.max(2, id.length / 4))
    .slice(0, 3);
  return near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : '';
}

/** Levenshtein distance, for "did you mean" hints on short ids. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
