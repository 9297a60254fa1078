/**
 * The compliance report: one self-contained HTML file (inline CSS and script, nothing remote,
 * a CSP that forbids remote loads) an auditor opens offline. It leads with the root causes
 * (what to fix, per target), then what is unsure, waived findings, notices (optional parts,
 * never outages), the remediation scripts and the named conditions; then every target, failing
 * ones first, whose rows are rendered on demand from per-target data embedded as JSON, so a
 * 300-target report stays small and opens at once. Every value from the result goes through
 * `escapeHtml`; the embedded JSON through `jsonForScript`; the script builds text nodes only.
 */

import { formatDuration } from '../duration.js';
import type { ComplianceStatus, Observation, RunResult } from '../model.js';
import { escapeHtml as esc, jsonForScript } from './escape.js';
import {
  absentNames,
  caveatsOf,
  type Finding,
  type Findings,
  noticeLines,
  readFindings,
  switchesOf,
} from './findings.js';
import { HTML_SCRIPT, HTML_STYLE, htmlPageStart } from './html-assets.js';
import {
  badge,
  COMPLIANCE_LABELS,
  type Label,
  SERVICE_LABELS,
  STATE_LABELS,
  STATUS_LABELS,
  stateText,
} from './labels.js';
import { REVIEW_WARNING, type RemediationScript, remediationScripts } from './remediation.js';
import {
  commandLineText,
  formatRtt,
  groupResult,
  isPreDeployment,
  observationPortLabel,
  portLabel,
  sourceText,
  type TargetIndex,
  targetIndex,
} from './rows.js';
import type { RenderOptions, ReportOmissions } from './types.js';

export const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

function labelSpan(label: Label): string {
  return `<span class="t-${label.tone}">${esc(badge(label))}</span>`;
}

function list(items: string[], cls = ''): string {
  if (items.length === 0) return '<span class="empty">none</span>';
  return `<ul${cls ? ` class="${cls}"` : ''}>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
}

/** A definition list from pairs whose value is already HTML; empty values are left out. */
function dl(pairs: [string, string | null][], cls = ''): string {
  const body = pairs
    .filter((p): p is [string, string] => p[1] !== null && p[1] !== '')
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`)
    .join('');
  return `<dl${cls ? ` class="${cls}"` : ''}>${body}</dl>`;
}

/** A table that scrolls inside its own box on a narrow screen instead of widening the page. */
function table(caption: string, head: string[], rows: string[]): string {
  return (
    `<div class="scroll"><table><caption>${esc(caption)}</caption><thead><tr>` +
    head.map((h) => `<th scope="col">${esc(h)}</th>`).join('') +
    `</tr></thead><tbody>${rows.join('')}</tbody></table></div>`
  );
}

function probesTable(observations: Observation[]): string {
  return table(
    'Probes that decided it',
    ['Port', 'Address', 'State', 'Reason', 'RTT', 'Attempts'],
    observations.map(
      (o) =>
        `<tr><th scope="row">${esc(observationPortLabel(o))}</th><td>${esc(o.address ?? '-')}</td>` +
        `<td>${esc(stateText(o.state))}</td><td>${esc(o.reason)}</td><td>${esc(formatRtt(o.rttMs))}</td>` +
        `<td>${esc(o.attempts)}</td></tr>`,
    ),
  );
}

const SEVERITY_SYMBOL: Record<Finding['cause']['severity'], Label> = {
  outage: STATUS_LABELS.fail,
  inconclusive: STATUS_LABELS.inconclusive,
  waived: STATUS_LABELS.waived,
  notice: SERVICE_LABELS.degraded,
};

