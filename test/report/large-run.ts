/**
 * A large run's report view built as `check` builds it, record by record, without ever
 * holding the run: records of real-catalog domain controllers (`largeCatalogResult`), each
 * renamed to a target of its own, fed to a ReportView one at a time.
 */

import type { RunResult } from '../../src/model.js';
import { ReportView } from '../../src/report/report-view.js';
import type { ReportOmissions } from '../../src/report/types.js';
import { splitResult, type TargetRecord } from '../../src/result/target-records.js';
import { largeCatalogResult } from './catalog-scenarios.js';

/** The name of target `i` of a large run. */
export function largeTargetName(i: number): string {
  return `dc${String(i).padStart(5, '0')}.corp.example`;
}

/**
 * `targets` domain controllers, every `failEvery`-th firewalled (udp/88 and tcp/3268 dropped,
 * tcp/445 refused) and the rest compliant, as the report view keeps them.
 */
export function largeRunView(targets: number, failEvery = 7): { result: RunResult; omitted: ReportOmissions } {
  const { header, records } = splitResult(largeCatalogResult(7));
  // dc007 is the firewalled one of seven; dc001 a compliant one.
  const template = (r: TargetRecord) => ({ name: r.target.name, text: JSON.stringify(r) });
  const failing = template(records[6] as TargetRecord);
  const passing = template(records[0] as TargetRecord);
  const view = new ReportView();
  for (let i = 0; i < targets; i++) {
    const t = i % failEvery === failEvery - 1 ? failing : passing;
    view.add(JSON.parse(t.text.replaceAll(t.name, largeTargetName(i))) as TargetRecord, i);
  }
  return view.result({ ...header, run: { ...header.run, notes: [] } });
}
