/**
 * Shards (`--shard I/N`): N workers split one target list so that together they probe every
 * target exactly once. A target's shard is a hash of its normalised name (lower case, no
 * trailing dot: names compare as DNS compares them), never its position in the list, so the
 * split does not change when the list is reordered, grown, or read by another worker, and a
 * target named in two plan groups lands in the same shard both times. I counts from 0, as
 * Kubernetes' JOB_COMPLETION_INDEX does: `--shard $(JOB_COMPLETION_INDEX)/N`.
 */
import { createHash } from 'node:crypto';
import { PortolanError } from '../errors.js';

/** One shard of N: `index` from 0 to `count - 1`. */
export interface Shard {
  index: number;
  count: number;
}

/** Most shards a list may be split into. */
export const MAX_SHARDS = 1000;

const EXPECTED = `I/N with N from 1 to ${MAX_SHARDS} and I from 0 to N-1, e.g. 0/4 ... 3/4`;

/** "2/4" (or a `Shard` from a library caller) to a checked Shard; INVALID_VALUE naming `field` otherwise. */
export function parseShard(value: unknown, field: string): Shard {
  const text =
    typeof value === 'string'
      ? value.trim()
      : typeof value === 'object' && value !== null
        ? `${(value as Shard).index}/${(value as Shard).count}`
        : String(value);
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > MAX_SHARDS || index >= count) {
    throw new PortolanError('INVALID_VALUE', `${field} "${text}": expected ${EXPECTED}`, { fields: [field] });
  }
  return { index, count };
}

/** "2/4". */
export function shardText(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** Which of `count` shards probes `name`: stable for a name, whatever list it is in. */
export function shardOf(name: string, count: number): number {
  const normal = name.trim().toLowerCase().replace(/\.$/, '');
  return createHash('sha256').update(normal).digest().readUInt32BE(0) % count;
}

/** The items of `list` this shard probes, in their order. */
export function inShard<T extends { name: string }>(list: readonly T[], shard: Shard): T[] {
  return list.filter((t) => shardOf(t.name, shard.count) === shard.index);
}