/** One root cause: what it is, what came back, what it breaks; the rows and probes behind it one click away. */
function findingCard(f: Finding): string {
  const c = f.cause;
  const symbol = SEVERITY_SYMBOL[c.severity];
  const state = c.scope === 'host' ? esc(c.host ?? '') : c.state ? esc(stateText(c.state)) : 'not probed';
  const tone = c.state ? STATE_LABELS[c.state].tone : 'muted';
  const affects = c.affects.map(
    (a) =>
      `<tr><th scope="row">${esc(a.serviceName)} <span class="sid">${esc(a.service)}${a.role ? ` · ${esc(a.role)}` : ''}</span></th>` +
      `<td>${esc(a.requirement)}${a.condition ? `<div class="cond">${esc(a.condition)}</div>` : ''}` +
      `${a.switchesOff?.length ? `<div class="cond">required once on: ${esc(a.switchesOff.map((s) => `--with ${s}`).join(', '))}</div>` : ''}</td>` +
      `<td>${esc(a.absent ? 'not installed' : a.status)}</td></tr>`,
  );
  const more =
    table('Rows it affects', ['Service', 'Requirement', 'Verdict'], affects) +
    (f.evidence.length ? `<h5>Evidence</h5>${list(f.evidence)}` : '') +
    (f.observations.length ? probesTable(f.observations.slice(0, 16)) : '') +
    (f.observations.length > 16
      ? `<p class="empty">and ${f.observations.length - 16} more probes in the JSON</p>`
      : '');
  const breaks =
    c.severity === 'outage' && !c.exposed && f.breaks.length
      ? `<p class="breaks"><strong>Breaks:</strong> ${esc(f.breaks.join(', '))}${f.optional.length ? `; optional here: ${esc(f.optional.join(', '))}` : ''}</p>`
      : '';
  return (
    `<article class="finding sev-${c.severity}" data-target="${esc(c.target)}">` +
    `<h4><span class="t-${symbol.tone}">${esc(symbol.symbol)}</span> <span class="mono">${esc(f.port)}</span> ${esc(f.application)} ` +
    `<span class="t-${tone}">${state}</span> <span class="req">${esc(c.requirement)}</span></h4>` +
    `<p>${esc(c.explanation)}</p>${breaks}` +
    (c.state === 'closed' && c.severity === 'outage'
      ? '<p class="hint">Refused by the host: start the service there first; a firewall rule helps only if a host firewall resets.</p>'
      : '') +
    `<details class="more"><summary>Rows, evidence and probes</summary>${more}</details></article>`
  );
}

function targetHeading(result: RunResult, target: string): string {
  const info = result.targets.find((t) => t.name === target);
  const shown = info?.addresses.filter((a) => a !== target) ?? [];
  const addresses = shown.length ? ` <span class="sid">${esc(shown.join(', '))}</span>` : '';
  return `<h3>${esc(target)}${addresses}</h3>`;
}

function findingSection(id: string, title: string, list: Finding[], result: RunResult, empty: string | null): string {
  if (list.length === 0 && empty === null) return '';
  const targets = [...new Set(list.map((f) => f.cause.target))];
  const body = list.length
    ? targets
        .map(
          (t) =>
            targetHeading(result, t) +
            list
              .filter((f) => f.cause.target === t)
              .map(findingCard)
              .join(''),
        )
        .join('')
    : `<p class="empty">${esc(empty ?? '')}</p>`;
  const count = list.length ? ` (${list.length} on ${targets.length} target${targets.length === 1 ? '' : 's'})` : '';
  return `<section id="${id}" aria-labelledby="h-${id}"><h2 id="h-${id}">${esc(title)}${count}</h2>${body}</section>`;
}

/** Notices grouped across targets by (port, state); optional services not installed, one line each. */
function noticesSection(findings: Findings): string {
  if (findings.notices.length === 0 && findings.absent.length === 0) return '';
  const rows = noticeLines(findings.notices).map(
    ({ finding: f, where, about }) =>
      `<tr><td>${esc(where)}</td><td class="mono">${esc(f.port)}</td><td>${esc(f.application)}</td>` +
      `<td>${esc(f.cause.state ? stateText(f.cause.state) : '')}</td><td>${esc(f.cause.requirement)}</td>` +
      `<td>${esc(about)}</td></tr>`,
  );
  const absent = absentNames(findings.absent).map(
    (name) => `<li>${labelSpan(SERVICE_LABELS.absent)} ${esc(name)}</li>`,
  );
  return (
    '<section id="notices" aria-labelledby="h-notices"><h2 id="h-notices">Notices: optional parts, never outages</h2>' +
    (rows.length
      ? table(
          'Optional or switched-off rows that did not answer, and rows that cannot be tested',
          ['Where', 'Port', 'Application', 'State', 'Requirement', 'Services'],
          rows,
        )
      : '') +
    (absent.length
      ? `<p>Not installed (optional; every port refused, which a rejecting firewall also does):</p><ul class="absent">${absent.join('')}</ul>`
      : '') +
    '</section>'
  );
}

