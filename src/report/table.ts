/**
 * The terminal table: target -> service -> port, with state, reason, RTT and, for anything but
 * a pass, the explanation. Colour only when asked (the CLI decides from TTY and NO_COLOR);
 * states always carry a word and a symbol so a pipe or a printout reads the same.
 */
import { formatDuration } from '../duration.js';
import type { ProbeState, RunResult } from '../model.js';
import { oneLine } from './escape.js';
import {
  badge,
  COMPLIANCE_LABELS,
  type Label,
  SERVICE_LABELS,
  STATE_LABELS,
  STATUS_LABELS,
  type Tone,
} from './labels.js';
import {
  commandLineText,
  formatRtt,
  groupResult,
  isPreDeployment,
  observationPortLabel,
  portLabel,
  type ReportRow,
} from './rows.js';
import type { RenderOptions } from './types.js';

const ANSI: Record<Tone, string> = { good: '\x1b[32m', bad: '\x1b[31m', warn: '\x1b[33m', muted: '\x1b[2m' };
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

type Paint = (text: string, tone: Tone | 'bold') => string;

function painter(color: boolean): Paint {
  if (!color) return (text) => text;
  return (text, tone) => `${tone === 'bold' ? BOLD : ANSI[tone]}${text}${RESET}`;
}

/** Pads before painting so escape codes never count towards column widths; always leaves a gap. */
function cell(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text + ' '.repeat(width - text.length);
}

const COLUMNS = { port: 16, app: 28, state: 17, reason: 23, rtt: 8 };

/** Row states show word + symbol; the legend maps them to PortQry's words. */
function shortState(state: ProbeState): string {
  const l = STATE_LABELS[state];
  return `${l.symbol} ${l.word}`;
}

function rowLines(row: ReportRow, paint: Paint): string[] {
  const v = row.verdict;
  const status = STATUS_LABELS[v.status];
  const o = row.primary;
  const state = o ? shortState(o.state) : '- not probed';
  const line =
    '    ' +
    cell(portLabel(row.expectation), COLUMNS.port) +
    cell(oneLine(row.expectation?.application ?? v.expectation), COLUMNS.app) +
    paint(cell(state, COLUMNS.state), o ? STATE_LABELS[o.state].tone : 'muted') +
    cell(o?.reason ?? '-', COLUMNS.reason) +
    cell(formatRtt(o?.rttMs), COLUMNS.rtt) +
    paint(badge(status), status.tone);
  const lines = [line.trimEnd()];
  if (row.observations.length > 1) {
    for (const sub of row.observations) {
      lines.push(
        `      ${cell(observationPortLabel(sub), COLUMNS.port - 2)}${cell('', COLUMNS.app)}` +
          paint(cell(shortState(sub.state), COLUMNS.state), STATE_LABELS[sub.state].tone) +
          `${cell(sub.reason, COLUMNS.reason)}${formatRtt(sub.rttMs)}`,
      );
    }
  }
  if (v.status !== 'pass') lines.push(`      ${paint('→', status.tone)} ${oneLine(v.explanation)}`);
  if (v.caveat) lines.push(`      note: ${oneLine(v.caveat)}`);
  return lines;
}

function legend(): string[] {
  const lines = ['Legend: state, PortQry word, meaning'];
  for (const l of Object.values(STATE_LABELS)) {
    lines.push(`  ${cell(`${l.symbol} ${l.word}`, 17)}${cell(l.portqry === '-' ? '' : l.portqry, 23)}${l.meaning}`);
  }
  lines.push(`  verdicts: ${Object.values(STATUS_LABELS).map(badge).join('  ')}`);
  return lines;
}

function summaryLine(result: RunResult, paint: Paint): string {
  const s = result.summary;
  const label = COMPLIANCE_LABELS[s.status];
  const c = s.counts;
  const counts = `${c.pass} pass, ${c.fail} fail, ${c.inconclusive} inconclusive, ${c.waived} waived, ${c.untestable} untestable`;
  return `${paint(badge(label), label.tone)}: ${counts}. ${oneLine(s.headline)} (exit ${s.exitCode})`;
}

function header(result: RunResult): string[] {
  const { run } = result;
  const src = run.source;
  const lines = [
    `portolan ${oneLine(result.tool.version)} from ${oneLine(src.hostname)} (${oneLine(src.addresses.join(', ') || 'no address')}), ` +
      `${oneLine(run.startedAt)}, ${formatDuration(run.durationMs)}`,
    `catalog ${oneLine(result.catalog.digest)}`,
    `command: ${oneLine(commandLineText(run.commandLine))}`,
  ];
  if (isPreDeployment(result)) {
    lines.push('PRE-DEPLOYMENT CHECK: ports are tested for reachability; the services need not be installed yet.');
  }
  if (run.incomplete) lines.push(`INCOMPLETE RUN: ${oneLine(run.incompleteReason ?? 'stopped early')}`);
  for (const note of run.notes) lines.push(`note: ${oneLine(note)}`);
  return lines;
}

function labelled(paint: Paint, label: Label): string {
  return paint(badge(label), label.tone);
}

export function renderTable(result: RunResult, opts: RenderOptions = {}): string {
  const paint = painter(opts.color === true);
  const out = [...header(result), ''];
  for (const target of groupResult(result)) {
    const addresses = target.info?.addresses.length ? ` (${oneLine(target.info.addresses.join(', '))})` : '';
    out.push(paint(`${oneLine(target.target)}${addresses}`, 'bold'));
    if (target.info?.error) out.push(`  ${paint('! error', 'warn')}: ${oneLine(target.info.error)}`);
    for (const tv of target.verdicts) {
      out.push(
        `  role ${oneLine(tv.role ?? '(none)')}: ${labelled(paint, COMPLIANCE_LABELS[tv.status])} ${oneLine(tv.summary)}`,
      );
    }
    for (const service of target.services) {
      const sv = service.verdict;
      const status = sv ? ` ${labelled(paint, SERVICE_LABELS[sv.status])}` : '';
      out.push(`  ${oneLine(service.serviceName)} (${oneLine(service.service)})${status}`);
      // Not installed: say so once, as a notice, above the refused ports.
      if (sv?.status === 'absent') out.push(`    ${paint('notice:', 'muted')} ${oneLine(sv.explanations[0] ?? '')}`);
      for (const row of service.rows) out.push(...rowLines(row, paint));
    }
    out.push('');
  }
  out.push(...legend(), '', summaryLine(result, paint));
  return `${out.join('\n')}\n`;
}
