/**
 * A RunResult cut into a run header plus one record per target, and put back together.
 * The history stores a run this way (one row per target instead of one giant JSON string,
 * which V8 cannot build past about 8,000 targets), and the same records suit anything that
 * handles a run target by target (NDJSON streaming, exporters).
 *
 * A record holds everything the run found about one target: its TargetInfo, its
 * observations, and its expectation, service and target verdicts. Verdicts index into the
 * record's own observations, so a record stands alone.
 *
 * Round trip: `joinResult(splitResult(r))` equals `r` (key order too) whenever each
 * list of `r` keeps a target's entries together in target order, which is how a check run
 * and the streaming engine produce them. A plan that names one target in two groups
 * interleaves that target's entries; there the assembled result groups them by target
 * (each verdict still points at the same observations), and splitting it again gives the
 * same records.
 */
import { PortolanError } from '../errors.js';
import type {
  ExpectationVerdict,
  Observation,
  RunResult,
  ServiceVerdict,
  TargetInfo,
  TargetVerdict,
} from '../model.js';

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
  for (const [i, v] of verdicts.expectations.entries()) {
    const record = recordOf(v.target, `expectation verdict ${i}`);
    const rebased = v.observations.map((global) => {
      const at = local[global];
      if (at?.record !== record) {
        throw inconsistent(
          `expectation verdict ${i} (${v.target}) points at observation ${global}, which is not one of that target's`,
        );
      }
      return at.index;
    });
    record.verdicts.expectations.push({ ...v, observations: rebased });
  }
  for (const [i, s] of verdicts.services.entries())
    recordOf(s.target, `service verdict ${i}`).verdicts.services.push(s);
  for (const [i, t] of verdicts.targets.entries()) recordOf(t.target, `target verdict ${i}`).verdicts.targets.push(t);
  return { header, records };
}

/** The RunResult a header and its records (in target order) stand for. */
export function joinResult(header: RunHeader, records: Iterable<TargetRecord>): RunResult {
  const targets: TargetInfo[] = [];
  const observations: Observation[] = [];
  const verdicts: RunResult['verdicts'] = { expectations: [], services: [], targets: [] };
  for (const record of records) {
    const offset = observations.length;
    targets.push(record.target);
    for (const o of record.observations) observations.push(o);
    const count = record.observations.length;
    for (const v of record.verdicts.expectations) {
      const rebased = v.observations.map((i) => {
        if (!(Number.isInteger(i) && i >= 0 && i < count)) {
          throw inconsistent(`record of "${record.target.name}": a verdict points at observation ${i} of ${count}`);
        }
        return i + offset;
      });
      verdicts.expectations.push({ ...v, observations: rebased });
    }
    for (const s of record.verdicts.services) verdicts.services.push(s);
    for (const t of record.verdicts.targets) verdicts.targets.push(t);
  }
  // RunResult's own key order, so the JSON text round-trips too; later additive keys follow.
  const { schemaVersion, tool, catalog, run, expectations, summary, ...rest } = header;
  return { schemaVersion, tool, catalog, run, targets, expectations, observations, verdicts, summary, ...rest };
}
