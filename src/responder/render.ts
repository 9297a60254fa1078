/**
 * Text for `portolan listen`: the table of what is served, the command to run on a
 * client, the live matrix (source x port), plain hit lines, and the closing summary.
 * Pure: strings in, strings out. Source addresses come from the kernel, not the wire.
 */
import { formatColumns } from '../text-columns.js';
import type { PortKey } from './port-owner.js';
import type { PortPlan } from './ports.js';
import type { Hit, HitOutcome, ResponderStats, ServedPort } from './server.js';

const SYMBOL: Record<HitOutcome, string> = { verified: '✓', 'wrong-token': '!', 'clock-skew': '~', contact: '+' };
const WORDS: Record<HitOutcome, string> = {
  verified: 'verified',
  'wrong-token': 'wrong token',
  'clock-skew': 'clock skew',
  contact: 'contact only (no probe)',
};
const LEGEND = `✓ ${WORDS.verified}  ! ${WORDS['wrong-token']}  ~ ${WORDS['clock-skew']}  + ${WORDS.contact}  · nothing yet`;
const MAX_COLUMNS = 12;

export type Reach = Map<PortKey, Map<string, HitOutcome>>;

const keyOf = (s: { port: number; transport: string }): PortKey => `${s.port}/${s.transport}` as PortKey;

/** "Kerberos, DNS Server (+3 more)": one line, whatever the role. */
function usedBy(s: ServedPort, max = 60): string {
  let text = '';
  let shown = 0;
  for (const use of s.uses) {
    if (shown && text.length + use.length > max) break;
    text += `${shown ? ', ' : ''}${use}`;
    shown++;
  }
  const more = s.uses.length - shown;
  return `${text}${more ? ` (+${more} more)` : ''}${s.note ? ` [${s.note}]` : ''}`;
}

export function renderServed(served: ServedPort[], notServed: PortPlan['notServed']): string {
  const rows = served.map((s) => [keyOf(s), s.failure ? `NOT SERVED: ${s.failure.message}` : 'serving', usedBy(s)]);
  const ok = served.filter((s) => !s.failure).length;
  const lines = [formatColumns(['PORT', 'STATUS', 'USED BY'], rows), '', `Serving ${ok} of ${served.length} ports.`];
  for (const n of notServed) lines.push(`Not served: ${n.what}: ${n.why}.`);
  return `${lines.join('\n')}\n`;
}

/** Quote for a POSIX shell only when needed. */
const shellWord = (w: string): string => (/^[\w.@%+=:,/-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`);

export function renderClientCommand(args: string[], generatedToken: boolean): string {
  const intro = generatedToken ? 'No --token given: generated one for this session.\n' : '';
  return `${intro}On each client, run:\n\n  ${args.map(shellWord).join(' ')}\n\n`;
}

/** Sources in the order they first appeared. */
function sourcesOf(reach: Reach): string[] {
  const seen = new Set<string>();
  for (const bySource of reach.values()) for (const source of bySource.keys()) seen.add(source);
  return [...seen];
}

const columnLabel = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : `S${i}`);

/** The live matrix: one row per served port, one column per source (the first `MAX_COLUMNS`). */
export function renderMatrix(served: ServedPort[], reach: Reach, maxRows = Number.POSITIVE_INFINITY): string {
  const ports = served.filter((s) => !s.failure);
  const sources = sourcesOf(reach);
  const shown = sources.slice(0, MAX_COLUMNS);
  const rowsShown = ports.slice(0, Math.max(1, maxRows));
  const rows = rowsShown.map((p) => {
    const bySource = reach.get(keyOf(p));
    const cell = (source: string) => {
      const outcome = bySource?.get(source);
      return outcome ? SYMBOL[outcome] : '·';
    };
    return [keyOf(p), ...shown.map(cell)];
  });
  const lines = [LEGEND, formatColumns(['PORT', ...shown.map((_, i) => columnLabel(i))], rows)];
  if (ports.length > rowsShown.length) lines.push(`… ${ports.length - rowsShown.length} more ports`);
  lines.push(
    shown.length
      ? shown.map((s, i) => `${columnLabel(i)} = ${s}`).join('   ') +
          (sources.length > shown.length ? `   (+${sources.length - shown.length} more sources)` : '')
      : 'No source has reached this host yet.',
  );
  return `${lines.join('\n')}\n`;
}

export function renderHitLine(hit: Hit): string {
  return `${new Date(hit.atMs).toISOString()}  ${hit.source} -> ${hit.port}/${hit.transport}  ${WORDS[hit.outcome]}\n`;
}

export function renderSummary(
  served: ServedPort[],
  reach: Reach,
  stats: ResponderStats,
  stopped: { reason: string; elapsedText: string },
): string {
  const ports = served.filter((s) => !s.failure);
  const reached = ports.filter((p) => reach.get(keyOf(p))?.size);
  const never = ports.filter((p) => !reach.get(keyOf(p))?.size);
  const lines = [`Stopped (${stopped.reason}) after ${stopped.elapsedText}.`, ''];
  lines.push(`Reached: ${reached.length} of ${ports.length} served ports.`);
  for (const p of reached) {
    const bySource = [...(reach.get(keyOf(p)) ?? [])].map(([source, outcome]) => `${source} (${WORDS[outcome]})`);
    lines.push(`  ${keyOf(p).padEnd(10)} ${bySource.join(', ')}`);
  }
  lines.push(`Never reached: ${never.length}${never.length ? `: ${never.map(keyOf).join(' ')}` : ''}.`);
  const failed = served.filter((s) => s.failure);
  if (failed.length) lines.push(`Not served (could not open): ${failed.map(keyOf).join(' ')}.`);
  const p = stats.probes;
  lines.push(
    '',
    `Probes: ${p.verified} verified, ${p['wrong-token']} wrong token, ${p['clock-skew']} clock skew; ` +
      `dropped: ${p.replay} replayed, ${p['rate-limited']} rate-limited, ${p.malformed} not a probe; ` +
      `connections: ${stats.connectionsRefused} refused over the caps, ${stats.connectionsEvicted} closed to make room ` +
      `for another address, ${stats.connectionsExpired} closed without a probe before the deadline.`,
  );
  return `${lines.join('\n')}\n`;
}