function remediationSection(scripts: RemediationScript[]): string {
  const head = '<h2 id="h-remediation">Remediation</h2>';
  if (scripts.length === 0) {
    return `<section id="remediation" aria-labelledby="h-remediation">${head}<p class="empty">No required row failed: nothing to open.</p></section>`;
  }
  const blocks = scripts.map(
    (s) =>
      `<h3>${esc(s.target)} <span class="sid">${esc(s.rules.length)} rule${s.rules.length === 1 ? '' : 's'}</span></h3>` +
      `<details class="script" open><summary>Windows Firewall (PowerShell)</summary><pre><code>${esc(s.powershell)}</code></pre></details>` +
      `<details class="script"><summary>nftables (Linux host or firewall)</summary><pre><code>${esc(s.nftables)}</code></pre></details>`,
  );
  return (
    `<section id="remediation" aria-labelledby="h-remediation">${head}<p class="warning" role="note">${esc(REVIEW_WARNING)}</p>` +
    '<p>One rule per port a required row needs, deduplicated per target; optional rows, notices and ports a plan requires blocked get none.</p>' +
    `${blocks.join('')}</section>`
  );
}

function conditionsSection(result: RunResult): string {
  const { on, off } = switchesOf(result);
  if (on.length === 0 && off.length === 0) return '';
  const offRows = off.map((name) => {
    const rows = result.expectations.filter((e) => e.switches?.some((s) => s.name === name && !s.on));
    const ports = [...new Set(rows.map((e) => `${portLabel(e)} ${e.serviceName}`))];
    return `<tr><th scope="row" class="mono">--with ${esc(name)}</th><td>${esc(ports.slice(0, 6).join('; '))}${ports.length > 6 ? esc(` and ${ports.length - 6} more`) : ''}</td></tr>`;
  });
  return (
    '<section id="conditions" aria-labelledby="h-conditions"><h2 id="h-conditions">Named conditions</h2>' +
    `<p>On in this run: ${esc(on.join(', ') || 'none')}. Rows governed by a condition that is on are required.</p>` +
    (offRows.length
      ? table('Off: turn one on to make its rows required', ['Switch', 'Rows it would make required'], offRows)
      : '') +
    '</section>'
  );
}

const TARGET_ORDER: Record<ComplianceStatus, number> = { 'non-compliant': 0, inconclusive: 1, compliant: 2 };

function statusOf(index: TargetIndex, t: string): ComplianceStatus {
  const all = (index.verdicts.get(t) ?? []).map((v) => v.status);
  return all.includes('non-compliant') ? 'non-compliant' : all.includes('inconclusive') ? 'inconclusive' : 'compliant';
}

/**
 * Every target, failing first: one line each; the rows open on demand (the script renders them
 * from the embedded data), so 300 targets cost 300 lines, not 18,000 cells. A large run's view
 * (`omitted`) lists its compliant targets apart, collapsed, as names and addresses only.
 */
