import type { RunResult } from '../../src/model.js';

/** A deterministic RunResult of `targets` hosts x `rows` port rows (see synthetic-run.mjs). */
export function syntheticRun(spec: {
  targets: number;
  rows?: number;
  /** Shifts which rows fail, so two variants differ. @default 0 */
  variant?: number;
  /** @default '2026-11-26T02:00:00.000Z' */
  startedAt?: string;
}): RunResult;
