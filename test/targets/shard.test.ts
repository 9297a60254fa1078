import { expect } from 'chai';
import { describeNote } from '../../src/analyze/describe.js';
import { isPortolanError } from '../../src/errors.js';
import type { RunNote } from '../../src/model.js';
import { type Lookup, selectTargets } from '../../src/targets/index.js';
import { inShard, parseShard, shardOf } from '../../src/targets/shard.js';
import { resolveTargets } from '../support/engine.js';

/** 1,000 names as a plan might list them: DCs, file servers, addresses. */
const NAMES = Array.from({ length: 1000 }, (_, i) =>
  i % 3 === 0 ? `dc${i}.corp.example` : i % 3 === 1 ? `FS${i}.Branch.example` : `10.${i >> 8}.${i & 255}.7`,
);
const targets = (names: readonly string[]) => names.map((name) => ({ name, origin: 'test' }));

/** A deterministic shuffle (a linear congruential generator), so the test is reproducible. */
function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('shards (--shard I/N)', () => {
  for (const n of [1, 2, 3, 4, 7, 16]) {
    it(`${n} shard(s) cover every target exactly once`, () => {
      const seen = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        for (const t of inShard(targets(NAMES), { index: i, count: n })) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
      }
      expect(seen.size).to.equal(NAMES.length);
      expect([...seen.values()].every((c) => c === 1)).to.equal(true);
    });
  }

  it('a target keeps its shard whatever the order or length of the list, and whatever the case of its name', () => {
    const shard = { index: 2, count: 5 };
    const mine = new Set(inShard(targets(NAMES), shard).map((t) => t.name));
    const reordered = inShard(targets(shuffled(NAMES, 42)), shard).map((t) => t.name);
    expect(new Set(reordered)).to.deep.equal(mine);
    const fewer = inShard(targets(NAMES.slice(0, 300)), shard).map((t) => t.name);
    expect(fewer.every((name) => mine.has(name))).to.equal(true);
    expect(shardOf('DC3.Corp.Example.', 5)).to.equal(shardOf('dc3.corp.example', 5));
  });

  it('splits evenly enough that no worker gets a pile: each of 4 shards holds 20-30% of 1,000 names', () => {
    for (let i = 0; i < 4; i++) {
      const share = inShard(targets(NAMES), { index: i, count: 4 }).length / NAMES.length;
      expect(share, `shard ${i}`).to.be.within(0.2, 0.3);
    }
  });

  it('parses I/N counting from 0 (as JOB_COMPLETION_INDEX does) and says what it expected otherwise', () => {
    expect(parseShard('0/4', 'shard')).to.deep.equal({ index: 0, count: 4 });
    expect(parseShard(' 3/4 ', 'shard')).to.deep.equal({ index: 3, count: 4 });
    expect(parseShard({ index: 1, count: 2 }, 'shard')).to.deep.equal({ index: 1, count: 2 });
    for (const bad of ['4/4', '1/0', '-1/4', '1', 'a/b', '1/1001', '']) {
      let error: unknown;
      try {
        parseShard(bad, 'shard');
      } catch (err) {
        error = err;
      }
      expect(isPortolanError(error, 'INVALID_VALUE'), bad).to.equal(true);
      expect((error as Error).message).to.match(/expected I\/N .* from 0 to N-1/);
    }
  });

  it('is applied where targets are selected: after deduplication, with a note saying how many of how many', () => {
    const all = targets(['dc1.corp.example', 'DC1.corp.example', 'dc2.corp.example', 'fs1.corp.example']);
    const parts = [0, 1].map((index) => selectTargets(all, { index, count: 2 }));
    expect(parts.map((p) => p.targets.length).reduce((a, b) => a + b)).to.equal(3);
    expect(parts.map((p) => p.named)).to.deep.equal([3, 3]);
    const note = parts[0]?.notes[0];
    expect(note).to.deep.include({ kind: 'shard', index: 0, count: 2, of: 3 });
    expect(describeNote(note as RunNote)).to.match(/^Shard 0\/2 \(--shard\): \d of the 3 target\(s\)/);
  });

  it('a worker looks up only the names of its own shard', async () => {
    const looked: string[] = [];
    const lookup: Lookup = async (name) => {
      looked.push(name);
      return [{ address: '192.0.2.10' }];
    };
    const names = ['a.corp.example', 'b.corp.example', 'c.corp.example', 'd.corp.example', 'e.corp.example'];
    const shard = { index: 1, count: 3 };
    const out = await resolveTargets({
      targets: targets(names),
      allAddresses: false,
      source: null,
      timeoutMs: 500,
      shard,
      lookup,
    });
    const expected = names.filter((n) => shardOf(n, 3) === 1);
    expect(out.targets.map((t) => t.name)).to.deep.equal(expected);
    expect(looked.sort()).to.deep.equal([...expected].sort());
  });
});
