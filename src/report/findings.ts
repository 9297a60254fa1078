/**
 * The root-cause reading every renderer leads with: the result's root causes joined to their
 * expectations and deciding observations, split into what to fix (outages), what is unsure
 * (inconclusive), and notices that are never outages (optional rows, conditional rows whose
 * named condition is off, optional services that are not installed, untestable rows). Pure,
 * no formatting: words come from the root causes and `analyze/describe.ts`.
 */
import { causeReasonWords, namesList, observationFacts } from '../analyze/describe.js';
import { rootCausesOf } from '../analyze/root-causes.js';
import type { Expectation, Observation, RootCause, RunResult, ServiceVerdict } from '../model.js';

export interface Finding {
  cause: RootCause;
  /** "445/tcp", "49152-65535/tcp", "icmp", "ip 50", "host". */
  port: string;
  /** The application on that port as the first affected row names it ("SMB"). */
  application: string;
  /** The deciding observations, in the root cause's order. */
  observations: Observation[];
  /** What the deciding probe got back, in words ("no answer in 2000 ms"). */
  reason: string;
  /** For a range: the ports that decided it ("49152/tcp filtered, 57344/tcp filtered"), else []. */
  rangePorts: string[];
  /** Engine facts and module evidence of the deciding probes, each once. */
  evidence: string[];
  /** Required services it breaks (or makes unsure), each once, in order. */
  breaks: string[];
  /** Services for which the affected rows are optional or conditional here, each once. */
  optional: string[];
  /** Named conditions off in this run that would make an affected row required. */
  switchesOff: string[];
}

export interface Findings {
  outages: Finding[];
  inconclusive: Finding[];
  waived: Finding[];
  /** Optional or switched-off rows that failed or were unsure, and untestable rows: never outages. */
  notices: Finding[];
  /** Optional services not installed on a target (every port refused): one line each, never outages. */
  absent: ServiceVerdict[];
}

/** Expectations by key, for lookups. */
export function expectationIndex(result: RunResult): Map<string, Expectation> {
  return new Map(result.expectations.map((e) => [e.key, e]));
}

/** The result's root causes, read for reports. */
export function readFindings(result: RunResult): Findings {
  const byKey = expectationIndex(result);
  const timeoutMs = result.run.options.timeoutMs;
  const all = rootCausesOf(result).map((c) => finding(c, result, byKey, timeoutMs));
  return {
    outages: all.filter((f) => f.cause.severity === 'outage'),
    inconclusive: all.filter((f) => f.cause.severity === 'inconclusive'),
    waived: all.filter((f) => f.cause.severity === 'waived'),
    // A port whose every row belongs to an absent service is said by that service's one line.
    notices: all.filter((f) => f.cause.severity === 'notice' && !f.cause.affects.every((a) => a.absent)),
    absent: result.verdicts.services.filter((s) => s.status === 'absent'),
  };
}

/** "445/tcp", "49152-65535/tcp", "icmp", "ip 50", "host". */
export function causePort(c: RootCause): string {
  if (c.scope === 'host') return 'host';
  if (c.protocol === 'icmp') return 'icmp';
  if (c.protocol === 'ip') return `ip ${c.ipProtocol ?? '?'}`;
  return `${c.port ?? c.range ?? '?'}/${c.protocol}`;
}

function finding(c: RootCause, result: RunResult, byKey: Map<string, Expectation>, timeoutMs: number): Finding {
  const observations = c.observations
    .map((i) => result.observations[i])
    .filter((o): o is Observation => o !== undefined);
  const primary = observations[0];
  const first = byKey.get(c.affects[0]?.expectation ?? '');
  const counted = c.affects.filter((a) => !a.absent);
  const breaks = unique(counted.filter((a) => a.requirement === 'required').map((a) => a.serviceName));
  return {
    cause: c,
    port: causePort(c),
    application: c.scope === 'host' ? 'every port' : (first?.application ?? ''),
    observations,
    reason: primary ? causeReasonWords(c, primary, timeoutMs) : 'not probed',
    rangePorts:
      c.scope === 'range'
        ? observations.filter((o) => o.state !== 'open').map((o) => `${o.port}/${o.protocol} ${o.state}`)
        : [],
    evidence: unique(observations.slice(0, 4).flatMap((o) => [...observationFacts(o), ...o.evidence])),
    breaks,
    optional: unique(c.affects.map((a) => a.serviceName)).filter((n) => !breaks.includes(n)),
    switchesOff: unique(c.affects.flatMap((a) => a.switchesOff ?? [])),
  };
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** Named conditions of the run: those on (asked for, and those roles turn on) and those off that rows here could use. */
export function switchesOf(result: RunResult): { on: string[]; off: string[] } {
  const on = new Set(result.run.options.with ?? []);
  const off = new Set<string>();
  for (const e of result.expectations) {
    for (const s of e.switches ?? []) (s.on ? on : off).add(s.name);
  }
  for (const name of on) off.delete(name);
  return { on: [...on], off: [...off].sort() };
}

/** The distinct caveats of the run's verdicts with how many rows carry each: said once, not per row. */
export function caveatsOf(result: RunResult): { text: string; rows: number }[] {
  const counts = new Map<string, number>();
  for (const v of result.verdicts.expectations) {
    if (v.caveat) counts.set(v.caveat, (counts.get(v.caveat) ?? 0) + 1);
  }
  return [...counts].map(([text, rows]) => ({ text, rows }));
}

/** One line of notices: a (port, state) shared by the targets where it occurs, and what it concerns. */
export interface NoticeLine {
  finding: Finding;
  /** The target, or "N targets". */
  where: string;
  /** The services it concerns and the `--with` that would make them required; for an untestable row, what settles it. */
  about: string;
}

/** Notices grouped across targets by (port, state): an optional port silent on 300 DCs is one line. */
export function noticeLines(notices: Finding[]): NoticeLine[] {
  const groups = new Map<string, Finding[]>();
  for (const f of notices) {
    const key = `${f.port} ${f.cause.state} ${f.application}`;
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  }
  return [...groups.values()].map((list) => {
    const f = list[0] as Finding;
    const switches = f.switchesOff.length ? `; required once on: --with ${f.switchesOff.join(' or --with ')}` : '';
    return {
      finding: f,
      where: list.length === 1 ? f.cause.target : `${list.length} targets`,
      about:
        f.cause.state === 'untestable'
          ? f.reason
          : `${namesList(f.optional.length ? f.optional : f.breaks, 4)}${switches}`,
    };
  });
}

/** "Simple Mail Transfer Protocol on dc1", "WINS on 300 targets": optional services not installed, one entry each. */
export function absentNames(absent: ServiceVerdict[]): string[] {
  const byService = new Map<string, string[]>();
  for (const s of absent) byService.set(s.serviceName, [...(byService.get(s.serviceName) ?? []), s.target]);
  return [...byService].map(([name, targets]) =>
    targets.length === 1 ? `${name} on ${targets[0]}` : `${name} on ${targets.length} targets`,
  );
}
