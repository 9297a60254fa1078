// `npm run bench` (fleet part; alone: `npm run bench:fleet`): `mergeFleet` at fleet scale.
// SOURCES vantage points each report TARGETS domain controllers (every seventh firewalled
// from every source, and from every third source one more port of every eleventh DC: a
// site's path), built through the report scenarios and judged by the real analyzer; then
// merged and rendered as table, Markdown and JSON. Prints the merge and render times and the
// fleet causes found.
import { mergeFleet } from '../../src/fleet/merge.js';
import { renderFleet } from '../../src/fleet/render.js';
import type { RunResult } from '../../src/model.js';
import { scenarioResult, type TargetSpec } from '../report/scenarios.js';

const SOURCES = Number(process.env.BENCH_FLEET_SOURCES ?? 12);
const TARGETS = Number(process.env.BENCH_FLEET_TARGETS ?? 1000);

function sourceResult(index: number): RunResult {
  const targets: TargetSpec[] = [];
  for (let i = 1; i <= TARGETS; i++) {
    const outcomes: TargetSpec['outcomes'] = {};
    if (i % 7 === 0) outcomes['lsa/tcp/389'] = { state: 'filtered', reason: 'timeout' };
    if (index % 3 === 0 && i % 11 === 0) outcomes['kdc/tcp/88'] = { state: 'filtered', reason: 'timeout' };
    targets.push({ name: `dc${i}.corp.example`, addresses: [`192.0.2.${i % 250}`], outcomes });
  }
  const name = `site-${String(index).padStart(2, '0')}`;
  return scenarioResult({ hostname: name, sourceName: name, labels: { site: name }, targets });
}

const built = Date.now();
const inputs = Array.from({ length: SOURCES }, (_, i) => ({ result: sourceResult(i), origin: `site-${i}.json` }));
const buildMs = Date.now() - built;
const t0 = performance.now();
const view = mergeFleet(inputs);
const mergeMs = performance.now() - t0;
const sizes: string[] = [];
for (const format of ['table', 'md', 'json'] as const) {
  const t = performance.now();
  const body = renderFleet(view, format);
  sizes.push(`${format} ${(performance.now() - t).toFixed(0)} ms (${(body.length / 1e6).toFixed(1)} MB)`);
}
const bySuspect = (s: string) => view.causes.filter((c) => c.suspect === s).length;
console.log(
  `fleet: ${SOURCES} sources x ${TARGETS} targets (${view.cells.length} cells; results built in ${buildMs} ms): ` +
    `merged in ${mergeMs.toFixed(0)} ms; ${view.causes.length} fleet causes (${bySuspect('target')} target, ${bySuspect('path')} path); ` +
    `render ${sizes.join(', ')}`,
);
