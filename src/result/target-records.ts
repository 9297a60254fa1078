/**
 * A RunResult cut into a run header plus one record per target, and put back together.
 * The history stores a run this way (one row per target instead of one giant JSON string,
 * which V8 cannot build past about 8,000 targets), and the same records suit anything that
 * handles a run target by target (NDJSON streaming, exporters).
 *
 * A record holds everything the run found about one target: its TargetInfo, its
 * observations, its expectation, service and target verdicts and its root causes. Verdicts
 * and root causes index into the record's own observations, so a record stands alone.
 *
 * Round trip: `joinResult(splitResult(r))` equals `r` (key order too) whenever each
 * list of `r` keeps a target's entries together in target order, which is how a check run
 * and the streaming engine produce them. A plan that names one target in two groups
 * interleaves that target's entries; there the assembled result groups them by target
 * (each verdict still points at the same observations), and splitting it again gives the
 * same records. Root causes are not kept together by target but listed outages first
 * (`computeRootCauses`: by severity, then in target order); joining restores that order.
 */

import { PortolanError } from '../errors.js';
import type {
  ExpectationVerdict,
  Observation,
  RootCause,
  RunResult,
  ServiceVerdict,
  TargetInfo,
  TargetVerdict,
} from '../model.js';
import { SEVERITY_ORDER } from '../model.js';

/** The run as a whole: everything in a RunResult but its targets, observations and verdicts. */
export type RunHeader = Omit<RunResult, 'targets' | 'observations' | 'verdicts'>;

/** Everything one run found about one target; the shape mirrors RunResult's own lists. */
export interface TargetRecord {
  /** The target as the run resolved it (its entry of `RunResult.targets`). */
  target: TargetInfo;
  /** Its observations, in run order. */
  observations: Observation[];
  verdicts: {
    /** Its expectation verdicts; `observations` index into this record's `observations`. */
    expectations: ExpectationVerdict[];
    /** Its service verdicts (one per role and service). */
    services: ServiceVerdict[];
    /** Its compliance per role. */
    targets: TargetVerdict[];
    /**
     * Its root causes, in run order; `observations` index into this record's `observations`.
     * Absent when the result had none recorded (written before root causes existed).
     */
    rootCauses?: RootCause[];
  };
}

/** A result whose lists do not fit its targets (an entry for an unknown target, an index out of range). */
function inconsistent(detail: string): PortolanError {
  return new PortolanError('RESULT_INVALID', `result cannot be split by target: ${detail}`);
}

/** Cut a result into its header and one record per entry of `result.targets`, in that order. */
export function splitResult(result: RunResult): { header: RunHeader; records: TargetRecord[] } {
  const { targets, observations, verdicts, ...header } = result;
  const records: TargetRecord[] = [];
  const byName = new Map<string, TargetRecord>();
  for (const target of targets) {
    if (byName.has(target.name)) throw inconsistent(`target "${target.name}" is listed twice`);
    const record: TargetRecord = {
      target,
      observations: [],
      verdicts: { expectations: [], services: [], targets: [] },
    };
    records.push(record);
    byName.set(target.name, record);
  }
  const recordOf = (name: string, what: string) => {
    const record = byName.get(name);
    if (!record) throw inconsistent(`${what} names target "${name}", which is not in targets[]`);
    return record;
  };
  // Where each observation lands: its record and its index there.
  const local: { record: TargetRecord; index: number }[] = observations.map((o, i) => {
    const record = recordOf(o.target, `observation ${i}`);
    record.observations.push(o);
    return { record, index: record.observations.length - 1 };
  });
  /** `indexes` into the run's observations as indexes into `record`'s, which they must all belong to. */
  const rebase = (indexes: readonly number[], record: TargetRecord, what: string) =>
    indexes.map((global) => {
      const at = local[global];
      if (at?.record !== record) {
        throw inconsistent(`${what} points at observation ${global}, which is not one of that target's`);
      }
      return at.index;
    });
  for (const [i, v] of verdicts.expectations.entries()) {
    const what = `expectation verdict ${i} (${v.target})`;
    const record = recordOf(v.target, what);
    record.verdicts.expectations.push({ ...v, observations: rebase(v.observations, record, what) });
  }
  for (const [i, s] of verdicts.services.entries())
    recordOf(s.target, `service verdict ${i}`).verdicts.services.push(s);
  for (const [i, t] of verdicts.targets.entries()) recordOf(t.target, `target verdict ${i}`).verdicts.targets.push(t);
  if (verdicts.rootCauses) {
    for (const record of records) record.verdicts.rootCauses = [];
    for (const [i, c] of verdicts.rootCauses.entries()) {
      const what = `root cause ${i} (${c.id})`;
      const record = recordOf(c.target, what);
      record.verdicts.rootCauses?.push({ ...c, observations: rebase(c.observations, record, what) });
    }
  }
  return { header, records };
}

/** The RunResult a header and its records (in target order) stand for. */
export function joinResult(header: RunHeader, records: Iterable<TargetRecord>): RunResult {
  const targets: TargetInfo[] = [];
  const observations: Observation[] = [];
  const verdicts: RunResult['verdicts'] = { expectations: [], services: [], targets: [] };
  const causes: RootCause[][] = [];
  for (const record of records) {
    const offset = observations.length;
    targets.push(record.target);
    for (const o of record.observations) observations.push(o);
    const count = record.observations.length;
    const rebase = (indexes: readonly number[], what: string) =>
      indexes.map((i) => {
        if (!(Number.isInteger(i) && i >= 0 && i < count)) {
          throw inconsistent(`record of "${record.target.name}": ${what} points at observation ${i} of ${count}`);
        }
        return i + offset;
      });
    for (const v of record.verdicts.expectations) {
      verdicts.expectations.push({ ...v, observations: rebase(v.observations, 'a verdict') });
    }
    for (const s of record.verdicts.services) verdicts.services.push(s);
    for (const t of record.verdicts.targets) verdicts.targets.push(t);
    if (record.verdicts.rootCauses) {
      causes.push(
        record.verdicts.rootCauses.map((c) => ({ ...c, observations: rebase(c.observations, `root cause ${c.id}`) })),
      );
    }
  }
  if (causes.length > 0) verdicts.rootCauses = runOrder(causes);
  // RunResult's own key order, so the JSON text round-trips too; later additive keys follow.
  const { schemaVersion, tool, catalog, run, expectations, summary, ...rest } = header;
  return { schemaVersion, tool, catalog, run, targets, expectations, observations, verdicts, summary, ...rest };
}

/**
 * Every target's root causes (each list in its own order, the lists in target order) as the
 * run lists them: by severity, outages first; within one severity, target by target. A
 * severity this version does not know (a newer writer's) keeps its causes, last.
 */
function runOrder(perTarget: readonly RootCause[][]): RootCause[] {
  const rank = (c: RootCause) => {
    const at = SEVERITY_ORDER.indexOf(c.severity);
    return at === -1 ? SEVERITY_ORDER.length : at;
  };
  // A stable sort: within one severity the causes keep target order and each target's own order.
  return perTarget.flat().sort((a, b) => rank(a) - rank(b));
}
