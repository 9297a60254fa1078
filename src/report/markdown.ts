/**
 * Markdown for a pipeline summary or PR comment, root causes first: the verdict, what to fix
 * (one row per blocked target and port, with what it breaks), what is unsure, waived findings,
 * notices (optional parts, never outages; grouped across targets), the remediation scripts,
 * notes and caveats once each, and every row collapsed in <details>. GitHub rejects comments
 * over 65,536 characters, so sections are filled in that order while they fit under
 * MARKDOWN_LIMIT bytes, and what was cut is said.
 */
import { namesList } from '../analyze/describe.js';
import { formatDuration } from '../duration.js';
import type { RunResult } from '../model.js';
// Untrusted values never go in code spans: Markdown escapes do not work inside backticks.
import { escapeMarkdownCell as md } from './escape.js';
import { absentNames, caveatsOf, type Finding, noticeLines, readFindings, switchesOf } from './findings.js';
import { badge, COMPLIANCE_LABELS, SERVICE_LABELS, STATE_LABELS, STATUS_LABELS } from './labels.js';
import { REVIEW_WARNING, remediationScripts } from './remediation.js';
import { allRows, formatRtt, groupResult, isPreDeployment, portLabel, sourceText } from './rows.js';
import type { RenderOptions, ReportOmissions } from './types.js';

/** Bytes (UTF-8). 64 KiB minus room for the closing lines. */
export const MARKDOWN_LIMIT = 64 * 1024;
const RESERVE = 1024;
/** Notes shown at most; the rest are counted (the JSON and HTML have them all). */
const NOTES_SHOWN = 10;

type Row = ReturnType<typeof allRows>[number];

function stateCell(state: keyof typeof STATE_LABELS | null): string {
  return state ? `${STATE_LABELS[state].symbol} ${state}` : '- not probed';
}

function findingLine(f: Finding): string {
  const c = f.cause;
  const what =
    c.severity === 'outage' && !c.exposed && c.scope !== 'host'
      ? `${f.rangePorts.length ? `${f.rangePorts.length} of ${f.observations.length} ports: ${f.rangePorts.slice(0, 3).join(', ')}` : f.reason}; breaks ${namesList(f.breaks, 6)}${f.optional.length ? `; optional here: ${namesList(f.optional, 3)}` : ''}.`
      : c.explanation;
  return (
    `| ${md(c.target)} | ${md(f.port)} | ${md(c.scope === 'host' ? (c.host ?? '') : stateCell(c.state))} | ` +
    `${md(c.requirement)} | ${md(f.application)} | ${md(what)} |`
  );
}

