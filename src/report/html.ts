/**
 * The compliance report: one self-contained HTML file (inline CSS and script, nothing remote,
 * a CSP that forbids remote loads) an auditor opens offline. Every value from the result goes
 * through `escapeHtml`; the embedded JSON through `jsonForScript`.
 */

import { observationFacts } from '../analyze/describe.js';
import { formatDuration } from '../duration.js';
import type { Observation, RunResult, ServiceStatus } from '../model.js';
import { escapeHtml as esc, jsonForScript } from './escape.js';
import { HTML_SCRIPT, HTML_STYLE } from './html-assets.js';
import {
  badge,
  COMPLIANCE_LABELS,
  type Label,
  SERVICE_LABELS,
  STATE_LABELS,
  STATUS_LABELS,
  stateText,
} from './labels.js';
import { REVIEW_WARNING, type RemediationItem, remediationItems } from './remediation.js';
import {
  commandLineText,
  formatRtt,
  groupResult,
  isPreDeployment,
  observationPortLabel,
  portLabel,
  type ReportRow,
  requirementRank,
  type ServiceGroup,
  type TargetGroup,
} from './rows.js';
import type { RenderOptions } from './types.js';

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

function observationTable(observations: Observation[]): string {
  const rows = observations
    .map(
      (o) =>
        `<tr><th scope="row">${esc(observationPortLabel(o))}</th><td>${esc(o.address ?? '-')}</td>` +
        `<td>${esc(stateText(o.state))}</td><td>${esc(o.reason)}</td><td>${esc(formatRtt(o.rttMs))}</td>` +
        `<td>${esc(o.attempts)}</td></tr>`,
    )
    .join('');
  return (
    '<table><caption>Probes</caption><thead><tr><th scope="col">Port</th><th scope="col">Address</th>' +
    '<th scope="col">State</th><th scope="col">Reason</th><th scope="col">RTT</th><th scope="col">Attempts</th>' +
    `</tr></thead><tbody>${rows}</tbody></table>`
  );
}

function cellDetail(row: ReportRow): string {
  const e = row.expectation;
  const o = row.primary;
  const v = row.verdict;
  const evidence = row.observations.flatMap((x) => [...observationFacts(x), ...x.evidence]);
  const warnings = row.observations.flatMap((x) => x.warnings);
  const errors = row.observations.map((x) => x.error).filter((x): x is string => Boolean(x));
  const probes = row.observations.length > 1 ? observationTable(row.observations) : null;
  return dl([
    ['Verdict', `${labelSpan(STATUS_LABELS[v.status])} ${esc(v.explanation)}`],
    ['Caveat', v.caveat ? esc(v.caveat) : null],
    ['Protocol', esc(e?.protocol ?? o?.protocol ?? '?')],
    ['Port', esc(portLabel(e))],
    ['Application', esc(e?.application ?? '')],
    ['Requirement', esc(e ? e.requirement + (e.condition ? `: ${e.condition}` : '') : '')],
    ['State', o ? esc(stateText(o.state)) : 'not probed'],
    ['Reason', o ? esc(o.reason) : null],
    ['RTT', o ? esc(formatRtt(o.rttMs)) : null],
    ['Attempts', o ? esc(o.attempts) : null],
    ['Address', o?.address ? esc(o.address) : null],
    ['Probes', probes],
    ['Evidence', evidence.length ? list(evidence) : null],
    ['Warnings', warnings.length ? list(warnings) : null],
    ['Error', errors.length ? list(errors) : null],
    ['KB footnote', e?.footnote ? esc(e.footnote) : null],
    ['Note', e?.note ? esc(e.note) : null],
    ['KB section', e ? esc(`${e.source.section} (${e.source.table})`) : null],
  ]);
}

function searchText(target: TargetGroup, service: ServiceGroup, row: ReportRow): string {
  const parts = [
    target.target,
    service.service,
    service.serviceName,
    portLabel(row.expectation),
    row.expectation?.application ?? '',
    row.verdict.status,
    ...row.observations.flatMap((o) => [
      observationPortLabel(o),
      o.state,
      o.reason,
      ...observationFacts(o),
      ...o.evidence,
    ]),
  ];
  return [...new Set(parts)].join(' ').toLowerCase();
}