function targetsSection(
  findings: Findings,
  order: string[],
  index: TargetIndex,
  compliant: string[],
  omitted: ReportOmissions | undefined,
): string {
  const causeCount = new Map<string, number>();
  for (const f of [...findings.outages, ...findings.inconclusive]) {
    causeCount.set(f.cause.target, (causeCount.get(f.cause.target) ?? 0) + 1);
  }
  const items = order.map((t, i) => {
    const status = statusOf(index, t);
    const info = index.info.get(t);
    const roles = [...new Set((index.verdicts.get(t) ?? []).map((v) => v.role ?? '-'))];
    const causes = causeCount.get(t) ?? 0;
    const what = causes ? `${causes} root cause${causes === 1 ? '' : 's'}` : COMPLIANCE_LABELS[status].word;
    return (
      `<details class="target" data-i="${i}" data-status="${status}" data-name="${esc(t.toLowerCase())}">` +
      `<summary>${labelSpan(COMPLIANCE_LABELS[status])} <strong>${esc(t)}</strong> <span class="sid">${esc(info?.addresses.join(', ') ?? '')}` +
      ` · ${esc(roles.join(', '))} · ${esc(what)}</span></summary>` +
      `${info?.error ? `<p class="t-bad">${esc(info.error)}</p>` : ''}<div class="rows"></div></details>`
    );
  });
  const total = order.length + compliant.length;
  return (
    `<section id="targets" aria-labelledby="h-targets"><h2 id="h-targets">Targets (${total}), failing first</h2>` +
    (omitted ? viewNote(omitted) : '') +
    '<nav class="filters" id="filters" aria-label="Filters" hidden>' +
    '<label><input type="checkbox" id="f-fail"> Failing targets only</label>' +
    '<label>Search <input type="search" id="f-search" placeholder="target, port, service, evidence"></label>' +
    '<output id="f-count" aria-live="polite"></output><span id="f-none" class="empty" hidden>No target matches.</span></nav>' +
    '<noscript><p>Opening a target lists its rows with JavaScript on; the JSON result has them too.</p></noscript>' +
    `<div id="target-list">${items.join('')}</div>` +
    (omitted ? compliantList(compliant, index) : '') +
    '</section>'
  );
}

/** What a large run's report leaves to the JSON result. */
function viewNote(o: ReportOmissions): string {
  const more = o.summarisedFailing
    ? ` ${o.summarisedFailing} more failing or inconclusive target${o.summarisedFailing === 1 ? '' : 's'} are listed with their verdict only.`
    : '';
  return (
    `<p class="banner" role="note" id="view-note">A large run: root causes and failing rows are shown for the first ` +
    `${o.detailed.length} failing or inconclusive target${o.detailed.length === 1 ? '' : 's'} to finish.${more} ` +
    `Compliant targets are collapsed below. ${o.rows.toLocaleString('en-US')} rows and ` +
    `${o.rootCauses.toLocaleString('en-US')} root causes not shown here are in the JSON result.</p>`
  );
}

/** A large run's compliant targets: one collapsed list of names, which the browser lays out only when opened. */
function compliantList(names: string[], index: TargetIndex): string {
  if (names.length === 0) return '';
  const items = names.map((t) => {
    const shown = index.info.get(t)?.addresses.filter((a) => a !== t) ?? [];
    return `<li>${esc(t)}${shown.length ? ` <span class="sid">${esc(shown.join(', '))}</span>` : ''}</li>`;
  });
  return (
    `<details id="compliant-targets"><summary>${labelSpan(COMPLIANCE_LABELS.compliant)} ${names.length} compliant ` +
    `target${names.length === 1 ? '' : 's'} (every required port answered)</summary><ol class="mono">${items.join('')}</ol></details>`
  );
}

/**
 * Per-target rows for the script: an expectation table once, then per target
 * [expectation, state, reason, rtt, status, words, evidence] rows, in the targets' order.
 */
function targetData(result: RunResult, order: string[]): unknown {
  const groups = new Map(groupResult(result).map((g) => [g.target, g]));
  const expectationIndex = new Map(result.expectations.map((e, i) => [e.key, i]));
  return {
    e: result.expectations.map((e) => [portLabel(e), e.application, e.serviceName, e.service, e.requirement]),
    t: order.map((t) =>
      (groups.get(t)?.services ?? []).flatMap((s) =>
        s.rows.map((r) => {
          const o = r.primary;
          const v = r.verdict;
          const words =
            v.status === 'pass' ? (v.caveat ?? '') : v.caveat ? `${v.explanation} Caveat: ${v.caveat}` : v.explanation;
          const evidence = [...new Set(r.observations.flatMap((x) => x.evidence))].slice(0, 4);
          return [
            expectationIndex.get(v.expectation) ?? -1,
            o?.state ?? null,
            o?.reason ?? null,
            o?.rttMs ?? null,
            v.status,
            words,
            evidence,
            r.observations.length > 1 ? r.observations.map((x) => `${observationPortLabel(x)} ${x.state}`) : [],
          ];
        }),
      ),
    ),
  };
}

