/**
 * The run's status, counts, headline and exit code: computed in exactly one place, from
 * the verdicts, the waivers' state and the fail-on policy. Nothing patches a summary after
 * it is made; whoever changes verdicts (waivers, segmentation) asks for a new one.
 */
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { ComplianceStatus, ExpectationVerdict, RootCause, RunCounts, RunResult } from '../model.js';
import { type FailOn, failOnOf } from '../run-options.js';
import { headlineWords } from './describe.js';
import { HeadlineTally } from './headline-tally.js';
import { computeRootCauses, rootCauseInput } from './root-causes.js';
import { aggregate } from './verdicts.js';

/** What decides the exit code besides the verdicts. */
export interface SummaryPolicy {
  /** Conditions that exit 1 besides failures. */
  failOn: readonly FailOn[];
  /** The run stopped before every probe finished: never compliant. */
  incomplete: boolean;
  /** A plan's waivers: an expired one fails the run; one expiring soon fails it under `waived-expiring`. */
  waivers?: { expired: number; expiring: number; warningDays: number };
}

/** The verdicts with their root causes, as `summarize` reads them. */
export type JudgedVerdicts = RunResult['verdicts'] & { rootCauses: RootCause[] };

/**
 * What the summary reads of the verdicts: counts, the compliance statuses seen, and what the
 * headline needs of the root causes, all bounded whatever the target count. A streaming run
 * adds each target's verdicts as it finishes and lets the verdicts themselves go.
 */
export interface VerdictTally {
  counts: RunCounts;
  statuses: Set<ComplianceStatus>;
  headline: HeadlineTally;
}

/** The tally of `verdicts` (expectation counts, target statuses, root causes in run order). */
export function tallyVerdicts(verdicts: Omit<JudgedVerdicts, 'services'>): VerdictTally {
  const counts: RunCounts = { pass: 0, fail: 0, inconclusive: 0, waived: 0, untestable: 0 };
  for (const v of verdicts.expectations) counts[v.status]++;
  return {
    counts,
    statuses: new Set(verdicts.targets.map((t) => t.status)),
    headline: HeadlineTally.of(verdicts.rootCauses),
  };
}

export function summarize(verdicts: JudgedVerdicts, policy: SummaryPolicy): RunResult['summary'] {
  return summarizeTally(tallyVerdicts(verdicts), policy);
}

/** The summary from a tally: the one place the run's status and exit code are decided. */
export function summarizeTally(tally: VerdictTally, policy: SummaryPolicy): RunResult['summary'] {
  const { counts, statuses, headline: causes } = tally;
  let judged: ComplianceStatus = statuses.has('non-compliant')
    ? 'non-compliant'
    : statuses.has('inconclusive')
      ? 'inconclusive'
      : 'compliant';
  if (judged === 'compliant' && policy.incomplete) judged = 'inconclusive';
  const expired = policy.waivers?.expired ?? 0;
  const expiring = policy.waivers?.expiring ?? 0;
  // An expired waiver waives nothing and fails the run until someone renews it or fixes the finding.
  const status: ComplianceStatus = expired > 0 ? 'non-compliant' : judged;
  const expiringFails = policy.failOn.includes('waived-expiring') && expiring > 0;
  const exitCode: ExitCode =
    status === 'non-compliant'
      ? EXIT.nonCompliant
      : status === 'inconclusive'
        ? policy.failOn.includes('inconclusive')
          ? EXIT.nonCompliant
          : EXIT.inconclusive
        : expiringFails
          ? EXIT.nonCompliant
          : EXIT.compliant;
  const headline = [
    expired > 0 && judged !== 'non-compliant' ? `${expired} waiver(s) expired.` : '',
    expiringFails && status === 'compliant'
      ? `${expiring} waiver(s) expire within ${policy.waivers?.warningDays} days (--fail-on waived-expiring).`
      : '',
    headlineWords(judged, causes.facts()),
    policy.incomplete ? 'Run incomplete: stopped before every probe finished.' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return { status, counts, exitCode, headline };
}

/**
 * Replace the expectation verdicts (waivers, segmentation) and recompute the service, target
 * and summary verdicts. The fail-on policy is the one the result records unless `policy` says more.
 */
export function reaggregate(
  result: RunResult,
  verdicts: ExpectationVerdict[],
  policy: Partial<SummaryPolicy> = {},
): RunResult {
  const { services, targets } = aggregate(result.expectations, verdicts, result.observations);
  const rolled = { expectations: verdicts, services, targets };
  const all = { ...rolled, rootCauses: computeRootCauses(rootCauseInput(result, rolled)) };
  const summary = summarize(all, {
    failOn: policy.failOn ?? failOnOf(result.run.options),
    incomplete: policy.incomplete ?? result.run.incomplete,
    ...(policy.waivers ? { waivers: policy.waivers } : {}),
  });
  return { ...result, verdicts: all, summary };
}
