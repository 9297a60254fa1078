/**
 * Child process for the concurrent-writers test: records N copies of a fixture run into
 * the database at argv[2], tagged with argv[4] as the plan name.
 */
import { HistoryStore } from '../../src/history/store.js';
import { loadFixture } from '../report/fixtures.js';

const [path, count, plan] = process.argv.slice(2) as [string, string, string];
const result = loadFixture('firewalled');
for (let i = 0; i < Number(count); i++) {
  // A fresh connection each time, as separate `portolan run` processes would.
  const store = HistoryStore.open(path, { busyTimeoutMs: 10_000 });
  store.record(result, { name: plan, file: null });
  store.close();
}
