/**
 * The fleet view as one offline HTML page: the matrix (sources as rows, targets as columns,
 * each failing cell opening onto that source's blocked ports and what they break), the root
 * causes across the fleet, the notes and the runs merged. No script; every name and word
 * from a result passes through `escapeHtml`, and the page carries the reports' CSP.
 */
import { escapeHtml as esc } from '../report/escape.js';
import { CSP } from '../report/html.js';
import { HTML_STYLE, htmlPageStart } from '../report/html-assets.js';
import { fleetCauseSubject } from './describe-fleet.js';
import type { FleetCell, FleetSuspect, FleetView } from './types.js';

const FLEET_STYLE = `
table.matrix { border-collapse: collapse; margin: 8px 0; }
table.matrix th, table.matrix td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; text-align: left; }
table.matrix td details summary { cursor: pointer; }
table.matrix td ul { margin: 4px 0 0; padding-left: 18px; }
`;

const SUSPECT_WORDS: Record<FleetSuspect, string> = {
  path: 'the path from some sources',
  target: 'the target itself',
  undecided: 'undecided (one source only)',
};

function tone(status: string): string {
  return status === 'compliant' ? 'good' : status === 'non-compliant' ? 'bad' : 'warn';
}

function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** A matrix cell: its status, and for a failing one a drill-down to the source's blocked ports. */
function cellHtml(cell: FleetCell | undefined): string {
  if (!cell) return '<td class="t-muted" title="not probed from this source">-</td>';
  const status = cell.status.toUpperCase();
  if (cell.error !== null) return `<td class="t-warn">unresolved: ${esc(cell.error)}</td>`;
  const causes = cell.causes.filter((c) => c.severity === 'outage' || c.severity === 'inconclusive');
  if (cell.status === 'compliant' && causes.length === 0) return '<td class="t-good">compliant</td>';
  const items = causes.map(
    (c) =>
      `<li><span class="mono">${esc(c.port)}</span> ${esc(c.state ?? c.host ?? '')}: ${esc(c.severity)}` +
      `${c.services.length ? `; breaks ${esc(c.services.join(', '))}` : ''}</li>`,
  );
  const ports = causes.map((c) => c.port).join(' ');
  return (
    `<td class="t-${tone(cell.status)}"><details><summary>${esc(status)}${ports ? ` ${esc(ports)}` : ''}</summary>` +
    `<ul>${items.join('')}</ul></details></td>`
  );
}

export function fleetHtml(view: FleetView): string {
  const cells = new Map(view.cells.map((c) => [`${c.source}\u0000${c.target}`, c]));
  const { summary } = view;
  const rows = view.sources.map(
    (s) =>
      `<tr><th scope="row">${esc(s.name)}</th><td>${esc(labelsText(s.labels))}</td>` +
      `${view.targets.map((t) => cellHtml(cells.get(`${s.name}\u0000${t}`))).join('')}</tr>`,
  );
  const causes = view.causes.map(
    (c) =>
      `<li><strong>${esc(fleetCauseSubject(c))}</strong> <span class="t-${c.severity === 'outage' ? 'bad' : 'warn'}">${esc(c.severity)}</span>, ` +
      `look at ${esc(SUSPECT_WORDS[c.suspect])}: ${esc(c.explanation)}</li>`,
  );
  const runs = view.sources.flatMap((s) =>
    s.runs.map(
      (r) =>
        `<tr><td>${esc(s.name)}</td><td class="mono">${esc(r.origin)}</td><td>${esc(r.startedAt)}</td>` +
        `<td>${esc(r.shard ?? '')}</td><td>${esc(r.toolVersion)}</td></tr>`,
    ),
  );
  return [
    ...htmlPageStart(CSP),
    '<title>portolan fleet matrix</title>',
    `<style>${HTML_STYLE}${FLEET_STYLE}</style></head><body>`,
    `<header class="verdict tone-${tone(summary.status)}"><h1>portolan fleet matrix</h1>`,
    `<p class="overall"><span class="badge">${esc(summary.status.toUpperCase())}</span> ${esc(summary.headline)}</p></header>`,
    '<main>',
    '<h2>Matrix</h2>',
    '<p class="t-muted">Rows are vantage points, columns targets; open a failing cell for its blocked ports. "-": not probed from that source.</p>',
    `<table class="matrix"><thead><tr><th scope="col">Source</th><th scope="col">Labels</th>${view.targets.map((t) => `<th scope="col">${esc(t)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.join('\n')}</tbody></table>`,
    ...(causes.length ? ['<h2>Root causes across the fleet</h2>', `<ol>${causes.join('\n')}</ol>`] : []),
    ...(view.noteText.length
      ? ['<h2>Notes</h2>', `<ul>${view.noteText.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`]
      : []),
    '<h2>Runs merged</h2>',
    `<table class="matrix"><thead><tr><th>Source</th><th>From</th><th>Started</th><th>Shard</th><th>Version</th></tr></thead><tbody>${runs.join('\n')}</tbody></table>`,
    `</main><footer><p class="t-muted">${esc(`${view.tool.name} ${view.tool.version}`)}</p></footer></body></html>`,
    '',
  ].join('\n');
}
