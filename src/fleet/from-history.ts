/**
 * The fleet's runs from the history: the newest run of each (plan, source), and for a
 * sharded source the newest run of each of its other shards too, since one worker's shard
 * is only part of that source's row.
 */
import type { History, StoredRun } from '../history/store.js';
import type { FleetInput } from './merge.js';

export interface FleetFilter {
  plan?: string;
  /** ISO time: runs started at or after it only. */
  since?: string;
  includeIncomplete?: boolean;
}

/** Earlier runs of a sharded source read, per shard, while looking for its other shards. */
const RUNS_PER_SHARD_SCANNED = 4;

export async function latestFleetRuns(history: History, filter: FleetFilter): Promise<FleetInput[]> {
  const chosen: StoredRun[] = [];
  for (const newest of await history.latestPerSource(filter)) {
    chosen.push(newest);
    const shard = (await history.header(newest.id))?.run.options.shard;
    if (shard) chosen.push(...(await otherShards(history, newest, shard, filter)));
  }
  const inputs: FleetInput[] = [];
  for (const run of chosen) {
    const result = await history.result(run.id);
    if (result) inputs.push({ result, origin: `history run ${run.id}` });
  }
  return inputs;
}

/** The newest run of each other shard of N of the same plan and source (bounded: a few runs per shard). */
async function otherShards(
  history: History,
  newest: StoredRun,
  shard: string,
  filter: FleetFilter,
): Promise<StoredRun[]> {
  const count = Number(shard.split('/')[1]);
  const seen = new Set([shard]);
  const found: StoredRun[] = [];
  const earlier = await history.list({
    ...filter,
    includeIncomplete: !!filter.includeIncomplete,
    plan: newest.plan,
    source: newest.sourceName,
    beforeId: newest.id,
    limit: count * RUNS_PER_SHARD_SCANNED,
  });
  for (const run of earlier) {
    if (seen.size === count) break;
    const other = (await history.header(run.id))?.run.options.shard;
    if (!other || seen.has(other) || Number(other.split('/')[1]) !== count) continue;
    seen.add(other);
    found.push(run);
  }
  return found;
}
