/** The runs the fleet tests record: deterministic, so any backend can be checked against them. */
import type { RunResult } from '../../src/model.js';
import { syntheticRun } from '../bench/synthetic-run.mjs';

/** Run `i` of `agent` (named `agent-N`): a few targets whose failures depend on both, so consecutive runs differ. */
export function fleetRun(agent: string, i: number, targets = 3): RunResult {
  const result = syntheticRun({
    targets,
    rows: 6,
    variant: i * 5 + Number(agent.replace(/\D/g, '') || 0),
    startedAt: new Date(Date.UTC(2026, 10, 26, 0, i)).toISOString(),
  });
  result.run.source = { ...result.run.source, name: agent, labels: { site: `site-${agent}` } };
  return result;
}
