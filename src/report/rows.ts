/**
 * The shared reading of a RunResult every renderer uses: verdicts joined to their expectation
 * and observations, grouped target -> service -> port in a stable order. Pure, no formatting.
 */
import { groupByTarget } from '../group-by.js';
import type {
  Expectation,
  ExpectationVerdict,
  Observation,
  Requirement,
  RunResult,
  RunSource,
  ServiceVerdict,
  TargetInfo,
  TargetVerdict,
} from '../model.js';

export interface ReportRow {
  verdict: ExpectationVerdict;
  /** Null only when a verdict names an expectation the result does not carry (a damaged file). */
  expectation: Expectation | null;
  observations: Observation[];
  /** The observation that decided the verdict (see `primaryObservation`). */
  primary: Observation | null;
}

export interface ServiceGroup {
  service: string;
  serviceName: string;
  role: string | null;
  verdict: ServiceVerdict | null;
  rows: ReportRow[];
}

export interface TargetGroup {
  target: string;
  info: TargetInfo | null;
  /** One per role the target was checked for. */
  verdicts: TargetVerdict[];
  services: ServiceGroup[];
}

const REQUIREMENT_ORDER: Record<Requirement, number> = { required: 0, conditional: 1, optional: 2 };
const TRANSPORT_ORDER: Record<string, number> = { tcp: 0, udp: 1, icmp: 2, ip: 3 };

/** "88/udp", "49152-65535/tcp", "icmp", "ip 47". */
export function portLabel(e: Pick<Expectation, 'protocol' | 'port' | 'range' | 'ipProtocol'> | null): string {
  if (!e) return '?';
  if (e.protocol === 'icmp') return 'icmp';
  if (e.protocol === 'ip') return `ip ${e.ipProtocol ?? '?'}`;
  return `${e.port ?? e.range ?? '?'}/${e.protocol}`;
}

/** "88/udp" for one observation (a sampled port of a range shows its own number). */
export function observationPortLabel(o: Observation): string {
  if (o.protocol === 'icmp') return 'icmp';
  if (o.protocol === 'ip') return `ip ${o.ipProtocol ?? '?'}`;
  return `${o.port ?? '?'}/${o.protocol}`;
}

/**
 * For a failing verdict the first observation that did not answer explains it; otherwise the
 * first one. A range probed on several sampled ports thus shows the port that broke it.
 */
export function primaryObservation(v: ExpectationVerdict, observations: Observation[]): Observation | null {
  if (v.status === 'fail') return observations.find((o) => o.state !== 'open') ?? observations[0] ?? null;
  return observations[0] ?? null;
}

/** [port number, transport rank]: ports ascending, tcp before udp on the same number, icmp/ip last. */
function sortKey(e: Expectation | null): [number, number] {
  if (!e) return [Number.MAX_SAFE_INTEGER, 9];
  const port = e.port ?? Number.parseInt(e.range ?? '', 10);
  return [Number.isNaN(port) ? 70000 : port, TRANSPORT_ORDER[e.protocol] ?? 9];
}

function compareRows(a: ReportRow, b: ReportRow): number {
  const [na, pa] = sortKey(a.expectation);
  const [nb, pb] = sortKey(b.expectation);
  return na - nb || pa - pb;
}

/** Join verdicts to expectations and observations; order targets as the run listed them, services as the catalog. */
export function groupResult(result: RunResult): TargetGroup[] {
  const expectations = new Map(result.expectations.map((e) => [e.key, e]));
  const serviceOrder = new Map<string, number>();
  for (const e of result.expectations) if (!serviceOrder.has(e.service)) serviceOrder.set(e.service, serviceOrder.size);
  const targets = new Map<string, TargetGroup>();
  const groupFor = (name: string): TargetGroup => {
    let g = targets.get(name);
    if (!g) {
      g = { target: name, info: null, verdicts: [], services: [] };
      targets.set(name, g);
    }
    return g;
  };
  for (const info of result.targets) groupFor(info.name).info = info;
  for (const tv of result.verdicts.targets) groupFor(tv.target).verdicts.push(tv);

  const services = new Map<string, ServiceGroup>();
  const serviceFor = (target: string, role: string | null, service: string, serviceName: string): ServiceGroup => {
    const key = JSON.stringify([target, role, service]);
    let s = services.get(key);
    if (!s) {
      s = { service, serviceName, role, verdict: null, rows: [] };
      services.set(key, s);
      groupFor(target).services.push(s);
    }
    return s;
  };
  for (const sv of result.verdicts.services) serviceFor(sv.target, sv.role, sv.service, sv.serviceName).verdict = sv;
  for (const v of result.verdicts.expectations) {
    const expectation = expectations.get(v.expectation) ?? null;
    const observations = v.observations
      .map((i) => result.observations[i])
      .filter((o): o is Observation => o !== undefined);
    const row = { verdict: v, expectation, observations, primary: primaryObservation(v, observations) };
    serviceFor(v.target, v.role, v.service, expectation?.serviceName ?? v.service).rows.push(row);
  }
  for (const g of targets.values()) {
    g.services.sort((a, b) => (serviceOrder.get(a.service) ?? 1e9) - (serviceOrder.get(b.service) ?? 1e9));
    for (const s of g.services) s.rows.sort(compareRows);
  }
  return [...targets.values()];
}

/** A result's lookups by target name, so rendering 10,000 targets stays linear. */
export interface TargetIndex {
  /** Each target's entry of `result.targets` (the first, if a name is listed twice). */
  info: Map<string, TargetInfo>;
  /** Each target's verdicts per role, in result order. */
  verdicts: Map<string, TargetVerdict[]>;
}

export function targetIndex(result: RunResult): TargetIndex {
  const info = new Map<string, TargetInfo>();
  for (const t of result.targets) if (!info.has(t.name)) info.set(t.name, t);
  return { info, verdicts: groupByTarget(result.verdicts.targets) };
}

/** Every row of every target, flattened in report order, with its target and service. */
export function allRows(groups: TargetGroup[]): { target: TargetGroup; service: ServiceGroup; row: ReportRow }[] {
  return groups.flatMap((target) =>
    target.services.flatMap((service) => service.rows.map((row) => ({ target, service, row }))),
  );
}

/** Rank for "required before optional" lists. */
export function requirementRank(row: ReportRow): number {
  return REQUIREMENT_ORDER[row.expectation?.requirement ?? 'required'];
}

/** "12 ms", "<1 ms", or "-" when nothing came back. */
export function formatRtt(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1) return '<1 ms';
  return `${Math.round(ms)} ms`;
}

/** Whether the run checked reachability before deployment rather than live services. */
export function isPreDeployment(result: RunResult): boolean {
  return result.run.options.expect === 'reachable' || result.run.options.responder;
}

/** The command line as one shell-like string (display only; arguments with spaces quoted). */
export function commandLineText(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** "site=branch-12, vlan=20": a vantage point's labels, in key order. */
export function labelsText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/**
 * The vantage point in words, unescaped: "vlan-20 [site=branch-12] on agent1 (192.0.2.50)", or
 * the host alone when the name is the host name: "agent1 (192.0.2.50)".
 */
export function sourceText(s: RunSource): string {
  const labels = labelsText(s.labels);
  const tagged = labels ? ` [${labels}]` : '';
  const host = `${s.hostname} (${s.addresses.join(', ') || 'no address'})`;
  return s.name === s.hostname ? `${host}${tagged}` : `${s.name}${tagged} on ${host}`;
}
