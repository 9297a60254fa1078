/**
 * One complete plan run as `portolan run` and the agent do it: probe, record the run in
 * the history (which also tells the reports what changed since the last run), then write
 * the reports. A history failure never costs the run its reports: a history problem
 * comes back in `recorded.error`, and any other failure is thrown only once the reports
 * are written.
 */

import { PortolanError } from '../errors.js';
import { type Recorded, recordRun } from '../history/record-run.js';
import { pathProblem } from '../platform/file-names.js';
import { writeReports } from '../report/write.js';
import { type PlanRun, type RunPlanOptions, runPlan } from './run-plan.js';
import type { Plan, RunCheck } from './types.js';

export interface ExecuteOptions extends RunPlanOptions {
  /** History file or postgres:// URL, or null for --no-history. */
  historyPath: string | null;
  /** Compare with the previous run even when it was interrupted. @default false */
  includeIncomplete?: boolean;
  /** Overrides the plan's `outputs.directory`. */
  outputDir?: string;
}

export interface ExecutedPlan extends PlanRun {
  written: string[];
  recorded: Recorded | null;
}

export async function executePlan(plan: Plan, runCheck: RunCheck, opts: ExecuteOptions): Promise<ExecutedPlan> {
  const problem = opts.outputDir === undefined ? null : pathProblem(opts.outputDir, process.platform);
  if (problem) throw new PortolanError('INVALID_VALUE', `--output-dir "${opts.outputDir}": ${problem}`);
  const run = await runPlan(plan, runCheck, opts);
  let recorded: Recorded | null = null;
  let historyFailure: unknown = null;
  if (opts.historyPath) {
    try {
      recorded = await recordRun(
        opts.historyPath,
        run.result,
        { name: plan.name, file: plan.file },
        { includeIncomplete: !!opts.includeIncomplete },
      );
    } catch (err) {
      historyFailure = err;
    }
  }
  // `<directory>/<plan name>.<ext>`, replaced each run: the agent keeps them current, history keeps the past.
  const written = writeReports(run.result, {
    formats: plan.outputs.formats,
    dir: opts.outputDir ?? plan.outputs.directory,
    baseName: plan.name,
    keep: 'latest',
  }).map((w) => w.path);
  if (historyFailure) throw historyFailure;
  return { ...run, written, recorded };
}