function fullLine(r: Row): string {
  const s = STATUS_LABELS[r.row.verdict.status];
  return (
    `| ${md(r.target.target)} | ${md(r.service.service)} | ${md(portLabel(r.row.expectation))} | ` +
    `${md(r.row.expectation?.application ?? '')} | ${md(stateCell(r.row.primary?.state ?? null))} | ` +
    `${md(r.row.expectation?.requirement ?? '')} | ${md(formatRtt(r.row.primary?.rttMs))} | ${md(badge(s))} |`
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

/** A fenced code block whose fence is longer than any run of backticks inside. */
function fenced(content: string, lang: string): string[] {
  const longest = Math.max(2, ...(content.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${lang}`, content.trimEnd(), fence];
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

/** Notices grouped across targets by (port, state), as the terminal shows them. */
function noticeRows(notices: Finding[]): string[] {
  return noticeLines(notices).map(
    ({ finding: f, where, about }) =>
      `| ${md(where)} | ${md(f.port)} | ${md(stateCell(f.cause.state))} | ${md(f.cause.requirement)} | ${md(f.application)} | ${md(about)} |`,
  );
}

/** What a large run's report leaves to the JSON result (said in about 300 bytes, inside RESERVE). */
function viewNote(o: ReportOmissions, targets: number): string {
  const more = o.summarisedFailing
    ? `; ${o.summarisedFailing} more failing or inconclusive targets by verdict only`
    : '';
  return (
    `> **A large run (${targets} targets):** root causes and failing rows of the first ${o.detailed.length} failing or ` +
    `inconclusive targets to finish${more}. ${o.rows} rows and ${o.rootCauses} root causes are in the JSON result.`
  );
}

const FINDING_HEAD = [
  '| Target | Port | State | Requirement | Application | What it means |',
  '|---|---|---|---|---|---|',
];

export function renderMarkdown(result: RunResult, opts: RenderOptions = {}): string {
  const now = opts.now ?? new Date();
  const { summary, run } = result;
  const label = COMPLIANCE_LABELS[summary.status];
  const c = summary.counts;
  const findings = readFindings(result);
  const { on, off } = switchesOf(result);
  const head = [
    `### portolan: ${badge(label)}`,
    '',
    `${md(summary.headline)} **${c.pass}** pass, **${c.fail}** fail, **${c.inconclusive}** inconclusive, ` +
      `**${c.waived}** waived, **${c.untestable}** untestable (exit ${summary.exitCode}).`,
    '',
    `From ${md(sourceText(run.source))} at ${md(run.startedAt)}, ` +
      `${formatDuration(run.durationMs)}; portolan ${md(result.tool.version)}, catalog ${md(result.catalog.digest.slice(0, 19))}; ` +
      `${result.targets.length} target(s), expect ${md(run.options.expect)}.` +
      (on.length || off.length
        ? ` Named conditions on: ${md(on.join(', ') || 'none')}${off.length ? `; off: ${md(off.join(', '))} (\`--with NAME\`)` : ''}.`
        : ''),
  ];
  if (isPreDeployment(result)) {
    head.push(
      '',
      '> **Pre-deployment check**: ports were tested for reachability; the services need not be installed yet.',
    );
  }
  if (run.incomplete) head.push('', `> **Incomplete run**: ${md(run.incompleteReason ?? 'stopped early')}`);
  head.push(...changesLines(result));
  const out = [...head, ''];
  const budget = { left: MARKDOWN_LIMIT - RESERVE - Buffer.byteLength(out.join('\n')) };
  const cut: string[] = [];
  const table = (title: string, list: Finding[], noun: string) => {
    if (list.length === 0) return;
    out.push(`#### ${title}`, '', ...FINDING_HEAD);
    budget.left -= Buffer.byteLength(`#### ${title}\n\n${FINDING_HEAD.join('\n')}\n`);
    const left = fill(out, list.map(findingLine), budget);
    if (left > 0) cut.push(`${left} of ${list.length} ${noun}`);
    out.push('');
  };
  const targets = (list: Finding[]) => new Set(list.map((f) => f.cause.target)).size;
  if (findings.outages.length === 0) out.push('No root causes: nothing to fix.', '');
  table(
    `Root causes: ${findings.outages.length} to fix on ${targets(findings.outages)} target(s)`,
    findings.outages,
    'root causes',
  );
  table(
    `Inconclusive: ${findings.inconclusive.length} without a definite answer`,
    findings.inconclusive,
    'inconclusive points',
  );
  table(`Waived: ${findings.waived.length}`, findings.waived, 'waived findings');
  const notices = noticeRows(findings.notices);
  if (notices.length || findings.absent.length) {
    out.push('#### Notices (optional parts, never outages)', '');
    if (notices.length) {
      out.push('| Where | Port | State | Requirement | Application | Services |', '|---|---|---|---|---|---|');
      const left = fill(out, notices, budget);
      if (left > 0) cut.push(`${left} of ${notices.length} notices`);
      out.push('');
    }
    if (findings.absent.length) {
      const names = absentNames(findings.absent).map(md);
      fill(
        out,
        [
          `${SERVICE_LABELS.absent.symbol} Not installed (optional; every port refused, which a rejecting firewall also does): ${names.join(', ')}.`,
          '',
        ],
        budget,
      );
    }
  }
  const scripts = remediationScripts(result, findings);
  if (scripts.length) {
    out.push(
      `<details><summary>Remediation: ${scripts.reduce((n, s) => n + s.rules.length, 0)} allow rule(s) on ${scripts.length} target(s), PowerShell and nftables</summary>`,
      '',
      `**${md(REVIEW_WARNING)}**`,
      '',
    );
    let shown = 0;
    for (const s of scripts) {
      const block = [
        `##### ${md(s.target)}`,
        '',
        ...fenced(s.powershell, 'powershell'),
        '',
        ...fenced(s.nftables, 'sh'),
        '',
      ];
      if (fill(out, block, budget) > 0) break;
      shown++;
    }
    if (shown < scripts.length)
      cut.push(`the remediation scripts of ${scripts.length - shown} of ${scripts.length} targets`);
    out.push('</details>', '');
  }
  const notes = run.notes.slice(0, NOTES_SHOWN).map((n) => `> ${md(n)}`);
  if (run.notes.length > NOTES_SHOWN)
    notes.push(`> … and ${run.notes.length - NOTES_SHOWN} more notes in the JSON and HTML reports.`);
  const caveats = caveatsOf(result).map((cv) => `> Caveat (${cv.rows} row${cv.rows === 1 ? '' : 's'}): ${md(cv.text)}`);
  if (notes.length || caveats.length) {
    fill(out, ['#### Notes', '', ...[...notes, ...caveats].flatMap((l) => [l, '>']).slice(0, -1), ''], budget);
  }
  const rows = allRows(groupResult(result));
  const omitted = opts.omitted;
  const full = [
    omitted
      ? `<details><summary>Rows that did not pass, of ${omitted.detailed.length} failing target(s) (${rows.length})</summary>`
      : `<details><summary>Every row (${rows.length})</summary>`,
    '',
    '| Target | Service | Port | Application | State | Requirement | RTT | Verdict |',
    '|---|---|---|---|---|---|---|---|',
  ];
  budget.left -= Buffer.byteLength(full.join('\n')) + 32;
  out.push(...full);
  const leftFull = fill(out, rows.map(fullLine), budget);
  if (leftFull > 0) cut.push(`${leftFull} of ${rows.length} rows of the full table`);
  out.push('', '</details>', '');
  if (omitted) out.push(viewNote(omitted, result.targets.length), '');
  if (cut.length > 0) {
    out.push(`> **Cut to stay under 64 KiB:** ${cut.join('; ')}. The HTML and JSON reports have every row.`, '');
  }
  out.push(
    `<sub>Rendered ${md(now.toISOString())}. States: ${Object.values(STATE_LABELS)
      .filter((l) => l.portqry !== '-')
      .map((l) => `${l.symbol} ${md(l.word)} = ${md(l.portqry)}`)
      .join(', ')}.</sub>`,
    '',
  );
  return out.join('\n');
}
