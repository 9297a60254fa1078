/**
 * `mergeFleet`: the results of many vantage points (files, or each source's latest run in
 * the history) into one FleetView. Pure: the same results give the same view, whatever
 * order they come in. A source's runs are read newest first, so where two runs of one
 * source probed the same target (a repeated run, overlapping shards) the newer one counts.
 */

import { rootCausesOf } from '../analyze/root-causes.js';
import { EXIT } from '../exit-codes.js';
import { groupByTarget } from '../group-by.js';
import type { ComplianceStatus, RootCause, RunResult } from '../model.js';
import { causePort } from '../report/findings.js';
import { VERSION } from '../version.js';
import { describeFleetCause, describeFleetNote, fleetHeadline } from './describe-fleet.js';
import type { CellCause, FleetCause, FleetCell, FleetNote, FleetRun, FleetSource, FleetView } from './types.js';

/** One result and where it came from (a file path, `history run 12`). */
export interface FleetInput {
  result: RunResult;
  origin: string;
}

const STATUS_RANK: Record<ComplianceStatus, number> = { compliant: 0, inconclusive: 1, 'non-compliant': 2 };

export function mergeFleet(inputs: readonly FleetInput[]): FleetView {
  const bySource = new Map<string, FleetInput[]>();
  for (const input of inputs) {
    const name = sourceName(input.result);
    bySource.set(name, [...(bySource.get(name) ?? []), input]);
  }
  const sources: FleetSource[] = [];
  const cells: FleetCell[] = [];
  const notes: FleetNote[] = [];
  const targets: string[] = [];
  const seenTargets = new Set<string>();
  for (const name of [...bySource.keys()].sort()) {
    const runs = (bySource.get(name) ?? []).sort(
      (a, b) => b.result.run.startedAt.localeCompare(a.result.run.startedAt) || a.origin.localeCompare(b.origin),
    );
    const first = runs[0]?.result.run.source;
    sources.push({
      name,
      labels: { ...(first?.labels ?? {}) },
      hostnames: [...new Set(runs.map((r) => r.result.run.source.hostname))],
      runs: runs.map(fleetRun),
    });
    const kept = new Map<string, string>();
    runs.forEach((input, runIndex) => {
      if (input.result.run.incomplete) notes.push({ kind: 'incomplete-run', source: name, origin: input.origin });
      for (const cell of cellsOf(input.result, name, runIndex)) {
        const earlier = kept.get(cell.target);
        if (earlier !== undefined) {
          notes.push({ kind: 'superseded', source: name, target: cell.target, kept: earlier, dropped: input.origin });
          continue;
        }
        kept.set(cell.target, input.origin);
        if (!seenTargets.has(cell.target)) {
          seenTargets.add(cell.target);
          targets.push(cell.target);
        }
        cells.push(cell);
      }
    });
    const missing = missingShards(runs);
    if (missing) notes.push({ kind: 'shards-missing', source: name, ...missing });
  }
  notes.unshift(...mixedNotes(inputs));
  const causes = fleetCauses(cells, sources, targets);
  const counts = {
    compliant: cells.filter((c) => c.status === 'compliant').length,
    nonCompliant: cells.filter((c) => c.status === 'non-compliant').length,
    inconclusive: cells.filter((c) => c.status === 'inconclusive').length,
  };
  const status: ComplianceStatus =
    counts.nonCompliant > 0 ? 'non-compliant' : counts.inconclusive > 0 ? 'inconclusive' : 'compliant';
  const exitCode =
    status === 'non-compliant' ? EXIT.nonCompliant : status === 'inconclusive' ? EXIT.inconclusive : EXIT.compliant;
  return {
    fleetVersion: 1,
    tool: { name: 'portolan', version: VERSION },
    sources,
    targets,
    cells,
    causes,
    notes,
    noteText: notes.map(describeFleetNote),
    summary: {
      status,
      exitCode,
      headline: fleetHeadline(status, causes, { sources: sources.length, targets: targets.length }),
      cells: counts,
    },
  };
}

/** The vantage point's name; results written before sources had names use the host name. */
function sourceName(result: RunResult): string {
  return result.run.source.name || result.run.source.hostname;
}

function fleetRun(input: FleetInput): FleetRun {
  const { result } = input;
  return {
    origin: input.origin,
    startedAt: result.run.startedAt,
    shard: result.run.options.shard ?? null,
    incomplete: result.run.incomplete,
    toolVersion: result.tool.version,
    catalogDigest: result.catalog.digest,
  };
}

/** One cell per target of `result`, as seen from `source`. */
function cellsOf(result: RunResult, source: string, run: number): FleetCell[] {
  const verdictsOf = groupByTarget(result.verdicts.targets);
  const servicesOf = groupByTarget(result.verdicts.services);
  const causesOf = groupByTarget(rootCausesOf(result));
  return result.targets.map((t) => {
    const verdicts = verdictsOf.get(t.name) ?? [];
    const worst = verdicts.reduce<ComplianceStatus | null>(
      (w, v) => (w === null || STATUS_RANK[v.status] > STATUS_RANK[w] ? v.status : w),
      null,
    );
    return {
      source,
      target: t.name,
      roles: [...new Set(verdicts.map((v) => v.role).filter((r): r is string => r !== null))],
      // A target without verdicts was never judged: unsure, never compliant.
      status: worst ?? 'inconclusive',
      error: t.error,
      services: (servicesOf.get(t.name) ?? []).map((s) => ({
        role: s.role,
        service: s.service,
        serviceName: s.serviceName,
        status: s.status,
      })),
      causes: (causesOf.get(t.name) ?? []).map(cellCause),
      run,
    };
  });
}

