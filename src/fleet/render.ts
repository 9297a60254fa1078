/**
 * The fleet view as a terminal table, Markdown or JSON (HTML: html.ts, JUnit: junit.ts). Every name in it (sources, labels,
 * targets, run origins) is operator or network text: each passes through the escape of its
 * format (report/escape.ts) and nothing else.
 */

import { escapeMarkdownCell, oneLine } from '../report/escape.js';
import { formatColumns } from '../text-columns.js';
import { fleetCauseSubject } from './describe-fleet.js';
import { fleetHtml } from './html.js';
import { fleetJunit } from './junit.js';
import type { FleetCell, FleetSuspect, FleetView } from './types.js';

export const FLEET_FORMATS = ['table', 'md', 'json', 'html', 'junit'] as const;
export type FleetFormat = (typeof FLEET_FORMATS)[number];

export function isFleetFormat(value: string): value is FleetFormat {
  return (FLEET_FORMATS as readonly string[]).includes(value);
}

/** Blocked ports shown in one cell before "+N". */
const PORTS_PER_CELL = 3;

const SUSPECT_WORDS: Record<FleetSuspect, string> = {
  path: 'path from some sources',
  target: 'the target itself',
  undecided: 'one source only: undecided',
};

export function renderFleet(view: FleetView, format: FleetFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(view, null, 2)}\n`;
    case 'md':
      return fleetMarkdown(view);
    case 'html':
      return fleetHtml(view);
    case 'junit':
      return fleetJunit(view);
    default:
      return fleetTable(view);
  }
}

/** "NON-COMPLIANT 88/udp 464/tcp +2", "compliant", "unresolved", "-" (not probed from there). */
function cellText(cell: FleetCell | undefined): string {
  if (!cell) return '-';
  if (cell.error !== null) return 'unresolved';
  const ports = cell.causes.filter((c) => c.severity === 'outage' || c.severity === 'inconclusive').map((c) => c.port);
  const shown = ports.slice(0, PORTS_PER_CELL).join(' ');
  const more = ports.length > PORTS_PER_CELL ? ` +${ports.length - PORTS_PER_CELL}` : '';
  const status = cell.status === 'compliant' ? 'compliant' : cell.status.toUpperCase();
  return `${status}${shown ? ` ${shown}${more}` : ''}`;
}

function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function cellAt(view: FleetView): (source: string, target: string) => FleetCell | undefined {
  const cells = new Map(view.cells.map((c) => [`${c.source}\u0000${c.target}`, c]));
  return (source, target) => cells.get(`${source}\u0000${target}`);
}

function fleetTable(view: FleetView): string {
  const at = cellAt(view);
  const lines = [oneLine(`FLEET ${view.summary.status.toUpperCase()}: ${view.summary.headline}`), ''];
  const rows = view.sources.map((s) => [
    oneLine(s.name),
    oneLine(labelsText(s.labels)),
    ...view.targets.map((t) => oneLine(cellText(at(s.name, t)))),
  ]);
  lines.push(formatColumns(['SOURCE', 'LABELS', ...view.targets.map(oneLine)], rows));
  if (view.causes.length) {
    lines.push('', 'Root causes across the fleet:');
    view.causes.forEach((c, i) => {
      lines.push(oneLine(`${i + 1}. [${c.severity}; ${SUSPECT_WORDS[c.suspect]}] ${c.explanation}`));
    });
  }
  if (view.noteText.length) {
    lines.push('', 'Notes:');
    for (const n of view.noteText) lines.push(oneLine(`- ${n}`));
  }
  lines.push('', `"-": not probed from that source. Cells list the ports of their root causes.`);
  return `${lines.join('\n')}\n`;
}

function mdRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function fleetMarkdown(view: FleetView): string {
  const at = cellAt(view);
  const md = (v: unknown) => escapeMarkdownCell(v);
  const out = [
    '# portolan fleet matrix',
    '',
    `**${md(view.summary.status.toUpperCase())}**: ${md(view.summary.headline)}`,
    '',
    mdRow(['Source', 'Labels', ...view.targets.map(md)]),
    mdRow(['---', '---', ...view.targets.map(() => '---')]),
    ...view.sources.map((s) =>
      mdRow([md(s.name), md(labelsText(s.labels)), ...view.targets.map((t) => md(cellText(at(s.name, t))))]),
    ),
    '',
  ];
  if (view.causes.length) {
    out.push(
      '## Root causes across the fleet',
      '',
      mdRow(['#', 'Severity', 'Where to look', 'What', 'Failing from', 'Reached from', 'Explanation']),
      mdRow(['---', '---', '---', '---', '---', '---', '---']),
      ...view.causes.map((c, i) =>
        mdRow([
          String(i + 1),
          c.severity,
          SUSPECT_WORDS[c.suspect],
          md(fleetCauseSubject(c)),
          md([...c.failing, ...c.unsure].join(', ')),
          md(c.clear.join(', ')),
          md(c.explanation),
        ]),
      ),
      '',
    );
  }
  const failing = view.cells.filter((c) => c.status !== 'compliant');
  if (failing.length) {
    out.push(
      '## Failing cells',
      '',
      mdRow(['Source', 'Target', 'Status', 'Port', 'State', 'Breaks']),
      mdRow(['---', '---', '---', '---', '---', '---']),
    );
    for (const cell of failing) {
      const causes = cell.causes.filter((c) => c.severity === 'outage' || c.severity === 'inconclusive');
      if (causes.length === 0)
        out.push(mdRow([md(cell.source), md(cell.target), cell.status, md(cell.error ?? ''), '', '']));
      for (const c of causes) {
        out.push(
          mdRow([
            md(cell.source),
            md(cell.target),
            cell.status,
            md(c.port),
            md(c.state ?? c.host ?? ''),
            md(c.services.join(', ')),
          ]),
        );
      }
    }
    out.push('');
  }
  if (view.noteText.length) out.push('## Notes', '', ...view.noteText.map((n) => `- ${md(n)}`), '');
  out.push(
    '## Runs',
    '',
    mdRow(['Source', 'From', 'Started', 'Shard', 'Version']),
    mdRow(['---', '---', '---', '---', '---']),
    ...view.sources.flatMap((s) =>
      s.runs.map((r) => mdRow([md(s.name), md(r.origin), md(r.startedAt), md(r.shard ?? ''), md(r.toolVersion)])),
    ),
    '',
  );
  return out.join('\n');
}
