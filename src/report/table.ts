/**
 * The terminal report. By default: the verdict, the root causes (what to fix, per target),
 * the inconclusive points, waived findings and the notices (optional parts, never outages),
 * then the targets, named conditions, notes and caveats once each. `verbose` adds every row,
 * target -> service -> port. Lines are at most 100 columns; columns never move (long names
 * are cut with "…"); states always carry a word and a symbol so a pipe or a printout reads the
 * same; colour only when asked (the CLI decides from TTY and NO_COLOR).
 */
import { namesList } from '../analyze/describe.js';
import { formatDuration } from '../duration.js';
import type { ProbeState, RunResult } from '../model.js';
import { oneLine } from './escape.js';
import {
  absentNames,
  caveatsOf,
  type Finding,
  type Findings,
  noticeLines,
  readFindings,
  switchesOf,
} from './findings.js';
import {
  badge,
  COMPLIANCE_LABELS,
  type Label,
  SERVICE_LABELS,
  STATE_LABELS,
  STATUS_LABELS,
  type Tone,
} from './labels.js';
import { remediationScripts } from './remediation.js';
import {
  commandLineText,
  formatRtt,
  groupResult,
  isPreDeployment,
  observationPortLabel,
  portLabel,
  type ReportRow,
  sourceText,
  type TargetGroup,
} from './rows.js';
import { cell, clip, LINE_WIDTH, wrap } from './text-layout.js';
import type { RenderOptions, ReportOmissions } from './types.js';

const ANSI: Record<Tone, string> = { good: '\x1b[32m', bad: '\x1b[31m', warn: '\x1b[33m', muted: '\x1b[2m' };
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

type Paint = (text: string, tone: Tone | 'bold') => string;

function painter(color: boolean): Paint {
  if (!color) return (text) => text;
  return (text, tone) => `${tone === 'bold' ? BOLD : ANSI[tone]}${text}${RESET}`;
}

/** Finding columns: symbol, port, state, requirement, then the application in what is left. */
const F = { port: 17, state: 17, requirement: 13 };
const F_APP = LINE_WIDTH - 6 - F.port - F.state - F.requirement;
/** Every-row columns (verbose). */
const R = { port: 16, app: 24, state: 16, rtt: 7, requirement: 12 };
/** More non-compliant targets than this are counted, not listed, in the targets section. */
const TARGETS_LISTED = 20;

function shortState(state: ProbeState | null): string {
  if (!state) return '- not probed';
  const l = STATE_LABELS[state];
  return `${l.symbol} ${l.word}`;
}

function labelled(paint: Paint, label: Label): string {
  return paint(badge(label), label.tone);
}

function header(result: RunResult): string[] {
  const { run } = result;
  const src = run.source;
  const options = run.options;
  const lines = [
    ...wrap(
      `portolan ${oneLine(result.tool.version)} from ${oneLine(sourceText(src))}, ` +
        `${oneLine(run.startedAt)}, ${formatDuration(run.durationMs)}`,
      0,
    ),
    ...wrap(`command: ${oneLine(commandLineText(run.commandLine))}`, 0),
    clip(
      `catalog ${oneLine(result.catalog.digest.slice(0, 23))}…; expect ${options.expect}; RPC ${options.rpcRange ? oneLine(options.rpcRange) : options.profile} (${options.rpcMode})`,
      LINE_WIDTH,
    ),
  ];
  const { on, off } = switchesOf(result);
  if (on.length || off.length) {
    lines.push(
      ...wrap(
        `named conditions on: ${on.join(', ') || 'none'}${off.length ? `; off: ${off.join(', ')} (turn one on with --with NAME)` : ''}`,
        2,
      ).map((l, i) => (i === 0 ? l.trimStart() : l)),
    );
  }
  if (isPreDeployment(result)) {
    lines.push('PRE-DEPLOYMENT CHECK: ports are tested for reachability; the services need not be installed yet.');
  }
  if (run.incomplete)
    lines.push(clip(`INCOMPLETE RUN: ${oneLine(run.incompleteReason ?? 'stopped early')}`, LINE_WIDTH));
  return lines;
}

