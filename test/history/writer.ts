/**
 * Child process of the history tests, one agent of a fleet:
 *   writer.ts LOCATION AGENT COUNT     record COUNT runs of plan `fleet` from source AGENT, each
 *                                      through recordRun with a fresh connection, as separate
 *                                      `portolan run` processes would; run i starts at minute i
 *   writer.ts LOCATION AGENT kill      record 2 runs, then begin a 3,000-target run, print
 *                                      "begun" once its first batch is stored, and keep adding
 *                                      targets until the parent kills it
 */
import { recordRun } from '../../src/history/record-run.js';
import { History } from '../../src/history/store.js';
import { runStartOf } from '../../src/history/write-run.js';
import { splitResult } from '../../src/result/target-records.js';
import { fleetRun } from './fleet-run.js';

const [location, agent, mode] = process.argv.slice(2) as [string, string, string];

async function record(i: number): Promise<void> {
  const outcome = await recordRun(location, fleetRun(agent, i), { name: 'fleet', file: null });
  if (outcome.error) throw outcome.error;
}

if (mode === 'kill') {
  await record(0);
  await record(1);
  const history = await History.open(location);
  const big = fleetRun(agent, 2, 3000);
  const { header, records } = splitResult(big);
  const writer = await history.beginRun(runStartOf(header, { name: 'fleet', file: null }));
  for (let i = 0; i < records.length; i += 20) {
    await writer.add(records.slice(i, i + 20));
    if (i === 0) process.stdout.write(`begun ${writer.id}\n`);
  }
  // Only reached if the parent never killed us: finishing would make the run complete.
  await writer.finish(header);
  process.stdout.write('finished\n');
} else {
  for (let i = 0; i < Number(mode); i++) await record(i);
}
