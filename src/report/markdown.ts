/**
 * Markdown for a pipeline summary or PR comment: a verdict line, the failures with their
 * explanation, and the full table collapsed in <details>. GitHub rejects comments over 65,536
 * characters, so rows are cut to stay under MARKDOWN_LIMIT bytes and the cut is said.
 */
import { formatDuration } from '../duration.js';
import type { RunResult } from '../model.js';
// Untrusted values never go in code spans: Markdown escapes do not work inside backticks.
import { escapeMarkdownCell as md } from './escape.js';
import { badge, COMPLIANCE_LABELS, SERVICE_LABELS, STATE_LABELS, STATUS_LABELS } from './labels.js';
import { allRows, formatRtt, groupResult, isPreDeployment, portLabel, requirementRank } from './rows.js';
import type { RenderOptions } from './types.js';

/** Bytes (UTF-8). 64 KiB minus room for the closing lines. */
export const MARKDOWN_LIMIT = 64 * 1024;
const RESERVE = 1024;

type Row = ReturnType<typeof allRows>[number];

function stateCell(r: Row): string {
  const o = r.row.primary;
  return o ? `${STATE_LABELS[o.state].symbol} ${o.state}` : '- not probed';
}

function failureLine(r: Row): string {
  return (
    `| ${md(r.target.target)} | ${md(r.service.serviceName)} | ${md(portLabel(r.row.expectation))} | ` +
    `${md(r.row.expectation?.requirement ?? '')} | ${md(stateCell(r))} | ${md(r.row.verdict.explanation)} |`
  );
}

function fullLine(r: Row): string {
  const s = STATUS_LABELS[r.row.verdict.status];
  return (
    `| ${md(r.target.target)} | ${md(r.service.service)} | ${md(portLabel(r.row.expectation))} | ` +
    `${md(r.row.expectation?.application ?? '')} | ${md(stateCell(r))} | ${md(r.row.primary?.reason ?? '-')} | ` +
    `${md(formatRtt(r.row.primary?.rttMs))} | ${md(badge(s))} |`
  );
}

/** Appends lines while they fit in `budget` bytes; returns how many were left out. */
function fill(out: string[], lines: string[], budget: { left: number }): number {
  let i = 0;
  for (; i < lines.length; i++) {
    const size = Buffer.byteLength(lines[i] as string) + 1;
    if (size > budget.left) break;
    budget.left -= size;
    out.push(lines[i] as string);
  }
  return lines.length - i;
}

/** "Changed since the last run", when the run was recorded in history. Capped: it is a summary. */
function changesLines(result: RunResult): string[] {
  const changes = result.changes;
  if (!changes) return [];
  const lines = ['', `#### Changed since the last run (${md(changes.since)}, ${md(changes.sinceStatus)})`, ''];
  if (changes.items.length === 0) return [...lines, 'Nothing changed.'];
  lines.push('| Change | Target | Service | Verdict | Explanation |', '|---|---|---|---|---|');
  for (const c of changes.items.slice(0, 50)) {
    lines.push(
      `| ${md(c.kind)} | ${md(c.target)} | ${md(c.service)} | ${md(c.before ?? '-')} \u2192 ${md(c.after ?? '-')} | ${md(c.explanation)} |`,
    );
  }
  if (changes.items.length > 50)
    lines.push('', `${changes.items.length - 50} more changes are in the JSON and HTML reports.`);
  return lines;
}

export function renderMarkdown(result: RunResult, opts: RenderOptions = {}): string {
  const now = opts.now ?? new Date();
  const { summary, run } = result;
  const label = COMPLIANCE_LABELS[summary.status];
  const c = summary.counts;
  const rows = allRows(groupResult(result));
  const head = [
    `### portolan: ${badge(label)}`,
    '',
    `${md(summary.headline)} **${c.pass}** pass, **${c.fail}** fail, **${c.inconclusive}** inconclusive, ` +
      `**${c.waived}** waived, **${c.untestable}** untestable (exit ${summary.exitCode}).`,
    '',
    `From ${md(run.source.hostname)} (${md(run.source.addresses.join(', ') || 'no address')}) at ${md(run.startedAt)}, ` +
      `${formatDuration(run.durationMs)}; portolan ${md(result.tool.version)}, catalog ${md(result.catalog.digest.slice(0, 19))}.`,
  ];
  if (isPreDeployment(result)) {
    head.push(
      '',
      '> **Pre-deployment check**: ports were tested for reachability; the services need not be installed yet.',
    );
  }
  for (const note of run.notes) head.push('', `> ${md(note)}`);
  head.push(...changesLines(result));
  const out = [...head, ''];
  const budget = { left: MARKDOWN_LIMIT - RESERVE - Buffer.byteLength(out.join('\n')) };
  // Optional services that are not installed are a notice, listed apart, not failures.
  const absent = [...new Set(rows.map((r) => r.service))].filter((s) => s.verdict?.status === 'absent');
  const failures = rows
    .filter((r) => r.row.verdict.status === 'fail' && r.service.verdict?.status !== 'absent')
    .sort((a, b) => requirementRank(a.row) - requirementRank(b.row));
  const cut: string[] = [];
  if (failures.length > 0) {
    out.push(
      '#### Failures',
      '',
      '| Target | Service | Port | Requirement | State | Explanation |',
      '|---|---|---|---|---|---|',
    );
    const left = fill(out, failures.map(failureLine), budget);
    if (left > 0) cut.push(`${left} of ${failures.length} failure rows`);
    out.push('');
  } else {
    out.push('No failures.', '');
  }
  if (absent.length > 0) {
    const names = absent.map((s) => `${md(s.serviceName)} on ${md(s.verdict?.target ?? '')}`).join(', ');
    out.push(
      `${SERVICE_LABELS.absent.symbol} Not installed (optional; every port refused, which a rejecting firewall also does): ${names}.`,
      '',
    );
  }
  const full = [`<details><summary>All results (${rows.length} rows)</summary>`, ''];
  full.push(
    '| Target | Service | Port | Application | State | Reason | RTT | Verdict |',
    '|---|---|---|---|---|---|---|---|',
  );
  budget.left -= Buffer.byteLength(full.join('\n')) + 32;
  out.push(...full);
  const leftFull = fill(out, rows.map(fullLine), budget);
  if (leftFull > 0) cut.push(`${leftFull} of ${rows.length} rows of the full table`);
  out.push('', '</details>', '');
  if (cut.length > 0) {
    out.push(`> **Cut to stay under 64 KiB:** ${cut.join('; ')}. The HTML and JSON reports have every row.`, '');
  }
  out.push(
    `<sub>Rendered ${md(now.toISOString())}. States: ${Object.values(STATE_LABELS)
      .map((l) => `${l.symbol} ${md(l.word)} = ${md(l.portqry)}`)
      .join(', ')}.</sub>`,
    '',
  );
  return out.join('\n');
}