function verdictLines(result: RunResult, paint: Paint): string[] {
  const s = result.summary;
  const label = COMPLIANCE_LABELS[s.status];
  const head = wrap(`${badge(label)}  ${oneLine(s.headline)}`, 2);
  head[0] = (head[0] as string).trimStart().replace(badge(label), labelled(paint, label));
  const c = s.counts;
  return [
    ...head,
    `  ${c.pass} pass, ${c.fail} fail, ${c.inconclusive} inconclusive, ${c.waived} waived, ${c.untestable} untestable (exit ${s.exitCode})`,
  ];
}

/** The target line a block of findings sits under. */
function targetTitle(result: RunResult, target: string, paint: Paint): string {
  const info = result.targets.find((t) => t.name === target);
  const shown = info?.addresses.filter((a) => a !== target) ?? [];
  const addresses = shown.length ? ` (${shown.join(', ')})` : '';
  return paint(clip(`${oneLine(target)}${oneLine(addresses)}`, LINE_WIDTH - 2), 'bold');
}

/** One finding: a row of columns, then what came back, what it breaks and its evidence. */
function findingLines(f: Finding, paint: Paint, symbol: Label): string[] {
  const c = f.cause;
  const state = c.scope === 'host' ? (c.host ?? '') : shortState(c.state);
  const tone = c.state ? STATE_LABELS[c.state].tone : 'muted';
  const lines = [
    `    ${paint(symbol.symbol, symbol.tone)} ${cell(f.port, F.port)}${paint(cell(state, F.state), tone)}` +
      `${cell(c.requirement, F.requirement)}${clip(oneLine(f.application), F_APP)}`.trimEnd(),
  ];
  const detail = (text: string) => lines.push(...wrap(oneLine(text), 8));
  if (c.scope === 'host' || c.exposed || c.severity !== 'outage') {
    // The explanation says what came back and what it means, in one sentence.
    detail(c.explanation);
  } else {
    detail(
      f.rangePorts.length
        ? `${f.rangePorts.length} of ${f.observations.length} ports: ${f.rangePorts.slice(0, 4).join(', ')}${f.rangePorts.length > 4 ? ', …' : ''}`
        : f.reason,
    );
    detail(
      `breaks ${namesList(f.breaks, 6)}${f.optional.length ? `; optional here: ${namesList(f.optional, 3)}` : ''}`,
    );
    if (c.state === 'closed')
      detail(
        'refused by the host: start the service there first; a firewall rule helps only if a host firewall resets',
      );
  }
  for (const e of f.evidence.slice(0, 2)) lines.push(`        ${clip(`evidence: ${oneLine(e)}`, LINE_WIDTH - 8)}`);
  return lines;
}

/** Findings grouped under their target, targets in the run's order. */
/** Findings under their targets; a large run's view (`bounded`) lists the first TARGETS_LISTED targets. */
function perTarget(result: RunResult, list: Finding[], paint: Paint, symbol: Label, bounded: boolean): string[] {
  const out: string[] = [];
  const targets = [...new Set(list.map((f) => f.cause.target))];
  const shown = bounded ? targets.slice(0, TARGETS_LISTED) : targets;
  for (const target of shown) {
    out.push(`  ${targetTitle(result, target, paint)}`);
    for (const f of list.filter((x) => x.cause.target === target)) out.push(...findingLines(f, paint, symbol));
  }
  if (shown.length < targets.length) {
    out.push(`  … and ${targets.length - shown.length} more targets; the HTML report lists them`);
  }
  return out;
}

/** What a large run's table leaves to the other reports. */
function viewLines(o: ReportOmissions): string[] {
  const more = o.summarisedFailing
    ? `; ${o.summarisedFailing} more failing or inconclusive targets by verdict only`
    : '';
  return wrap(
    `A LARGE RUN: root causes of the first ${o.detailed.length} failing or inconclusive targets to finish${more}. ` +
      `${o.rows} rows and ${o.rootCauses} root causes not kept here are in the JSON result.`,
    2,
  ).map((l, i) => (i === 0 ? l.trimStart() : l));
}

function section(title: string, body: string[]): string[] {
  return body.length ? ['', title, ...body] : [];
}

function countOf(list: Finding[]): string {
  const targets = new Set(list.map((f) => f.cause.target)).size;
  return `${list.length} on ${targets} target${targets === 1 ? '' : 's'}`;
}

