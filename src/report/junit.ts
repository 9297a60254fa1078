/**
 * JUnit XML for CI (GitHub Actions, GitLab, Jenkins, Azure DevOps): one <testsuite> per target
 * and role, one <testcase> per expectation verdict. fail -> <failure>, inconclusive and waived
 * -> <skipped> with the reason, untestable -> <skipped>. Follows the Ant/Jenkins junit-10 layout.
 */
import { observationFacts } from '../analyze/describe.js';
import type { RunResult, TargetVerdict } from '../model.js';
import { escapeXml as attr, escapeXmlText as text } from './escape.js';
import { stateText } from './labels.js';
import {
  commandLineText,
  groupResult,
  observationPortLabel,
  portLabel,
  type ReportRow,
  type TargetGroup,
} from './rows.js';
import type { RenderOptions } from './types.js';

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function rowSeconds(row: ReportRow): string {
  return seconds(row.observations.reduce((sum, o) => sum + (o.rttMs ?? 0), 0));
}

/** The failure body: what was probed and what came back, one fact a line. */
function details(row: ReportRow, chain: string[]): string {
  const lines = [row.verdict.explanation];
  if (row.verdict.caveat) lines.push(`Caveat: ${row.verdict.caveat}`);
  for (const o of row.observations) {
    lines.push(
      `${observationPortLabel(o)} on ${o.address ?? o.target}: ${stateText(o.state)}, reason ${o.reason}, ` +
        `attempts ${o.attempts}${o.rttMs === null ? '' : `, rtt ${o.rttMs} ms`}`,
    );
    for (const e of [...observationFacts(o), ...o.evidence]) lines.push(`  evidence: ${e}`);
    for (const w of o.warnings) lines.push(`  warning: ${w}`);
    if (o.error) lines.push(`  error: ${o.error}`);
  }
  if (row.expectation?.footnote) lines.push(`KB footnote: ${row.expectation.footnote}`);
  if (chain.length) lines.push('Service:', ...chain.map((c) => `  ${c}`));
  return lines.join('\n');
}

/** `absent`: the row belongs to an optional service that is not installed; a refusal there is skipped, not failed. */
function testcase(target: TargetGroup, service: string, chain: string[], row: ReportRow, absent = false): string {
  const name = `${portLabel(row.expectation)} ${row.expectation?.application ?? row.verdict.expectation}`;
  const open = `    <testcase classname="${attr(`${target.target}.${service}`)}" name="${attr(name)}" time="${rowSeconds(row)}"`;
  const v = row.verdict;
  switch (v.status) {
    case 'pass':
      return `${open}/>`;
    case 'fail':
      if (absent) return `${open}>\n      <skipped message="${attr(`absent: ${chain[0] ?? ''}`)}"/>\n    </testcase>`;
      return (
        `${open}>\n      <failure message="${attr(v.explanation)}" type="${attr(row.primary?.state ?? 'fail')}">` +
        `${text(details(row, chain))}</failure>\n    </testcase>`
      );
    case 'waived':
      return `${open}>\n      <skipped message="${attr(v.explanation)}"/>\n    </testcase>`;
    case 'inconclusive':
    case 'untestable':
      return (
        `${open}>\n      <skipped message="${attr(`${v.status}: ${v.explanation}`)}"/>\n` +
        `      <system-out>${text(details(row, []))}</system-out>\n    </testcase>`
      );
  }
}

function properties(result: RunResult, target: TargetGroup, tv: TargetVerdict | null): string {
  const props: [string, string][] = [
    ['portolan.version', result.tool.version],
    ['catalog.digest', result.catalog.digest],
    ['source.hostname', result.run.source.hostname],
    ['source.addresses', result.run.source.addresses.join(',')],
    ['target.addresses', target.info?.addresses.join(',') ?? ''],
    ['role', tv?.role ?? ''],
    ['verdict', tv ? `${tv.status}: ${tv.summary}` : ''],
    ['expect', result.run.options.expect],
    ['commandLine', commandLineText(result.run.commandLine)],
  ];
  return props.map(([k, v]) => `      <property name="${attr(k)}" value="${attr(v)}"/>`).join('\n');
}

export function renderJunit(result: RunResult, _opts: RenderOptions = {}): string {
  const suites: string[] = [];
  const totals = { tests: 0, failures: 0, skipped: 0 };
  let id = 0;
  for (const target of groupResult(result)) {
    const roles = [...new Set(target.services.map((s) => s.role))];
    for (const role of roles.length ? roles : [null]) {
      const services = target.services.filter((s) => s.role === role);
      const rows = services.flatMap((s) => s.rows);
      // An optional service that is not installed is a notice: its refused ports are skipped, not failed.
      const absent = new Set(services.filter((s) => s.verdict?.status === 'absent').flatMap((s) => s.rows));
      const cases = services.flatMap((s) =>
        s.rows.map((r) => testcase(target, s.service, s.verdict?.explanations ?? [], r, absent.has(r))),
      );
      const failures = rows.filter((r) => r.verdict.status === 'fail' && !absent.has(r)).length;
      const skipped = rows.filter(
        (r) => r.verdict.status !== 'pass' && (r.verdict.status !== 'fail' || absent.has(r)),
      ).length;
      totals.tests += rows.length;
      totals.failures += failures;
      totals.skipped += skipped;
      const tv = target.verdicts.find((v) => v.role === role) ?? null;
      const time = rows.reduce((sum, r) => sum + Number(rowSeconds(r)), 0);
      const error = target.info?.error ? `\n    <system-err>${text(target.info.error)}</system-err>` : '';
      suites.push(
        `  <testsuite name="${attr(`${target.target}${role ? ` (${role})` : ''}`)}" id="${id++}" package="portolan"` +
          ` tests="${rows.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}"` +
          ` timestamp="${attr(result.run.startedAt.replace(/Z$/, '').replace(/\.\d+$/, ''))}" hostname="${attr(result.run.source.hostname)}">\n` +
          `    <properties>\n${properties(result, target, tv)}\n    </properties>\n` +
          `${cases.join('\n')}${cases.length ? '\n' : ''}` +
          `    <system-out>${text(tv ? `${tv.status}: ${tv.summary}` : '')}</system-out>${error}\n  </testsuite>`,
      );
    }
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="portolan" tests="${totals.tests}" failures="${totals.failures}" errors="0" skipped="${totals.skipped}"` +
    ` time="${seconds(result.run.durationMs)}">\n${suites.join('\n')}\n</testsuites>\n`
  );
}