function cell(target: TargetGroup, service: ServiceGroup, row: ReportRow): string {
  const v = row.verdict;
  const status = STATUS_LABELS[v.status];
  const state = row.primary ? STATE_LABELS[row.primary.state] : null;
  // A refused port that passes (pre-deployment, --expect reachable) must not look like a failure.
  const stateTone = v.status === 'pass' ? status.tone : (state?.tone ?? 'muted');
  const summary =
    `<span class="mono">${esc(portLabel(row.expectation))}</span> ` +
    `<span class="t-${stateTone}">${esc(state ? `${state.symbol} ${state.word}` : '- not probed')}</span> ` +
    `<span class="t-${status.tone}" title="${esc(status.word)}">${esc(status.symbol)} ${esc(status.word)}</span>`;
  return (
    `<details class="cell v-${v.status}" data-target="${esc(target.target)}" data-service="${esc(service.service)}"` +
    ` data-status="${v.status}" data-search="${esc(searchText(target, service, row))}">` +
    `<summary>${summary}</summary><div class="detail">${cellDetail(row)}</div></details>`
  );
}

function targetSection(target: TargetGroup, index: number): string {
  const info = target.info;
  const roles = target.verdicts.map(
    (tv) =>
      `<li>role <strong>${esc(tv.role ?? '(none)')}</strong>: ${labelSpan(COMPLIANCE_LABELS[tv.status])} ${esc(tv.summary)}</li>`,
  );
  const rows = target.services.map((s) => {
    const sv = s.verdict;
    return (
      `<tr class="svc" data-service="${esc(s.service)}"><th scope="row">${esc(s.serviceName)} <span class="sid">${esc(s.service)}` +
      `${s.role ? ` · ${esc(s.role)}` : ''}</span></th>` +
      `<td class="svc-status">${sv ? labelSpan(SERVICE_LABELS[sv.status]) : ''}</td>` +
      `<td><div class="cells">${s.rows.map((r) => cell(target, s, r)).join('')}</div></td></tr>`
    );
  });
  const id = `target-${index}`;
  return (
    `<section class="target" data-target="${esc(target.target)}" aria-labelledby="${id}">` +
    `<h3 id="${id}">${esc(target.target)}</h3>` +
    dl(
      [
        ['Addresses', esc(info?.addresses.join(', ') || 'none')],
        ['Origin', info ? esc(info.origin) : null],
        ['Error', info?.error ? `<span class="t-bad">${esc(info.error)}</span>` : null],
      ],
      'meta',
    ) +
    (roles.length ? `<ul>${roles.join('')}</ul>` : '') +
    `<table class="matrix"><caption>Services and ports checked on ${esc(target.target)}; open a port for its details</caption>` +
    '<thead><tr><th scope="col">Service</th><th scope="col">Status</th><th scope="col">Ports</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table></section>`
  );
}

const SERVICE_RANK: Record<ServiceStatus, number> = { broken: 0, inconclusive: 1, degraded: 2, absent: 3, ok: 4 };

function blockedSection(groups: TargetGroup[]): string {
  const parts: string[] = [];
  let blocked = 0;
  for (const target of groups) {
    const failed = target.services
      .filter((s) => s.verdict && s.verdict.status !== 'ok' && s.verdict.status !== 'absent')
      .sort((a, b) => SERVICE_RANK[a.verdict?.status ?? 'ok'] - SERVICE_RANK[b.verdict?.status ?? 'ok']);
    // Optional services that are not installed: a notice under the target, never a blocked finding.
    const absent = target.services.flatMap((s) => (s.verdict?.status === 'absent' ? [s.verdict] : []));
    if (failed.length === 0 && absent.length === 0) continue;
    blocked += failed.length;
    parts.push(`<h3>${esc(target.target)}</h3>`);
    if (absent.length) {
      parts.push(
        `<ul class="absent">${absent.map((v) => `<li>${labelSpan(SERVICE_LABELS.absent)} ${esc(v.explanations[0] ?? v.serviceName)}</li>`).join('')}</ul>`,
      );
    }
    for (const s of failed) {
      const sv = s.verdict;
      if (!sv) continue;
      const rows = s.rows
        .filter((r) => r.verdict.status === 'fail' || r.verdict.status === 'inconclusive')
        .sort((a, b) => requirementRank(a) - requirementRank(b))
        .map(
          (r) =>
            `<li><span class="mono">${esc(portLabel(r.expectation))}</span> ${esc(r.expectation?.requirement ?? '')}: ` +
            `${labelSpan(STATUS_LABELS[r.verdict.status])} ${esc(r.verdict.explanation)}</li>`,
        );
      parts.push(
        `<article class="blocked s-${sv.status}"><h4>${esc(s.serviceName)} ${labelSpan(SERVICE_LABELS[sv.status])}</h4>` +
          `<ol class="explain">${sv.explanations.map((x) => `<li>${esc(x)}</li>`).join('')}</ol>` +
          (rows.length ? `<ul>${rows.join('')}</ul>` : '') +
          '</article>',
      );
    }
  }
  const body = (blocked ? '' : '<p class="empty">Nothing is blocked.</p>') + parts.join('');
  return `<section id="blocked" aria-labelledby="h-blocked"><h2 id="h-blocked">What is blocked and why</h2>${body}</section>`;
}

