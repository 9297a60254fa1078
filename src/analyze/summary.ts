/**
 * The run's status, counts, headline and exit code: computed in exactly one place, from
 * the verdicts, the waivers' state and the fail-on policy. Nothing patches a summary after
 * it is made; whoever changes verdicts (waivers, segmentation) asks for a new one.
 */
import { EXIT, type ExitCode } from '../exit-codes.js';
import type {
  ComplianceStatus,
  ExpectationVerdict,
  RunCounts,
  RunResult,
  ServiceStatus,
  ServiceVerdict,
  TargetVerdict,
} from '../model.js';
import { type FailOn, failOnOf } from '../run-options.js';
import { describeUnreachable } from './describe.js';
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

export function summarize(verdicts: RunResult['verdicts'], policy: SummaryPolicy): RunResult['summary'] {
  const counts: RunCounts = { pass: 0, fail: 0, inconclusive: 0, waived: 0, untestable: 0 };
  for (const v of verdicts.expectations) counts[v.status]++;
  const statuses = verdicts.targets.map((t) => t.status);
  let judged: ComplianceStatus = statuses.includes('non-compliant')
    ? 'non-compliant'
    : statuses.includes('inconclusive')
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
    headlineFor(judged, verdicts.services, verdicts.targets),
    policy.incomplete ? 'Run incomplete: stopped before every probe finished.' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return { status, counts, exitCode, headline };
}

/**
 * One sentence naming what matters most; the counts travel separately. A target where no
 * host answered gets its own sentence instead of a line per service it breaks.
 */
function headlineFor(status: ComplianceStatus, services: ServiceVerdict[], targets: TargetVerdict[]): string {
  const nobody = new Map(targets.flatMap((t) => (t.unreachable?.length ? [[t.target, t.unreachable] as const] : [])));
  const lead = [...nobody].map(([target, addresses]) => describeUnreachable(target, addresses));
  const rest = headlineOf(
    status,
    services.filter((s) => !nobody.has(s.target)),
  );
  return [...lead, rest].filter(Boolean).join(' ');
}

function headlineOf(status: ComplianceStatus, services: ServiceVerdict[]): string {
  const named = (wanted: ServiceStatus) => {
    const list = services.filter((s) => s.status === wanted);
    const shown = list.slice(0, 6).map((s) => `${s.serviceName} on ${s.target}`);
    return list.length > 6 ? `${shown.join(', ')} and ${list.length - 6} more` : shown.join(', ');
  };
  // Nothing left to name when every broken service was on a target no host answered at.
  if (status === 'non-compliant') return named('broken') ? `Broken: ${named('broken')}.` : '';
  if (status === 'inconclusive' && named('inconclusive')) {
    return `Inconclusive: ${named('inconclusive')} (a required port gave no definite answer).`;
  }
  const degraded = named('degraded');
  return `Every required port answered as expected.${degraded ? ` Degraded: ${degraded}.` : ''}`;
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
  const all = { expectations: verdicts, services, targets };
  const summary = summarize(all, {
    failOn: policy.failOn ?? failOnOf(result.run.options),
    incomplete: policy.incomplete ?? result.run.incomplete,
    ...(policy.waivers ? { waivers: policy.waivers } : {}),
  });
  return { ...result, verdicts: all, summary };
}
