/**
 * Negative expectations (segmentation): a plan can require that a group's ports are
 * BLOCKED from the segment the check runs from (no SMB 445 or RDP 3389 from the DMZ).
 * Here an open port is the failure ("unexpected-open"), a drop is a pass. The verdict is
 * decided from the observations alone, whatever the probe run's expect mode was.
 */

import { parseRange } from '../catalog/port-sets.js';
import type { Expectation, ExpectationVerdict, Observation, ProbeState, RunResult } from '../model.js';
import { portLabel } from './describe.js';
import { reaggregate } from './summary.js';

export interface SegmentationRule {
  /** Targets the rule covers; null = every target of the result. */
  targets: string[] | null;
  roles: string[];
  services: string[];
  /** "445/tcp", "5000-5010/tcp", "53/udp", "icmp". */
  ports: string[];
  /** The rule in words ("no file shares from the DMZ"). */
  reason: string | null;
}

/** Turn the verdicts a rule covers into negative verdicts, then re-aggregate services and targets. */
export function applySegmentation(result: RunResult, rules: SegmentationRule[]): RunResult {
  if (rules.length === 0) return result;
  const expectations = new Map(result.expectations.map((e) => [e.key, e]));
  const verdicts = result.verdicts.expectations.map((v) => {
    const expectation = expectations.get(v.expectation);
    const rule = expectation && rules.find((r) => ruleCovers(r, v, expectation));
    return rule && expectation ? negativeVerdict(result, v, expectation, rule) : v;
  });
  return reaggregate(result, verdicts);
}

function ruleCovers(rule: SegmentationRule, v: ExpectationVerdict, e: Expectation): boolean {
  if (rule.targets && !rule.targets.some((t) => sameName(t, v.target))) return false;
  return (
    (v.role !== null && rule.roles.includes(v.role)) ||
    rule.services.includes(v.service) ||
    rule.ports.some((spec) => portSpecMatches(spec, e))
  );
}

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Does "445/tcp", "5000-5010/tcp" or "icmp" overlap the expectation's port or range? */
export function portSpecMatches(spec: string, e: Expectation): boolean {
  if (spec === 'icmp') return e.protocol === 'icmp';
  const [ports, protocol] = spec.split('/');
  if (protocol !== e.protocol || !ports) return false;
  const wanted = parseRange(ports);
  const have = e.port !== null ? { first: e.port, last: e.port } : e.range ? parseRange(e.range) : null;
  return have !== null && have.first <= wanted.last && have.last >= wanted.first;
}

/** The most telling state among a verdict's probes: any answer beats silence. */
const STATE_RANK: Record<ProbeState, number> = {
  open: 0,
  closed: 1,
  filtered: 2,
  'open|filtered': 3,
  error: 4,
  untestable: 5,
};

function decidingState(observations: (Observation | undefined)[]): Observation | null {
  const present = observations.filter((o): o is Observation => o !== undefined);
  return present.sort((a, b) => STATE_RANK[a.state] - STATE_RANK[b.state])[0] ?? null;
}

function negativeVerdict(
  result: RunResult,
  v: ExpectationVerdict,
  e: Expectation,
  rule: SegmentationRule,
): ExpectationVerdict {
  const label = portLabel(e);
  const why = rule.reason ? ` (rule: ${rule.reason})` : '';
  const from = result.run.source.name;
  const obs = decidingState(v.observations.map((i) => result.observations[i]));
  const base = { ...v, negative: true as const, caveat: null };
  switch (obs?.state) {
    case 'open':
      return {
        ...base,
        status: 'fail',
        explanation:
          `unexpected-open: ${label} answered on ${v.target}, but the plan requires it blocked from ${from}${why}. ` +
          `Close it: deny ${portSpec(e)} from this segment to ${v.target} on the firewall, or stop the service.`,
      };
    case 'filtered':
      return { ...base, status: 'pass', explanation: `${label} is blocked from ${from} as required${why}.` };
    case 'closed':
      return {
        ...base,
        status: 'pass',
        explanation: `${label} is not listening on ${v.target}${why}.`,
        caveat:
          'The host answered with a reset, so packets reach it: nothing listens today, but no firewall blocks the port. ' +
          'A drop rule would show it as filtered.',
      };
    case 'open|filtered':
      return {
        ...base,
        status: 'inconclusive',
        explanation:
          `${label} gave no answer: it is blocked as required, or a listener ignored the probe${why}. ` +
          'Enable appProbes so a listening service would reply and settle it.',
      };
    case 'untestable':
      return { ...base, status: 'untestable', explanation: `${label} cannot be tested by connecting${why}.` };
    default:
      return {
        ...base,
        status: 'inconclusive',
        explanation: `${label} on ${v.target} could not be probed${obs?.error ? `: ${obs.error}` : ''}${why}.`,
      };
  }
}

/** "445/tcp" as a firewall rule names it. */
function portSpec(e: Expectation): string {
  if (e.protocol === 'icmp') return 'ICMP echo';
  if (e.protocol === 'ip') return `IP protocol ${e.ipProtocol}`;
  return `${e.port ?? e.range}/${e.protocol}`;
}