function changesSection(changes: NonNullable<RunResult['changes']>): string {
  const head = `<h2 id="h-changes">Changed since the last run (${esc(changes.since)}, ${esc(changes.sinceStatus)})</h2>`;
  if (changes.items.length === 0) {
    return `<section id="changes" aria-labelledby="h-changes">${head}<p class="empty">Nothing changed.</p></section>`;
  }
  const rows = changes.items
    .map(
      (c) =>
        `<tr><td>${esc(c.kind)}</td><td>${esc(c.target)}</td><td>${esc(c.service)}</td>` +
        `<td>${esc(c.before ?? '\u2013')} \u2192 ${esc(c.after ?? '\u2013')}</td><td>${esc(c.explanation)}</td></tr>`,
    )
    .join('');
  return (
    `<section id="changes" aria-labelledby="h-changes">${head}<table><caption>Expectations whose verdict changed</caption>` +
    '<thead><tr><th scope="col">Change</th><th scope="col">Target</th><th scope="col">Service</th>' +
    `<th scope="col">Verdict</th><th scope="col">Explanation</th></tr></thead><tbody>${rows}</tbody></table></section>`
  );
}

function remediationSection(result: RunResult, items: RemediationItem[]): string {
  const head = '<h2 id="h-remediation">Remediation</h2>';
  if (items.length === 0) {
    return `<section id="remediation" aria-labelledby="h-remediation">${head}<p class="empty">No failed rows: nothing to open.</p></section>`;
  }
  const byTarget = new Map<string, RemediationItem[]>();
  for (const item of items) byTarget.set(item.target, [...(byTarget.get(item.target) ?? []), item]);
  const scripts = [...byTarget].map(([target, list]) => {
    const lines = list.map(
      (i) => i.powershell ?? `# ${i.port}: no Windows Firewall rule applies; open it on the path.`,
    );
    return `<h3>Windows Firewall on ${esc(target)}</h3><pre><code>${esc(lines.join('\n'))}</code></pre>`;
  });
  const rows = items
    .map(
      (i) =>
        `<tr><td>${esc(result.run.source.addresses.join(', ') || 'source')}</td><td>${esc(i.target)}` +
        `${i.targetAddresses.length ? ` <span class="sid">${esc(i.targetAddresses.join(', '))}</span>` : ''}</td>` +
        `<td class="mono">${esc(i.port)}</td><td>${esc(i.serviceName)}</td><td>${esc(i.requirement)}</td>` +
        `<td>${esc(i.observed)}</td><td class="mono">${esc(i.neutral)}</td></tr>`,
    )
    .join('');
  return (
    `<section id="remediation" aria-labelledby="h-remediation">${head}<p class="warning" role="note">${esc(REVIEW_WARNING)}</p>` +
    '<p>A <em>closed</em> port was refused by the host: start the service first; a firewall rule only helps when a host firewall rejects it.</p>' +
    scripts.join('') +
    '<table><caption>Allow rules for any firewall (source to target)</caption><thead><tr>' +
    '<th scope="col">Source</th><th scope="col">Target</th><th scope="col">Port</th><th scope="col">Service</th>' +
    '<th scope="col">Requirement</th><th scope="col">Observed</th><th scope="col">Rule</th>' +
    `</tr></thead><tbody>${rows}</tbody></table></section>`
  );
}