function notesSection(result: RunResult): string {
  const caveats = caveatsOf(result);
  if (result.run.notes.length === 0 && caveats.length === 0) return '';
  return (
    '<section id="notes" aria-labelledby="h-notes"><h2 id="h-notes">Notes and caveats</h2>' +
    (result.run.notes.length ? list(result.run.notes) : '') +
    (caveats.length ? list(caveats.map((c) => `${c.text} (${c.rows} row${c.rows === 1 ? '' : 's'})`)) : '') +
    '</section>'
  );
}

function changesSection(changes: NonNullable<RunResult['changes']>): string {
  const head = `<h2 id="h-changes">Changed since the last run (${esc(changes.since)}, ${esc(changes.sinceStatus)})</h2>`;
  if (changes.items.length === 0) {
    return `<section id="changes" aria-labelledby="h-changes">${head}<p class="empty">Nothing changed.</p></section>`;
  }
  const rows = changes.items.map(
    (c) =>
      `<tr><td>${esc(c.kind)}</td><td>${esc(c.target)}</td><td>${esc(c.service)}</td>` +
      `<td>${esc(c.before ?? '\u2013')} \u2192 ${esc(c.after ?? '\u2013')}</td><td>${esc(c.explanation)}</td></tr>`,
  );
  return `<section id="changes" aria-labelledby="h-changes">${head}${table('Expectations whose verdict changed', ['Change', 'Target', 'Service', 'Verdict', 'Explanation'], rows)}</section>`;
}

function legendSection(): string {
  const rows = Object.values(STATE_LABELS).map(
    (l) =>
      `<tr><th scope="row" class="t-${l.tone}">${esc(`${l.symbol} ${l.word}`)}</th><td>${esc(l.portqry)}</td><td>${esc(l.meaning)}</td></tr>`,
  );
  const verdicts = Object.values(STATUS_LABELS).map(labelSpan).join(' · ');
  return (
    '<section id="legend" aria-labelledby="h-legend"><h2 id="h-legend">Legend</h2>' +
    table('Probe states and the words PortQry uses for them', ['State', 'PortQry', 'Meaning'], rows) +
    `<p>Verdicts: ${verdicts}</p></section>`
  );
}

function header(result: RunResult): string {
  const { run, summary } = result;
  const overall = COMPLIANCE_LABELS[summary.status];
  const c = summary.counts;
  const counts = (Object.keys(STATUS_LABELS) as (keyof typeof STATUS_LABELS)[]).map(
    (k) => `<li class="t-${STATUS_LABELS[k].tone}">${esc(STATUS_LABELS[k].symbol)} ${c[k]} ${esc(k)}</li>`,
  );
  const pre = isPreDeployment(result)
    ? `<p class="banner" role="note">Pre-deployment check${run.options.expect === 'reachable' ? ' (--expect reachable)' : ''}` +
      `${run.options.responder ? ' with the portolan responder' : ''}: ports were tested for reachability; ` +
      'the services need not be installed yet. A refused port counts as reachable, and a host firewall that rejects looks the same.</p>'
    : '';
  const incomplete = run.incomplete
    ? `<p class="banner" role="note">Incomplete run: ${esc(run.incompleteReason ?? 'stopped early')}</p>`
    : '';
  const roles = [...new Set(result.verdicts.targets.map((t) => t.role ?? '(none)'))];
  return (
    `<header class="verdict tone-${overall.tone}"><h1>portolan compliance report</h1>` +
    `<p class="overall" id="overall"><span class="badge">${esc(badge(overall))}</span> ${esc(summary.headline)}</p>` +
    pre +
    incomplete +
    `<ul class="counts" aria-label="Counts">${counts.join('')}<li>exit code ${esc(summary.exitCode)}</li></ul>` +
    dl(
      [
        ['Source', esc(sourceText(run.source))],
        ['Bound to', run.source.bind ? esc(run.source.bind) : null],
        ['Started', esc(`${run.startedAt}, ${formatDuration(run.durationMs)}`)],
        ['Tool', esc(`${result.tool.name} ${result.tool.version}`)],
        ['Catalog', `<code>${esc(result.catalog.digest)}</code> ${esc(result.catalog.sources.join(', '))}`],
        [
          'Mode',
          esc(
            `expect ${run.options.expect}, RPC ${run.options.rpcRange ?? run.options.profile} (${run.options.rpcMode})`,
          ),
        ],
        ['Roles', esc(roles.join(', ') || 'none')],
        ['Targets', esc(String(result.targets.length))],
        ['Command line', `<code>${esc(commandLineText(run.commandLine))}</code>`],
      ],
      'meta',
    ) +
    '</header>'
  );
}