/** Notices, one line per (port, state) across targets; optional services not installed last, one line. */
function noticeBlock(findings: Findings, paint: Paint): string[] {
  const out: string[] = [];
  for (const { finding: f, where, about } of noticeLines(findings.notices)) {
    const c = f.cause;
    const symbol = c.state === 'untestable' ? STATUS_LABELS.untestable : SERVICE_LABELS.degraded;
    out.push(
      `    ${paint(symbol.symbol, symbol.tone)} ${cell(f.port, F.port)}${paint(cell(shortState(c.state), F.state), 'muted')}` +
        `${cell(c.requirement, F.requirement)}${clip(oneLine(f.application), F_APP)}`.trimEnd(),
    );
    out.push(...wrap(oneLine(`on ${where}: ${about}`), 8));
  }
  if (findings.absent.length) {
    const label = SERVICE_LABELS.absent;
    const lines = wrap(
      oneLine(
        `${label.symbol} not installed (optional; every port refused, which a rejecting firewall also does): ${absentNames(findings.absent).join(', ')}`,
      ),
      4,
    );
    lines[0] = `  ${(lines[0] as string).trimStart().replace(label.symbol, paint(label.symbol, label.tone))}`;
    out.push(...lines);
  }
  return out;
}

function targetLines(result: RunResult, findings: Findings, paint: Paint): string[] {
  const verdicts = result.verdicts.targets;
  if (verdicts.length <= 1 && result.targets.every((t) => !t.error)) return [];
  const count = (s: string) => verdicts.filter((v) => v.status === s).length;
  const lines = [
    `TARGETS: ${result.targets.length} (${count('non-compliant')} non-compliant, ${count('inconclusive')} inconclusive, ${count('compliant')} compliant)`,
  ];
  const notOk = verdicts.filter((v) => v.status !== 'compliant');
  const shown = result.targets.length <= TARGETS_LISTED ? verdicts : notOk.slice(0, TARGETS_LISTED);
  for (const v of shown) {
    const label = COMPLIANCE_LABELS[v.status];
    const causes = [...findings.outages, ...findings.inconclusive].filter((f) => f.cause.target === v.target).length;
    lines.push(
      `  ${paint(label.symbol, label.tone)} ${cell(oneLine(v.target), 40)}${cell(oneLine(v.role ?? '-'), 24)}` +
        `${causes ? `${causes} root cause${causes === 1 ? '' : 's'}` : label.word}`,
    );
  }
  const hidden = verdicts.length - shown.length;
  if (hidden > 0)
    lines.push(`  … and ${hidden} more (${count('compliant')} compliant); --verbose or the HTML report lists them all`);
  return lines;
}

function closingLines(result: RunResult, findings: Findings): string[] {
  const out: string[] = [];
  const scripts = remediationScripts(result, findings);
  if (scripts.length) {
    const rules = scripts.reduce((n, s) => n + s.rules.length, 0);
    out.push(
      '',
      ...wrap(
        `REMEDIATION: ${rules} allow rule${rules === 1 ? '' : 's'} on ${scripts.length} target${scripts.length === 1 ? '' : 's'}, ` +
          'as PowerShell and nftables scripts in the HTML and Markdown reports; they open ports, review them first.',
        2,
      ).map((l, i) => (i === 0 ? l.trimStart() : l)),
    );
  }
  if (result.run.notes.length) {
    out.push('', 'NOTES');
    for (const note of result.run.notes)
      out.push(...wrap(`- ${oneLine(note)}`, 4).map((l, i) => (i === 0 ? `  ${l.trimStart()}` : l)));
  }
  const caveats = caveatsOf(result);
  if (caveats.length) {
    out.push('', 'CAVEATS (said once; the rows are in --verbose)');
    for (const c of caveats) {
      const rows = `${c.rows} row${c.rows === 1 ? '' : 's'}`;
      out.push(...wrap(`- ${rows}: ${oneLine(c.text)}`, 4).map((l, i) => (i === 0 ? `  ${l.trimStart()}` : l)));
    }
  }
  return out;
}

/** The states with PortQry's words, two to a line so no pair is split. */
function legend(): string[] {
  const states = Object.values(STATE_LABELS)
    .filter((l) => l.portqry !== '-')
    .map((l) => `${l.symbol} ${l.word} = ${l.portqry}`);
  const lines = ["States (PortQry's words):"];
  for (let i = 0; i < states.length; i += 2) lines.push(`  ${states.slice(i, i + 2).join(', ')}`);
  return lines;
}

