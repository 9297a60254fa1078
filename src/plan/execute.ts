/**
 * One complete plan run as `portolan run` and the agent do it: prove the report folder
 * writable, probe, write the reports, then record history. Reports are written first, so a
 * history problem never costs the run its result, and each format on its own, so one that
 * fails costs neither the others nor the history record (`failedReports` says which).
 */

import { PortolanError } from '../errors.js';
import { changesSincePrevious, type Recorded, recordRun } from '../history/record-run.js';
import { pathProblem } from '../platform/file-names.js';
import { checkReportDir, type FailedReport, writeReports } from '../report/write.js';
import { type PlanRun, type RunPlanOptions, runPlan } from './run-plan.js';
import type { Plan, RunCheck } from './types.js';

export interface ExecuteOptions extends RunPlanOptions {
  /** Database file, or null for --no-history. */
  historyPath: string | null;
  /** Overrides the plan's `outputs.directory`. */
  outputDir?: string;
}

export interface ExecutedPlan extends PlanRun {
  written: string[];
  /** Reports that could not be rendered or written (the rest were). */
  failedReports: FailedReport[];
  recorded: Recorded | null;
}

export async function executePlan(plan: Plan, runCheck: RunCheck, opts: ExecuteOptions): Promise<ExecutedPlan> {
  const problem = opts.outputDir === undefined ? null : pathProblem(opts.outputDir, process.platform);
  if (problem) throw new PortolanError('INVALID_VALUE', `--output-dir "${opts.outputDir}": ${problem}`);
  const dir = opts.outputDir ?? plan.outputs.directory;
  if (plan.outputs.formats.length > 0) {
    checkReportDir(dir, opts.outputDir === undefined ? 'outputs.directory' : '--output-dir');
  }
  const run = await runPlan(plan, runCheck, opts);
  if (opts.historyPath) {
    const changes = changesSincePrevious(opts.historyPath, run.result, plan.name);
    if (changes) run.result.changes = changes;
  }
  // `<directory>/<plan name>.<ext>`, replaced each run: the agent keeps them current, history keeps the past.
  const reports = writeReports(run.result, { formats: plan.outputs.formats, dir, baseName: plan.name, keep: 'latest' });
  const recorded = opts.historyPath
    ? recordRun(opts.historyPath, run.result, { name: plan.name, file: plan.file })
    : null;
  return { ...run, written: reports.written.map((w) => w.path), failedReports: reports.failed, recorded };
}
