/**
 * One complete plan run as `portolan run` and the agent do it: prove the report folder
 * writable, probe, record the run in the history (which also tells the reports what changed
 * since the last run), then write the reports, each format on its own, so one that fails
 * costs neither the others nor the history record (`failedReports` says which). A history
 * failure never costs the run its reports: a history problem comes back in
 * `recorded.error`, and any other failure is thrown only once the reports are written.
 */

import { PortolanError } from '../errors.js';
import { type Recorded, recordRun } from '../history/record-run.js';
import { pathProblem } from '../platform/file-names.js';
import { checkReportDir, type FailedReport, writeReports } from '../report/write.js';
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
  const reports = writeReports(run.result, { formats: plan.outputs.formats, dir, baseName: plan.name, keep: 'latest' });
  if (historyFailure) throw historyFailure;
  return { ...run, written: reports.written.map((w) => w.path), failedReports: reports.failed, recorded };
}