/** Every row, target -> service -> port; a range's sampled ports listed the first time per target only. */
function everyRow(result: RunResult, paint: Paint): string[] {
  const out = ['', 'EVERY ROW'];
  for (const target of groupResult(result)) {
    out.push(`  ${targetTitle(result, target.target, paint)}`);
    if (target.info?.error) out.push(...wrap(`! ${oneLine(target.info.error)}`, 4));
    const listedRanges = new Set<string>();
    for (const service of target.services) {
      const sv = service.verdict;
      const status = sv ? ` ${labelled(paint, SERVICE_LABELS[sv.status])}` : '';
      out.push(`    ${clip(`${oneLine(service.serviceName)} (${oneLine(service.service)})`, 70)}${status}`);
      for (const row of service.rows) out.push(...rowLines(target, row, paint, listedRanges));
    }
  }
  return out;
}

function rowLines(target: TargetGroup, row: ReportRow, paint: Paint, listedRanges: Set<string>): string[] {
  const v = row.verdict;
  const status = STATUS_LABELS[v.status];
  const o = row.primary;
  const e = row.expectation;
  const lines = [
    `      ${cell(portLabel(e), R.port)}${cell(oneLine(e?.application ?? v.expectation), R.app)}` +
      paint(cell(shortState(o?.state ?? null), R.state), o ? STATE_LABELS[o.state].tone : 'muted') +
      `${cell(formatRtt(o?.rttMs), R.rtt)}${cell(e?.requirement ?? '', R.requirement)}${paint(badge(status), status.tone)}`,
  ];
  if (row.observations.length > 1) {
    const key = row.observations.map((x) => `${x.address} ${observationPortLabel(x)}`).join(',');
    if (listedRanges.has(key)) {
      lines.push(`        (the same ${row.observations.length} ports as above on ${target.target})`);
    } else {
      listedRanges.add(key);
      const ports = row.observations.map((x) => `${observationPortLabel(x)} ${STATE_LABELS[x.state].symbol}`);
      lines.push(...wrap(ports.join('  '), 8));
    }
  }
  if (v.status !== 'pass') lines.push(...wrap(`→ ${oneLine(v.explanation)}`, 8));
  else if (o?.evidence[0]) lines.push(`        ${clip(`evidence: ${oneLine(o.evidence[0])}`, LINE_WIDTH - 8)}`);
  return lines;
}

export function renderTable(result: RunResult, opts: RenderOptions = {}): string {
  const paint = painter(opts.color === true);
  const findings = readFindings(result);
  const rowCount = result.verdicts.expectations.length;
  const bounded = opts.omitted !== undefined;
  const out = [
    ...header(result),
    '',
    ...verdictLines(result, paint),
    ...section(
      `ROOT CAUSES (what to fix): ${countOf(findings.outages)}`,
      perTarget(result, findings.outages, paint, STATUS_LABELS.fail, bounded),
    ),
    ...section(
      `INCONCLUSIVE (no definite answer): ${countOf(findings.inconclusive)}`,
      perTarget(result, findings.inconclusive, paint, STATUS_LABELS.inconclusive, bounded),
    ),
    ...section(
      `WAIVED: ${countOf(findings.waived)}`,
      perTarget(result, findings.waived, paint, STATUS_LABELS.waived, bounded),
    ),
    ...section('NOTICES (optional parts, never outages)', noticeBlock(findings, paint)),
  ];
  const targets = targetLines(result, findings, paint);
  if (targets.length) out.push('', ...targets);
  if (opts.omitted) out.push('', ...viewLines(opts.omitted));
  out.push(...closingLines(result, findings));
  if (opts.verbose) out.push(...everyRow(result, paint));
  out.push('', ...legend());
  if (!opts.verbose) {
    out.push(
      bounded
        ? `Rows kept (${rowCount}): --verbose; every row is in the JSON result.`
        : `Every row (${rowCount}): --verbose.`,
    );
  }
  const s = result.summary;
  const label = COMPLIANCE_LABELS[s.status];
  out.push(`${labelled(paint, label)} (exit ${s.exitCode})`);
  return `${out.join('\n')}\n`;
}
