/**
 * A plan runs one probe run per group (and one per group's `blocked:` rules); the
 * report is one RunResult. Merging concatenates targets, observations and verdicts,
 * shifting observation indices, and keeps each expectation once (keys are
 * target-independent). Service/target verdicts and the summary are recomputed by the
 * caller (`reaggregate`) once waivers and segmentation are applied.
 */
import type { RunResult } from '../model.js';

export function mergeResults(parts: RunResult[], commandLine: string[]): RunResult {
  const [first] = parts;
  if (!first) throw new Error('mergeResults needs at least one result');
  const expectations = new Map(parts.flatMap((p) => p.expectations.map((e) => [e.key, e] as const)));
  const targets = new Map(parts.flatMap((p) => p.targets.map((t) => [t.name, t] as const)));
  const observations: RunResult['observations'] = [];
  const verdicts: RunResult['verdicts'] = { expectations: [], services: [], targets: [] };
  for (const part of parts) {
    const offset = observations.length;
    observations.push(...part.observations);
    verdicts.expectations.push(
      ...part.verdicts.expectations.map((v) => ({ ...v, observations: v.observations.map((i) => i + offset) })),
    );
    verdicts.services.push(...part.verdicts.services);
    verdicts.targets.push(...part.verdicts.targets);
  }
  const startedAt = parts.map((p) => p.run.startedAt).sort()[0] ?? first.run.startedAt;
  const endedAt =
    parts
      .map((p) => p.run.endedAt)
      .sort()
      .at(-1) ?? first.run.endedAt;
  const incomplete = parts.find((p) => p.run.incomplete);
  return {
    ...first,
    run: {
      ...first.run,
      startedAt,
      endedAt,
      durationMs: Date.parse(endedAt) - Date.parse(startedAt),
      commandLine,
      incomplete: incomplete !== undefined,
      incompleteReason: incomplete?.run.incompleteReason ?? null,
      notes: [...new Set(parts.flatMap((p) => p.run.notes))],
    },
    targets: [...targets.values()],
    expectations: [...expectations.values()],
    observations,
    verdicts,
  };
}

/** The part of a result about the named targets only (observations re-indexed). */
export function onlyTargets(result: RunResult, keep: (target: string) => boolean): RunResult {
  const newIndex = new Map<number, number>();
  const observations = result.observations.filter((o, i) => {
    if (!keep(o.target)) return false;
    newIndex.set(i, newIndex.size);
    return true;
  });
  const remap = (ids: number[]) => ids.flatMap((i) => newIndex.get(i) ?? []);
  return {
    ...result,
    targets: result.targets.filter((t) => keep(t.name)),
    observations,
    verdicts: {
      expectations: result.verdicts.expectations
        .filter((v) => keep(v.target))
        .map((v) => ({ ...v, observations: remap(v.observations) })),
      services: result.verdicts.services.filter((s) => keep(s.target)),
      targets: result.verdicts.targets.filter((t) => keep(t.target)),
      ...(result.verdicts.rootCauses
        ? {
            rootCauses: result.verdicts.rootCauses
              .filter((c) => keep(c.target))
              .map((c) => ({ ...c, observations: remap(c.observations) })),
          }
        : {}),
    },
  };
}