function legendSection(): string {
  const rows = Object.values(STATE_LABELS)
    .map(
      (l) =>
        `<tr><th scope="row" class="t-${l.tone}">${esc(`${l.symbol} ${l.word}`)}</th><td>${esc(l.portqry)}</td><td>${esc(l.meaning)}</td></tr>`,
    )
    .join('');
  const verdicts = Object.values(STATUS_LABELS).map(labelSpan).join(' · ');
  return (
    '<section id="legend" aria-labelledby="h-legend"><h2 id="h-legend">Legend</h2>' +
    '<table><caption>Probe states and the words PortQry uses for them</caption><thead><tr>' +
    '<th scope="col">State</th><th scope="col">PortQry</th><th scope="col">Meaning</th></tr></thead>' +
    `<tbody>${rows}</tbody></table><p>Verdicts: ${verdicts}</p></section>`
  );
}

function header(result: RunResult, groups: TargetGroup[]): string {
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
        ['Source host', esc(run.source.hostname)],
        ['Source addresses', esc(run.source.addresses.join(', ') || 'unknown')],
        ['Bound to', run.source.bind ? esc(run.source.bind) : null],
        ['Started', esc(run.startedAt)],
        ['Duration', esc(formatDuration(run.durationMs))],
        ['Tool', esc(`${result.tool.name} ${result.tool.version}`)],
        ['Catalog digest', `<code>${esc(result.catalog.digest)}</code>`],
        ['Catalog sources', esc(result.catalog.sources.join(', '))],
        ['Mode', esc(`expect ${run.options.expect}, RPC ${run.options.profile} (${run.options.rpcMode})`)],
        ['Roles', esc(roles.join(', ') || 'none')],
        ['Targets', esc(groups.map((g) => g.target).join(', '))],
        ['Command line', `<code>${esc(commandLineText(run.commandLine))}</code>`],
        ['Notes', run.notes.length ? list(run.notes) : null],
      ],
      'meta',
    ) +
    '</header>'
  );
}

function filters(groups: TargetGroup[]): string {
  const services = new Map<string, string>();
  for (const g of groups) for (const s of g.services) services.set(s.service, s.serviceName);
  const targetOptions = groups.map((g) => `<option value="${esc(g.target)}">${esc(g.target)}</option>`).join('');
  const serviceOptions = [...services]
    .map(([id, name]) => `<option value="${esc(id)}">${esc(name)} (${esc(id)})</option>`)
    .join('');
  return (
    '<nav class="filters" id="filters" aria-label="Filters" hidden>' +
    '<label><input type="checkbox" id="f-fail"> Failures only</label>' +
    `<label>Target <select id="f-target"><option value="">all</option>${targetOptions}</select></label>` +
    `<label>Service <select id="f-service"><option value="">all</option>${serviceOptions}</select></label>` +
    '<label>Search <input type="search" id="f-search" placeholder="port, service, evidence"></label>' +
    '<output id="f-count" aria-live="polite"></output><span id="f-none" class="empty" hidden>No port matches the filters.</span>' +
    '</nav>'
  );
}

/** What the embedded data block carries: the run's metadata and verdict summary, for tools that scrape reports. */
function embedded(result: RunResult): unknown {
  return {
    schemaVersion: result.schemaVersion,
    tool: result.tool,
    catalog: result.catalog,
    run: result.run,
    summary: result.summary,
    targets: result.verdicts.targets,
  };
}

export function renderHtml(result: RunResult, opts: RenderOptions = {}): string {
  const now = opts.now ?? new Date();
  const groups = groupResult(result);
  const overall = COMPLIANCE_LABELS[result.summary.status];
  const title = `portolan: ${badge(overall)}, ${groups.length} target(s), ${result.run.startedAt}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head><body>',
    header(result, groups),
    filters(groups),
    '<main>',
    `<section aria-labelledby="h-results"><h2 id="h-results">Results by target</h2>${groups.map(targetSection).join('')}</section>`,
    ...(result.changes ? [changesSection(result.changes)] : []),
    blockedSection(groups),
    remediationSection(result, remediationItems(result, groups)),
    legendSection(),
    '</main>',
    `<footer>Rendered ${esc(now.toISOString())} by ${esc(`${result.tool.name} ${result.tool.version}`)} from result schema v${esc(result.schemaVersion)}; ` +
      `catalog <code>${esc(result.catalog.digest)}</code>. Re-render with <code>portolan report RESULT.json --format html</code>.</footer>`,
    `<script type="application/json" id="portolan-result">${jsonForScript(embedded(result))}</script>`,
    `<script>${HTML_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
