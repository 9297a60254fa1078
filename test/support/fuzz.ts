/**
 * A seeded fuzz harness for byte parsers: random, truncated, bit-flipped and spliced
 * variants of valid inputs. Reproducible: a failure names the seed and iteration, and the
 * input that failed, in hex.
 */

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One mutation of `base`: truncate, flip bits, overwrite bytes, splice, extend, or pure noise. */
export function mutate(base: Uint8Array, rand: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const out = Uint8Array.from(base);
  switch (pick(6)) {
    case 0:
      return out.subarray(0, pick(out.length + 1));
    case 1:
      for (let i = 0, n = 1 + pick(8); i < n && out.length; i++) out[pick(out.length)] ^= 1 << pick(8);
      return out;
    case 2:
      for (let i = 0, n = 1 + pick(4); i < n && out.length; i++)
        out[pick(out.length)] = [0, 0xff, 0x7f, 0x80, 0x84, 0xc0][pick(6)];
      return out;
    case 3: {
      const from = pick(out.length + 1);
      const to = pick(out.length + 1);
      return Uint8Array.from([...out.subarray(0, from), ...out.subarray(to)]);
    }
    case 4:
      return Uint8Array.from([...out, ...Array.from({ length: 1 + pick(64) }, () => pick(256))]);
    default:
      return Uint8Array.from({ length: pick(600) }, () => pick(256));
  }
}

export interface FuzzReport {
  runs: number;
  ms: number;
}

/**
 * Call `fn` on `n` mutated inputs derived from `seeds` (PRNG seed `seed`). Throws, naming the
 * iteration and the input, if `fn` throws. The caller asserts the time bound.
 */
export function fuzzParser(
  name: string,
  fn: (input: Uint8Array) => unknown,
  seeds: Uint8Array[],
  n = 10_000,
  seed = 0x5eed,
): FuzzReport {
  const rand = prng(seed);
  const start = performance.now();
  let input = seeds[0] ?? new Uint8Array(0);
  for (let i = 0; i < n; i++) {
    const base = seeds.length ? seeds[Math.floor(rand() * seeds.length)] : new Uint8Array(0);
    // Mutate a mutation now and then, to reach states two edits away from valid.
    input = mutate(rand() < 0.25 ? mutate(base, rand) : base, rand);
    try {
      fn(input);
    } catch (err) {
      const hexInput = Buffer.from(input).toString('hex');
      throw new Error(`${name}: iteration ${i} (seed ${seed}) threw ${(err as Error).message}; input ${hexInput}`);
    }
  }
  return { runs: n, ms: performance.now() - start };
}
