/**
 * A plan file (`portolan run PLAN.yaml`), as validated by `checks/schema/plan.schema.json`
 * and normalised by `loadPlan`: checks as code, kept in a repository and run from CI.
 */

import type { WaiverRule } from '../analyze/waivers.js';
import type { CheckHooks, CheckRequest } from '../check/run-check.js';
import type { RunOptions, RunResult } from '../model.js';
import type { Format } from '../report/types.js';

/** Options a plan may set; the CLI's defaults fill the rest. */
export type PlanOptions = Partial<
  Pick<
    RunOptions,
    | 'profile'
    | 'rpcRange'
    | 'rpcMode'
    | 'rpcSample'
    | 'expect'
    | 'os'
    | 'clientOs'
    | 'timeoutMs'
    | 'retries'
    | 'concurrency'
    | 'perHost'
    | 'source'
    | 'allAddresses'
    | 'appProbes'
    | 'responder'
  >
>;

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
  /** Host names or addresses; empty when `domain` is given. */
  targets: string[];
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

export type PlanFailOn = 'inconclusive' | 'waived-expiring';

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
  failOn: PlanFailOn[];
  /** @default 14 */
  waiverWarningDays: number;
}

export type { CheckHooks, CheckRequest } from '../check/run-check.js';

/** `runCheck` from src/check/run-check.ts, injected so tests can substitute canned results. */
export type RunCheck = (req: CheckRequest, hooks?: CheckHooks) => Promise<RunResult>;
