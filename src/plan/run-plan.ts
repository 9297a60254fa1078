/**
 * Run a plan: one probe run per group (plus one for its `blocked:` rules), merged into
 * one RunResult, with segmentation and waivers applied. `waitUntilPassMs` re-runs the
 * targets that still fail, with backoff, until they pass or the time is up (for a
 * pipeline that waits for a firewall change to land).
 */
import { describeNote } from '../analyze/describe.js';
import { applySegmentation, type SegmentationRule } from '../analyze/segmentation.js';
import { applyWaivers, type WaiverOutcome } from '../analyze/waivers.js';
import { sleep as sleepFor } from '../duration.js';
import type { RunResult } from '../model.js';
import { mergeResults, onlyTargets } from './merge.js';
import type { CheckHooks, CheckRequest, Plan, PlanGroup, RunCheck } from './types.js';

export interface PlanJob {
  group: PlanGroup;
  request: CheckRequest;
  /** Set for the negative half of a group: its verdicts are inverted by `applySegmentation`. */
  rule: SegmentationRule | null;
}

export interface RunPlanOptions extends CheckHooks {
  /** How the run was started, recorded in the result. */
  commandLine: string[];
  catalogDirs?: string[];
  /** The responder's shared token, for groups with `responder: true`. */
  responderToken?: string;
  /** Keep re-running failing targets until they pass or this many ms have passed. @default 0 (off) */
  waitUntilPassMs?: number;
  /** @default () => new Date() */
  now?: () => Date;
  /** Injected by tests; resolves early when `signal` aborts. @default duration.ts sleep */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface PlanRun extends Omit<WaiverOutcome, 'result'> {
  result: RunResult;
  /** How many times the failing part was probed (1 without --wait-until-pass). */
  attempts: number;
}

export function planJobs(
  plan: Plan,
  commandLine: string[],
  extra: Pick<RunPlanOptions, 'catalogDirs' | 'responderToken'> = {},
): PlanJob[] {
  return plan.groups.flatMap((group) => {
    const origin = `plan ${plan.name}, group ${group.name}`;
    const failOn = plan.failOn;
    const base = {
      targets: group.targets.map((name) => ({ name, origin })),
      targetsFiles: group.targetsFiles,
      commandLine,
      ...(extra.catalogDirs ? { catalogDirs: extra.catalogDirs } : {}),
      ...(extra.responderToken ? { responderToken: extra.responderToken } : {}),
      ...(group.domain ? { domain: group.domain } : {}),
    };
    const jobs: PlanJob[] = [];
    if (group.roles.length + group.services.length + group.ports.length > 0) {
      const options = { ...group.options, failOn };
      const request = { ...base, roles: group.roles, services: group.services, ports: group.ports, options };
      jobs.push({ group, request, rule: null });
    }
    if (group.blocked) {
      const { roles, services, ports, reason } = group.blocked;
      // The probe's own verdict is replaced, so ask it to listen for answers as usual.
      const options = { ...group.options, expect: 'listening' as const, failOn };
      jobs.push({
        group,
        request: { ...base, roles, services, ports, options },
        rule: { targets: null, roles, services, ports, reason },
      });
    }
    return jobs;
  });
}

export async function runPlan(plan: Plan, runCheck: RunCheck, opts: RunPlanOptions): Promise<PlanRun> {
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? sleepFor;
  const hooks: CheckHooks = {
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  };
  const jobs = planJobs(plan, opts.commandLine, {
    ...(opts.catalogDirs ? { catalogDirs: opts.catalogDirs } : {}),
    ...(opts.responderToken ? { responderToken: opts.responderToken } : {}),
  });
  const runJob = async (job: PlanJob, request = job.request) => {
    const result = await runCheck(request, hooks);
    return job.rule ? applySegmentation(result, [job.rule]) : result;
  };
  const parts: RunResult[] = [];
  for (const job of jobs) parts.push(await runJob(job));
  let outcome = finish(plan, parts, opts.commandLine, now());
  let attempts = 1;
  const started = now().getTime();
  const deadline = started + (opts.waitUntilPassMs ?? 0);
  while (failingTargets(outcome.result).size > 0 && !opts.signal?.aborted) {
    const delay = Math.min(2000 * 2 ** (attempts - 1), 30_000, deadline - now().getTime());
    if (delay <= 0) break;
    await sleep(delay, opts.signal);
    if (opts.signal?.aborted) break;
    const failing = failingTargets(outcome.result);
    for (const [i, job] of jobs.entries()) {
      const part = parts[i] as RunResult;
      if (!part.verdicts.expectations.some((v) => failing.has(v.target))) continue;
      if (job.request.domain) {
        parts[i] = await runJob(job);
        continue;
      }
      // The failing targets as the run named them: a prefix or a targets file is not read again.
      const again = part.targets.filter((t) => failing.has(t.name)).map((t) => ({ name: t.name, origin: t.origin }));
      const retry = { ...job.request, targets: again, targetsFiles: [] };
      parts[i] = mergeResults([onlyTargets(part, (t) => !failing.has(t)), await runJob(job, retry)], opts.commandLine);
    }
    attempts++;
    outcome = finish(plan, parts, opts.commandLine, now());
  }
  let result = outcome.result;
  if (opts.waitUntilPassMs) {
    const note = describeNote({
      kind: 'wait-until-pass',
      passed: failingTargets(result).size === 0,
      attempts,
      waitedMs: now().getTime() - started,
    });
    result = { ...result, run: { ...result.run, notes: [...result.run.notes, note] } };
  }
  return { ...outcome, result, attempts };
}

/** The merged parts with the plan's waivers applied: the summary and exit code are computed there, once. */
function finish(plan: Plan, parts: RunResult[], commandLine: string[], now: Date): WaiverOutcome {
  return applyWaivers(mergeResults(parts, commandLine), plan.waivers, {
    now,
    warningDays: plan.waiverWarningDays,
    failOn: plan.failOn,
  });
}

function failingTargets(result: RunResult): Set<string> {
  return new Set(result.verdicts.expectations.filter((v) => v.status === 'fail').map((v) => v.target));
}