function cellCause(c: RootCause): CellCause {
  const required = c.affects.filter((a) => a.requirement === 'required' && !a.absent).map((a) => a.serviceName);
  return {
    id: c.id,
    port: causePort(c),
    protocol: c.protocol,
    severity: c.severity,
    state: c.state,
    reason: c.reason,
    host: c.host,
    services: [...new Set([...required, ...c.affects.map((a) => a.serviceName)])],
  };
}

/** A cause that matters to the fleet verdict on some source. */
function counts(c: CellCause): boolean {
  return c.severity === 'outage' || c.severity === 'inconclusive';
}

/**
 * Every root cause that is an outage or inconclusive from at least one source, with the
 * sources that see it, those that reach the same port, and where that points.
 */
function fleetCauses(
  cells: readonly FleetCell[],
  sources: readonly FleetSource[],
  targets: readonly string[],
): FleetCause[] {
  const labelsOf = new Map(sources.map((s) => [s.name, s.labels]));
  const cellsOfTarget = groupByTarget(cells);
  const ids = new Map<string, { target: string; cause: CellCause }>();
  for (const cell of cells) {
    for (const cause of cell.causes)
      if (counts(cause) && !ids.has(cause.id)) ids.set(cause.id, { target: cell.target, cause });
  }
  const out: FleetCause[] = [];
  for (const [id, { target, cause }] of ids) {
    const probed = (cellsOfTarget.get(target) ?? []).filter((c) => c.error === null);
    const failing: string[] = [];
    const unsure: string[] = [];
    const clear: string[] = [];
    const hidden: string[] = [];
    const states = new Set<NonNullable<CellCause['state']>>();
    const services = new Set<string>();
    for (const cell of probed) {
      const own = cell.causes.find((c) => c.id === id);
      if (own) {
        for (const s of own.services) services.add(s);
        if (own.severity === 'inconclusive') unsure.push(cell.source);
        else {
          // Waived and notice rows failed on the wire too: the network is the same.
          failing.push(cell.source);
          if (own.state) states.add(own.state);
        }
      } else if (cell.causes.some((c) => c.port === 'host' && counts(c))) hidden.push(cell.source);
      else clear.push(cell.source);
    }
    const bad = [...failing, ...unsure];
    const suspect =
      clear.length > 0 && bad.length > 0 ? 'path' : clear.length === 0 && bad.length >= 2 ? 'target' : 'undecided';
    const base = {
      id,
      target,
      port: cause.port,
      protocol: cause.protocol,
      severity: probed.some((c) => c.causes.some((x) => x.id === id && x.severity === 'outage'))
        ? ('outage' as const)
        : ('inconclusive' as const),
      failing,
      unsure,
      clear,
      hidden,
      suspect: suspect as FleetCause['suspect'],
      sharedLabels: sharedLabels(bad, clear, labelsOf),
      states: [...states],
      services: [...services],
    };
    out.push({ ...base, explanation: describeFleetCause(base) });
  }
  const order = new Map(targets.map((t, i) => [t, i]));
  return out.sort(
    (a, b) =>
      (a.severity === 'outage' ? 0 : 1) - (b.severity === 'outage' ? 0 : 1) ||
      b.failing.length + b.unsure.length - (a.failing.length + a.unsure.length) ||
      (order.get(a.target) ?? 0) - (order.get(b.target) ?? 0) ||
      a.id.localeCompare(b.id),
  );
}

/** Labels every `bad` source carries with one value that no `clear` source has with that value. */
function sharedLabels(
  bad: readonly string[],
  clear: readonly string[],
  labelsOf: ReadonlyMap<string, Record<string, string>>,
): Record<string, string> {
  const first = labelsOf.get(bad[0] ?? '') ?? {};
  const shared: Record<string, string> = {};
  for (const [key, value] of Object.entries(first)) {
    const everyBad = bad.every((s) => labelsOf.get(s)?.[key] === value);
    const noClear = clear.every((s) => labelsOf.get(s)?.[key] !== value);
    if (everyBad && noClear) shared[key] = value;
  }
  return shared;
}

function mixedNotes(inputs: readonly FleetInput[]): FleetNote[] {
  const notes: FleetNote[] = [];
  const digests = [...new Set(inputs.map((i) => i.result.catalog.digest))].sort();
  if (digests.length > 1) notes.push({ kind: 'mixed-catalogs', digests });
  const versions = [...new Set(inputs.map((i) => i.result.tool.version))].sort();
  if (versions.length > 1) notes.push({ kind: 'mixed-versions', versions });
  return notes;
}

/** For a source whose runs are shards of N: the shards no run covered; null when none is missing or none is sharded. */
function missingShards(runs: readonly FleetInput[]): { count: number; missing: number[] } | null {
  const shards = runs.map((r) => r.result.run.options.shard ?? null).filter((s): s is string => s !== null);
  if (shards.length === 0) return null;
  const count = Math.max(...shards.map((s) => Number(s.split('/')[1])));
  const seen = new Set(shards.filter((s) => Number(s.split('/')[1]) === count).map((s) => Number(s.split('/')[0])));
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  return missing.length ? { count, missing } : null;
}
