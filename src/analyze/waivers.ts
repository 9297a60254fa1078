/**
 * Waivers: a plan's record that a known failure is accepted until a date, by an owner,
 * for a reason. A waived failure becomes `waived` and keeps its finding in the text. An
 * expired waiver waives nothing and fails the run (someone must renew or fix); a waiver
 * that waives nothing is stale and said so in `run.notes`.
 */
import type { Expectation, ExpectationVerdict, RunNote, RunResult, WaiverRef } from '../model.js';
import { type FailOn, failOnOf } from '../run-options.js';
import { describeNote } from './describe.js';
import { portSpecMatches, sameName } from './segmentation.js';
import { reaggregate } from './summary.js';

export interface WaiverRule {
  target: string | null;
  service: string | null;
  port: string | null;
  reason: string;
  owner: string;
  /** YYYY-MM-DD, valid through the end of that day (UTC). */
  expires: string;
  /** Where the waiver is written ("plans/x.yaml:30:5"), for the notes. */
  location: string;
}

export interface WaiverOutcome {
  result: RunResult;
  /** Waivers that turned at least one failure into `waived`. */
  used: WaiverRule[];
  expired: WaiverRule[];
  /** Not expired, but matched no failure. */
  stale: WaiverRule[];
  /** In use and expiring within `warningDays`. */
  expiring: WaiverRule[];
}

const DAY_MS = 86_400_000;

export interface WaiverPolicy {
  now: Date;
  /** A waiver in use counts as expiring this many days before its end. @default 14 */
  warningDays?: number;
  /** The plan's fail-on conditions (`waived-expiring` fails a run with an expiring waiver). @default the result's */
  failOn?: readonly FailOn[];
}

export function applyWaivers(result: RunResult, waivers: WaiverRule[], policy: WaiverPolicy): WaiverOutcome {
  const { now } = policy;
  const warningDays = policy.warningDays ?? 14;
  const expired = waivers.filter((w) => endOf(w) <= now.getTime());
  const active = waivers.filter((w) => !expired.includes(w));
  const expectations = new Map(result.expectations.map((e) => [e.key, e]));
  const used = new Set<WaiverRule>();
  const verdicts = result.verdicts.expectations.map((v): ExpectationVerdict => {
    if (v.status !== 'fail') return v;
    const e = expectations.get(v.expectation);
    const waiver = e && active.find((w) => matches(w, v, e));
    if (waiver) {
      used.add(waiver);
      return {
        ...v,
        status: 'waived',
        waiver: { reason: waiver.reason, owner: waiver.owner, expires: waiver.expires },
        explanation: `Waived until ${waiver.expires} (owner: ${waiver.owner}): ${waiver.reason}. Finding: ${v.explanation}`,
      };
    }
    const lapsed = e && expired.find((w) => matches(w, v, e));
    return lapsed ? { ...v, explanation: `${v.explanation} (The waiver for this expired on ${lapsed.expires}.)` } : v;
  });
  const stale = active.filter((w) => !used.has(w));
  const expiring = [...used].filter((w) => endOf(w) - now.getTime() <= warningDays * DAY_MS);
  const notes: RunNote[] = [
    ...expired.map((w) => ({ kind: 'waiver-expired' as const, waiver: ref(w) })),
    ...stale.map((w) => ({ kind: 'waiver-stale' as const, waiver: ref(w) })),
    ...expiring.map((w) => ({ kind: 'waiver-expiring' as const, waiver: ref(w) })),
  ];
  const withNotes = { ...result, run: { ...result.run, notes: [...result.run.notes, ...notes.map(describeNote)] } };
  const next = reaggregate(withNotes, verdicts, {
    failOn: policy.failOn ?? failOnOf(result.run.options),
    waivers: { expired: expired.length, expiring: expiring.length, warningDays },
  });
  return { result: next, used: [...used], expired, stale, expiring };
}

/** The waiver as a note names it: everything but its reason. */
function ref(w: WaiverRule): WaiverRef {
  const { reason: _reason, ...named } = w;
  return named;
}

/** The first millisecond after the expiry day (UTC). */
function endOf(w: WaiverRule): number {
  return Date.parse(`${w.expires}T00:00:00Z`) + DAY_MS;
}

function matches(w: WaiverRule, v: ExpectationVerdict, e: Expectation): boolean {
  return (
    (w.target === null || sameName(w.target, v.target)) &&
    (w.service === null || w.service === v.service) &&
    (w.port === null || portSpecMatches(w.port, e))
  );
}
