// One backend's history figures, in a process of its own so its peak RSS is its own (see
// history-bench.ts): record a synthetic run, record a second one the way `portolan run` does
// (find the previous run, store, diff in SQL, finish), then diff, list and read back.
// Prints one JSON line. Uses the built dist/ (npm run bench builds it first).
import { statSync } from 'node:fs';
import { computeRootCauses, rootCauseInput } from '../../dist/analyze/root-causes.js';
import { recordRun } from '../../dist/history/record-run.js';
import { History } from '../../dist/history/store.js';
import { syntheticRun } from './synthetic-run.mjs';

const [location, targetsArg, rowsArg] = process.argv.slice(2);
const targets = Number(targetsArg);
const rows = Number(rowsArg);
const plan = { name: 'bench', file: null };
const mib = (bytes) => Math.round(bytes / 2 ** 20);
/** The synthetic run as portolan writes one: with its root causes, which the history stores per target. */
const judged = (run) => {
  run.verdicts.rootCauses = computeRootCauses(rootCauseInput(run));
  return run;
};
const timed = async (fn) => {
  const started = performance.now();
  const value = await fn();
  return [Math.round(performance.now() - started), value];
};

let run = judged(syntheticRun({ targets, rows, variant: 0 }));
const rssWithRun = process.memoryUsage().rss;
const history = await History.open(location);
const [insertMs, first] = await timed(() => history.record(run, plan));
// The first insert's peak, against the RSS with the run in memory: what recording itself costs.
const peakInsertRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
await history.close();
run = null;
globalThis.gc?.();
run = judged(syntheticRun({ targets, rows, variant: 1, startedAt: '2026-11-27T02:00:00.000Z' }));
const [recordMs, recorded] = await timed(() => recordRun(location, run, plan));
if (recorded.error) throw recorded.error;
run = null;
const reader = await History.open(location, { mustExist: true });
const [diffMs, diff] = await timed(() => reader.diff(first.id, recorded.id));
const [listMs] = await timed(() => reader.list({ limit: 20 }));
const [latestMs] = await timed(() => reader.latestPerSource({ plan: 'bench' }));
const [streamMs, streamed] = await timed(async () => {
  let n = 0;
  for await (const _ of reader.targets(recorded.id)) n++;
  return n;
});
const [readMs] = await timed(() => reader.result(recorded.id));
// PostgreSQL's size is measured by the parent, through its own connection.
let sizeBytes = null;
if (!location.startsWith('postgres')) {
  sizeBytes = 0;
  for (const suffix of ['', '-wal']) sizeBytes += statSync(location + suffix, { throwIfNoEntry: false })?.size ?? 0;
}
await reader.close();
console.log(
  JSON.stringify({
    targets,
    rows,
    verdictRows: targets * rows,
    insertMs,
    recordMs,
    diffMs,
    changes: diff.changes.length,
    listMs,
    latestMs,
    streamMs,
    streamed,
    readMs,
    sizeMiB: sizeBytes === null ? null : mib(sizeBytes),
    rssWithRunMiB: mib(rssWithRun),
    peakInsertRssMiB,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
