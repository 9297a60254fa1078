/**
 * One complete plan run as `portolan run` and the agent do it: probe, record the run in
 * the history (which also tells the reports what changed since the last run), then write
 * the reports. A history failure of any kind never costs the run its reports: they are
 * written first, and only then is an unexpected failure thrown.
 */

import { PortolanError } from '../cli/errors.js';
import { type Recorded, recordRun } from '../history/record-run.js';
import { pathProblem } from '../platform/file-names.js';
import { writeOutputs } from './outputs.js';
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
  if (problem) throw new PortolanError('USAGE', `--output-dir "${opts.outputDir}": ${problem}`);
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
  const outputs = opts.outputDir ? { ...plan.outputs, directory: opts.outputDir } : plan.outputs;
  const written = writeOutputs(run.result, plan.name, outputs);
  if (historyFailure) throw historyFailure;
  return { ...run, written, recorded };
}