/**
 * What the first data block carries: the run's metadata and verdict summary, for tools that
 * scrape reports. A large run's view carries the verdicts of its failing and inconclusive
 * targets only (the JSON result has every one).
 */
function embedded(result: RunResult, omitted: ReportOmissions | undefined): unknown {
  return {
    schemaVersion: result.schemaVersion,
    tool: result.tool,
    catalog: result.catalog,
    run: result.run,
    summary: result.summary,
    targets: omitted ? result.verdicts.targets.filter((t) => t.status !== 'compliant') : result.verdicts.targets,
  };
}

export function renderHtml(result: RunResult, opts: RenderOptions = {}): string {
  const now = opts.now ?? new Date();
  const findings = readFindings(result);
  const overall = COMPLIANCE_LABELS[result.summary.status];
  const index = targetIndex(result);
  const names = [...new Set([...result.targets.map((t) => t.name), ...result.verdicts.targets.map((t) => t.target)])];
  const rank = new Map(
    names.map((t) => [t, Math.min(...(index.verdicts.get(t) ?? []).map((v) => TARGET_ORDER[v.status]), 3)]),
  );
  const sorted = names
    .map((t, i) => ({ t, i }))
    .sort((a, b) => (rank.get(a.t) ?? 3) - (rank.get(b.t) ?? 3) || a.i - b.i)
    .map((x) => x.t);
  // A large run's compliant targets are listed apart, collapsed; otherwise every target is a line.
  const apart = (t: string) => opts.omitted !== undefined && statusOf(index, t) === 'compliant';
  const order = sorted.filter((t) => !apart(t));
  const compliant = sorted.filter(apart);
  const title = `portolan: ${badge(overall)}, ${names.length} target(s), ${result.run.startedAt}`;
  return [
    ...htmlPageStart(CSP),
    `<title>${esc(title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head><body>',
    header(result),
    '<main>',
    findingSection(
      'root-causes',
      'Root causes: what to fix',
      findings.outages,
      result,
      'Nothing to fix: every required port answered as expected.',
    ),
    findingSection('inconclusive', 'Inconclusive: no definite answer', findings.inconclusive, result, null),
    findingSection('waived', 'Waived', findings.waived, result, null),
    noticesSection(findings),
    ...(result.changes ? [changesSection(result.changes)] : []),
    remediationSection(remediationScripts(result, findings)),
    conditionsSection(result),
    targetsSection(findings, order, index, compliant, opts.omitted),
    notesSection(result),
    legendSection(),
    '</main>',
    `<footer>Rendered ${esc(now.toISOString())} by ${esc(`${result.tool.name} ${result.tool.version}`)} from result schema v${esc(result.schemaVersion)}; ` +
      `catalog <code>${esc(result.catalog.digest)}</code>. Re-render with <code>portolan report RESULT.json --format html</code>.</footer>`,
    `<script type="application/json" id="portolan-result">${jsonForScript(embedded(result, opts.omitted))}</script>`,
    `<script type="application/json" id="portolan-rows">${jsonForScript(targetData(result, order))}</script>`,
    `<script>${HTML_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
