/**
 * Waivers: a plan's record that a known failure is accepted until a date, by an owner,
 * for a reason. A waived failure becomes `waived` and keeps its finding in the text. An
 * expired waiver waives nothing and fails the run (someone must renew or fix); a waiver
 * that waives nothing is stale and said so in `run.notes`.
 */
import type { Expectation, ExpectationVerdict, RunResult } from '../model.js';
import { portSpecMatches, sameName } from './segmentation.js';
import { reaggregate } from './verdicts.js';

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

export function applyWaivers(result: RunResult, waivers: WaiverRule[], now: Date, warningDays = 14): WaiverOutcome {
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
  const notes = [
    ...expired.map(
      (w) =>
        `Waiver at ${w.location} (${describe(w)}, owner ${w.owner}) expired on ${w.expires}: the run fails until it is renewed or removed.`,
    ),
    ...stale.map(
      (w) => `Waiver at ${w.location} (${describe(w)}) is stale: it matches no failure in this run; remove it.`,
    ),
    ...expiring.map((w) => `Waiver at ${w.location} (${describe(w)}, owner ${w.owner}) expires on ${w.expires}.`),
  ];
  let next = reaggregate({ ...result, run: { ...result.run, notes: [...result.run.notes, ...notes] } }, verdicts);
  if (expired.length > 0 && next.summary.status !== 'non-compliant') {
    next = {
      ...next,
      summary: {
        ...next.summary,
        status: 'non-compliant',
        exitCode: 1,
        headline: `${expired.length} waiver(s) expired. ${next.summary.headline}`,
      },
    };
  }
  return { result: next, used: [...used], expired, stale, expiring };
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

function describe(w: WaiverRule): string {
  return [w.port, w.service, w.target && `on ${w.target}`].filter(Boolean).join(' ');
}
