/**
 * Run options given on the command line of `run` and `agent` (`--source-name`, `--site`,
 * `--shard`) over a plan's own: one plan file deployed to many agents, each naming its
 * vantage point or its shard. The command line wins over the plan and its groups.
 */
import type { Plan, PlanOptions } from './types.js';

export function withOverrides(plan: Plan, overrides: PlanOptions): Plan {
  if (Object.keys(overrides).length === 0) return plan;
  return {
    ...plan,
    options: { ...plan.options, ...overrides },
    groups: plan.groups.map((g) => ({ ...g, options: { ...g.options, ...overrides } })),
  };
}
