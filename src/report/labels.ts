/**
 * Words, symbols and PortQry aliases for states and verdicts. Every report shows a state as
 * word + symbol so it reads without colour; the exhaustive Records make a new state a compile
 * error until every report knows how to say it.
 */
import type { ComplianceStatus, ExpectationStatus, ProbeState, ServiceStatus } from '../model.js';

export interface Label {
  /** Lower-case word used in text and CSS class names. */
  word: string;
  /** One character that survives black-and-white printing. */
  symbol: string;
  /** Colour family for terminals and HTML: good, bad, warn, muted. */
  tone: Tone;
}

export type Tone = 'good' | 'bad' | 'warn' | 'muted';

export interface StateLabel extends Label {
  /** What PortQry prints for the same outcome, for Windows administrators. */
  portqry: string;
  meaning: string;
}

export const STATE_LABELS: Record<ProbeState, StateLabel> = {
  open: {
    word: 'open',
    symbol: '●',
    tone: 'good',
    portqry: 'LISTENING',
    meaning: 'answered: handshake or protocol reply',
  },
  closed: {
    word: 'closed',
    symbol: '○',
    tone: 'bad',
    portqry: 'NOT LISTENING',
    meaning: 'refused: TCP reset or ICMP port unreachable',
  },
  filtered: {
    word: 'filtered',
    symbol: '■',
    tone: 'bad',
    portqry: 'FILTERED',
    meaning: 'no answer, or an ICMP unreachable/prohibited',
  },
  'open|filtered': {
    word: 'open|filtered',
    symbol: '◐',
    tone: 'warn',
    portqry: 'LISTENING or FILTERED',
    meaning: 'UDP silence: a listener that ignored us, or a drop',
  },
  error: {
    word: 'error',
    symbol: '!',
    tone: 'warn',
    portqry: '-',
    meaning: 'local failure before the network answered',
  },
  untestable: {
    word: 'untestable',
    symbol: '–',
    tone: 'muted',
    portqry: '-',
    meaning: 'cannot be tested by connecting (IP protocols)',
  },
};

export const STATUS_LABELS: Record<ExpectationStatus, Label> = {
  pass: { word: 'pass', symbol: '✔', tone: 'good' },
  fail: { word: 'fail', symbol: '✘', tone: 'bad' },
  inconclusive: { word: 'inconclusive', symbol: '?', tone: 'warn' },
  waived: { word: 'waived', symbol: '~', tone: 'muted' },
  untestable: { word: 'untestable', symbol: '–', tone: 'muted' },
};

export const SERVICE_LABELS: Record<ServiceStatus, Label> = {
  ok: { word: 'ok', symbol: '✔', tone: 'good' },
  degraded: { word: 'degraded', symbol: '▲', tone: 'warn' },
  broken: { word: 'broken', symbol: '✘', tone: 'bad' },
  inconclusive: { word: 'inconclusive', symbol: '?', tone: 'warn' },
  // Not installed: a notice, not a fault.
  absent: { word: 'absent', symbol: '○', tone: 'muted' },
};

export const COMPLIANCE_LABELS: Record<ComplianceStatus, Label> = {
  compliant: { word: 'compliant', symbol: '✔', tone: 'good' },
  'non-compliant': { word: 'non-compliant', symbol: '✘', tone: 'bad' },
  inconclusive: { word: 'inconclusive', symbol: '?', tone: 'warn' },
};

/** "✘ FAIL" style: symbol and upper-case word. */
export function badge(label: Label): string {
  return `${label.symbol} ${label.word.toUpperCase()}`;
}

/** "■ filtered (FILTERED)": state with its PortQry alias when it differs. */
export function stateText(state: ProbeState): string {
  const l = STATE_LABELS[state];
  return l.portqry === '-' ? `${l.symbol} ${l.word}` : `${l.symbol} ${l.word} (${l.portqry})`;
}
