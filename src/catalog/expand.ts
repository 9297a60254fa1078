/**
 * Expand roles, services and ad-hoc ports into Expectations: the (service, port row)
 * pairs a run must check, independent of any target. Conditions are applied here:
 * a row with `when` selectors is included only when the run says the condition holds
 * (e.g. `--os 2008` brings in DFSR's 5722/tcp); a conditional row without selectors is
 * kept, and a failure there degrades rather than breaks its service.
 */
import { PortolanError } from '../errors.js';
import type {
  Catalog,
  Expectation,
  PortRow,
  Requirement,
  RoleService,
  RpcProfile,
  Service,
  Transport,
} from '../model.js';
import { RUN_OPTIONS } from '../run-options.js';
import { formatRange, resolveRpcDynamic } from './port-sets.js';

export interface ExpandOptions {
  /** @default the option table's (`RUN_OPTIONS.profile`) */
  profile?: RpcProfile;
  /** Overrides the profile: "5000-5100" or a list. */
  rpcRange?: string | null;
  /** The target server's OS token (2008, 2016 ...), for rows that apply to some OS only. */
  os?: string | null;
  /** The clients' OS token (xp, 2003 ...). */
  clientOs?: string | null;
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
    ...expandPorts(scope.ports, catalog),
  ];
  if (expectations.length === 0) {
    throw new PortolanError('NOTHING_TO_CHECK', 'nothing to check: name at least one of roles, services, ports', {
      fields: ['roles', 'services', 'ports'],
    });
  }
  return expectations;
}

export function expandRole(catalog: Catalog, roleId: string, opts: ExpandOptions = {}): Expectation[] {
  const role = catalog.roles.get(roleId);
  if (!role) throw unknown('role', roleId, [...catalog.roles.keys()]);
  return dedupe(role.services.flatMap((entry) => expandEntry(catalog, entry, role.id, opts)));
}

export function expandService(catalog: Catalog, serviceId: string, opts: ExpandOptions = {}): Expectation[] {
  return dedupe(expandEntry(catalog, { service: serviceId }, null, opts));
}

/**
 * `--port 445/tcp`, `--port 53/udp`, `--port icmp`, `--port 5000-5010/tcp`: ad-hoc
 * expectations, named after the catalog's application on that port where there is one.
 */
export function expandPorts(specs: string[], catalog?: Catalog): Expectation[] {
  return dedupe(
    specs.map((spec) => {
      const parsed = parsePortSpec(spec);
      return {
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
        application:
          (catalog && knownApplication(catalog, parsed.protocol, parsed.port)) ??
          (parsed.protocol === 'icmp' ? 'ICMP' : 'Port'),
        requirement: 'required',
        condition: null,
        footnote: null,
        note: null,
        source: { table: 'section', section: 'command line' },
      } satisfies Expectation;
    }),
  );
}

function knownApplication(catalog: Catalog, protocol: Transport, port: number | null): string | undefined {
  for (const service of catalog.services.values()) {
    const row = service.ports.find((r) => r.protocol === protocol && r.port === (port ?? undefined));
    if (row) return row.application;
  }
  return undefined;
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

function expandEntry(catalog: Catalog, entry: RoleService, roleId: string | null, opts: ExpandOptions): Expectation[] {
  const service = catalog.services.get(entry.service);
  if (!service) throw unknown('service', entry.service, [...catalog.services.keys()]);
  return service.ports
    .filter((row) => applies(row, opts))
    .flatMap((row) => toExpectations(service, row, entry, roleId, opts));
}

function applies(row: PortRow, opts: ExpandOptions): boolean {
  if (!row.when) return true;
  if (row.when.os && !(opts.os && row.when.os.includes(opts.os))) return false;
  if (row.when.clientOs && !(opts.clientOs && row.when.clientOs.includes(opts.clientOs))) return false;
  return true;
}

function toExpectations(
  service: Service,
  row: PortRow,
  entry: RoleService,
  roleId: string | null,
  opts: ExpandOptions,
): Expectation[] {
  const requirement: Requirement =
    entry.requirement === 'optional' && row.requirement === 'required' ? 'optional' : row.requirement;
  const condition = row.condition ?? (requirement !== row.requirement ? (entry.condition ?? null) : null);
  const ranges = row.portSet
    ? resolveRpcDynamic(opts.profile ?? RUN_OPTIONS.profile.default, opts.rpcRange ?? null).map(formatRange)
    : [row.range ?? null];
  return ranges.map((range) => {
    const where = row.port ?? range ?? (row.ipProtocol !== undefined ? `proto-${row.ipProtocol}` : 'echo');
    return {
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
    };
  });
}

/** A service may list the same port twice (the KB does, e.g. NTP and SNTP on 123/udp); keep the strictest. */
function dedupe(list: Expectation[]): Expectation[] {
  const byKey = new Map<string, Expectation>();
  const weight: Record<Requirement, number> = { required: 0, conditional: 1, optional: 2 };
  for (const e of list) {
    const prior = byKey.get(e.key);
    if (!prior) byKey.set(e.key, e);
    else if (weight[e.requirement] < weight[prior.requirement]) {
      byKey.set(e.key, { ...e, application: `${prior.application} / ${e.application}` });
    } else if (!prior.application.split(' / ').includes(e.application)) {
      prior.application = `${prior.application} / ${e.application}`;
    }
  }
  return [...byKey.values()];
}

function unknown(what: string, id: string, known: string[]): PortolanError {
  const near = known
    .filter((k) => k.includes(id) || id.includes(k) || editDistance(k, id) <= Math.max(2, id.length / 4))
    .slice(0, 3);
  const hint = near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : '';
  return new PortolanError(
    'UNKNOWN_ID',
    `unknown ${what} "${id}".${hint} List them with \`portolan catalog ${what}s\`.`,
  );
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
