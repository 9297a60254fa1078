/**
 * A plan file (`portolan run PLAN.yaml`), as validated by `checks/schema/plan.schema.json`
 * and normalised by `loadPlan`: checks as code, kept in a repository and run from CI.
 */

import type { WaiverRule } from '../analyze/waivers.js';
import type { CheckHooks, CheckRequest } from '../check/run-check.js';
import type { RunResult } from '../model.js';
import type { Format } from '../report/types.js';
import type { FailOn, PlanOptions } from '../run-options.js';

export type { PlanOptions } from '../run-options.js';

/** What a group must NOT expose to the segment the check runs from. */
export interface BlockRule {
  roles: string[];
  services: string[];
  ports: string[];
  /** The rule in words, repeated in every unexpected-open finding. */
  reason: string | null;
}

export interface PlanGroup {
  name: string;
  description: string | null;
  /** Host names, addresses or CIDR prefixes; empty when `domain` is given. */
  targets: string[];
  /** Targets files (absolute, or `-` for standard input), one entry per line. */
  targetsFiles: string[];
  domain: { name: string; dnsServer?: string } | null;
  roles: string[];
  services: string[];
  ports: string[];
  blocked: BlockRule | null;
  /** Plan options merged with the group's own. */
  options: PlanOptions;
}

/** A waiver as the plan states it; matched by `applyWaivers`. */
export type Waiver = WaiverRule;

export interface PlanOutputs {
  /** @default reports */
  directory: string;
  /** @default ['json'] */
  formats: Format[];
}

export interface Plan {
  name: string;
  description: string | null;
  /** Absolute path of the file the plan was read from. */
  file: string;
  options: PlanOptions;
  groups: PlanGroup[];
  waivers: Waiver[];
  outputs: PlanOutputs;
  /** Conditions that exit 1 besides failures (the same shape as `--fail-on`). */
  failOn: FailOn[];
  /** @default 14 */
  waiverWarningDays: number;
}

export type { CheckHooks, CheckRequest } from '../check/run-check.js';

/** `runCheck` from src/check/run-check.ts, injected so tests can substitute canned results. */
export type RunCheck = (req: CheckRequest, hooks?: CheckHooks) => Promise<RunResult>;
