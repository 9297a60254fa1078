/**
 * The streaming engine and targets stage collected into whole-run lists, for tests that
 * look at a few targets at once: observations of every target in one list (in the order
 * targets finished), links keyed by target and expectation with indexes into that list.
 */
import type { Expectation, Observation, RunNote } from '../../src/model.js';
import { type EngineHooks, type EngineOptions, type EngineTarget, probeTargets } from '../../src/probe/engine.js';
import { type OrderedTarget, openTargets, type TargetsRequest } from '../../src/targets/index.js';

export const linkKey = (target: string, expectationKey: string) => `${target}\u0000${expectationKey}`;

export async function runEngine(
  expectations: Expectation[],
  targets: EngineTarget[],
  opts: EngineOptions,
  hooks: EngineHooks = {},
): Promise<{ observations: Observation[]; links: Map<string, number[]>; notes: RunNote[] }> {
  const observations: Observation[] = [];
  const links = new Map<string, number[]>();
  const notes: RunNote[] = [];
  async function* each() {
    yield* targets;
  }
  for await (const probes of probeTargets(expectations, each(), opts, hooks)) {
    const offset = observations.length;
    observations.push(...probes.observations);
    for (const [key, indexes] of probes.links) {
      links.set(
        linkKey(probes.target.name, key),
        indexes.map((i) => i + offset),
      );
    }
    notes.push(...probes.notes);
  }
  return { observations, links, notes };
}

/** Every target of the request, resolved, in order. */
export async function resolveTargets(req: TargetsRequest): Promise<{ targets: OrderedTarget[]; notes: RunNote[] }> {
  const stream = await openTargets(req);
  try {
    const targets: OrderedTarget[] = [];
    for await (const t of stream.targets()) targets.push(t);
    return { targets, notes: stream.notes };
  } finally {
    stream.close();
  }
}
