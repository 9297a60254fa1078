/**
 * Results written by older portolan versions, read as the current model says. portolan
 * 0.1 named no vantage point: its host name stands for it, with no labels, as a new
 * run's defaults would say.
 */
import type { RunResult, RunSource } from '../model.js';

/** The vantage point of a result of any version, without changing it. */
export function sourceOf(source: RunSource): RunSource {
  const { name, labels } = source as Partial<RunSource>;
  return { ...source, name: name ?? source.hostname, labels: labels ?? {} };
}

/** Fill in what an older result lacks, in place (a freshly parsed document); returns it. */
export function withSourceDefaults(result: RunResult): RunResult {
  result.run.source = sourceOf(result.run.source);
  return result;
}
