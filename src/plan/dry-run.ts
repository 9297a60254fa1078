/**
 * `run --dry-run` and `agent --dry-run`: every job of a plan checked as `check --dry-run`
 * checks one (src/check/dry-run.ts), in the order the run would probe them. The plan itself
 * was validated when it was loaded; nothing is sent, looked up or written.
 */
import { type DryRunCheck, dryRunCheck } from '../check/dry-run.js';
import { planJobs } from './run-plan.js';
import type { Plan, PlanGroup } from './types.js';

export interface DryRunJob {
  group: PlanGroup;
  /** The group's `blocked:` half: these ports must NOT answer. */
  blocked: boolean;
  check: DryRunCheck;
}

export async function dryRunPlan(
  plan: Plan,
  opts: { commandLine: string[]; catalogDirs?: string[]; responderToken?: string },
): Promise<DryRunJob[]> {
  const jobs = planJobs(plan, opts.commandLine, {
    ...(opts.catalogDirs ? { catalogDirs: opts.catalogDirs } : {}),
    ...(opts.responderToken ? { responderToken: opts.responderToken } : {}),
  });
  const out: DryRunJob[] = [];
  for (const job of jobs)
    out.push({ group: job.group, blocked: job.rule !== null, check: await dryRunCheck(job.request) });
  return out;
}
