/**
 * What the table, HTML, JUnit and Markdown reports keep of a large run, built target by
 * target as each finishes, so their memory stays bounded at 10,000 targets instead of
 * holding the whole result (about 90 KB of JSON per domain controller). A compliant target
 * keeps its name, addresses and per-role verdicts; the first DETAILED_TARGETS failing or
 * inconclusive targets also keep their root causes and the rows that did not pass (at most
 * ROWS_KEPT and CAUSES_KEPT each) with the observations those point at; later failing
 * targets are kept as compliant ones are. What was left out is counted (`ReportOmissions`),
 * and the renderers say it. The JSON result is written from the full records, never from this.
 */
import type { RunResult } from '../model.js';
import { joinResult, type RunHeader, type TargetRecord } from '../result/target-records.js';
import type { ReportOmissions } from './types.js';

/** Failing or inconclusive targets whose root causes and failing rows the reports keep. */
export const DETAILED_TARGETS = 100;
/** Rows that did not pass kept per detailed target. */
export const ROWS_KEPT = 50;
/** Root causes kept per detailed target. */
export const CAUSES_KEPT = 20;

/** Whether a record's target failed or was unsure for any role, or could not be probed. */
function needsDetail(record: TargetRecord): boolean {
  return record.target.error !== null || record.verdicts.targets.some((t) => t.status !== 'compliant');
}

/** The record cut to what the reports show of it; `keep` says whether its failing rows stay. */
function compactRecord(record: TargetRecord, keep: boolean, omitted: ReportOmissions): TargetRecord {
  const { expectations, targets, rootCauses = [] } = record.verdicts;
  const rows = keep ? expectations.filter((v) => v.status !== 'pass').slice(0, ROWS_KEPT) : [];
  const causes = keep ? rootCauses.slice(0, CAUSES_KEPT) : [];
  omitted.rows += expectations.length - rows.length;
  omitted.rootCauses += rootCauses.length - causes.length;
  // Observations the kept rows and causes point at, re-indexed in run order.
  const used = [...new Set([...rows, ...causes].flatMap((x) => x.observations))].sort((a, b) => a - b);
  const at = new Map(used.map((old, i) => [old, i]));
  const rebase = (indexes: number[]) => indexes.map((i) => at.get(i) as number);
  return {
    target: record.target,
    observations: used.map((i) => record.observations[i]).filter((o) => o !== undefined),
    verdicts: {
      expectations: rows.map((v) => ({ ...v, observations: rebase(v.observations) })),
      services: keep ? record.verdicts.services.filter((s) => s.status !== 'ok') : [],
      targets,
      rootCauses: causes.map((c) => ({ ...c, observations: rebase(c.observations) })),
    },
  };
}

/** Collects the compact records of a run as its targets finish (in any order). */
export class ReportView {
  private readonly records: TargetRecord[] = [];
  private readonly omitted: ReportOmissions = { detailed: [], summarisedFailing: 0, rows: 0, rootCauses: 0 };

  /** Keeps what the reports need of the target at `ordinal` in the run's target order. */
  add(record: TargetRecord, ordinal: number): void {
    const failing = needsDetail(record);
    const keep = failing && this.omitted.detailed.length < DETAILED_TARGETS;
    if (keep) this.omitted.detailed.push(record.target.name);
    else if (failing) this.omitted.summarisedFailing++;
    this.records[ordinal] = compactRecord(record, keep, this.omitted);
  }

  /** The compact result the renderers take, and what it left out (for `RenderOptions.omitted`). */
  result(header: RunHeader): { result: RunResult; omitted: ReportOmissions } {
    return { result: joinResult(header, this.records.filter(Boolean)), omitted: this.omitted };
  }
}
