/**
 * JUnit XML for CI (GitHub Actions, GitLab, Jenkins, Azure DevOps), by root cause: one
 * <testsuite> per target, one <testcase> per (target, port) checked there, so a blocked 445/tcp
 * that breaks seven services is one failure whose message names them. Outages are
 * <failure>s; inconclusive, waived, notices (optional rows: never failures) and untestable
 * ports are <skipped> with the reason. A target with one host-wide problem (nothing answered,
 * name unresolved, token rejected) is one test case instead of one per port.
 * Follows the Ant/Jenkins junit-10 layout.
 */

import { endpointId, rootCausesOf } from '../analyze/root-causes.js';
import { groupByTarget } from '../group-by.js';
import type { Expectation, ExpectationVerdict, Observation, RootCause, RunResult } from '../model.js';
import { escapeXml as attr, escapeXmlText as text } from './escape.js';
import { expectationIndex } from './findings.js';
import { stateText } from './labels.js';
import { commandLineText, labelsText, observationPortLabel, portLabel, type TargetIndex, targetIndex } from './rows.js';
import type { RenderOptions } from './types.js';

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** One (target, port) checked: its rows and observations. */
interface Endpoint {
  id: string;
  name: string;
  rows: ExpectationVerdict[];
  observations: number[];
}

function endpointsOf(target: string, verdicts: ExpectationVerdict[], byKey: Map<string, Expectation>): Endpoint[] {
  const endpoints = new Map<string, Endpoint>();
  for (const v of verdicts) {
    const e = byKey.get(v.expectation);
    const id = `${target} ${e ? endpointId(e) : v.expectation}`;
    let ep = endpoints.get(id);
    if (!ep) {
      ep = { id, name: e ? `${portLabel(e)} ${e.application}` : v.expectation, rows: [], observations: [] };
      endpoints.set(id, ep);
    }
    ep.rows.push(v);
    ep.observations.push(...v.observations);
  }
  return [...endpoints.values()].map((ep) => ({ ...ep, observations: [...new Set(ep.observations)] }));
}

function time(observations: number[], result: RunResult): string {
  return seconds(observations.reduce((sum, i) => sum + (result.observations[i]?.rttMs ?? 0), 0));
}

/** The failure body: the finding, what each probe got back, every row it affects. */
function details(c: RootCause, result: RunResult, byKey: Map<string, Expectation>): string {
  const lines = [c.explanation];
  for (const o of c.observations.map((i) => result.observations[i]).filter((x): x is Observation => x !== undefined)) {
    lines.push(
      `${observationPortLabel(o)} on ${o.address ?? o.target}: ${stateText(o.state)}, reason ${o.reason}, ` +
        `attempts ${o.attempts}${o.rttMs === null ? '' : `, rtt ${o.rttMs} ms`}`,
    );
    for (const e of o.evidence) lines.push(`  evidence: ${e}`);
    for (const w of o.warnings) lines.push(`  warning: ${w}`);
    if (o.error) lines.push(`  error: ${o.error}`);
  }
  lines.push('Affects:');
  for (const a of c.affects) {
    const e = byKey.get(a.expectation);
    const condition = a.condition ? ` (${a.condition})` : '';
    lines.push(
      `  ${a.serviceName} (${a.service}${a.role ? `, ${a.role}` : ''}): ${e ? `${portLabel(e)}, ` : ''}${a.requirement}${condition}, ${a.status}`,
    );
  }
  return lines.join('\n');
}

function testcase(classname: string, name: string, seconds: string, body: string): string {
  const open = `    <testcase classname="${attr(classname)}" name="${attr(name)}" time="${seconds}"`;
  return body ? `${open}>\n${body}\n    </testcase>` : `${open}/>`;
}

function outcome(c: RootCause | undefined, result: RunResult, byKey: Map<string, Expectation>): string {
  if (!c) return '';
  if (c.severity === 'outage') {
    return (
      `      <failure message="${attr(c.explanation)}" type="${attr(c.host ?? c.state ?? 'fail')}">` +
      `${text(details(c, result, byKey))}</failure>`
    );
  }
  const kind = c.severity === 'notice' ? (c.state === 'untestable' ? 'untestable' : 'notice (optional)') : c.severity;
  return `      <skipped message="${attr(`${kind}: ${c.explanation}`)}"/>`;
}

function properties(result: RunResult, target: string, index: TargetIndex): string {
  const info = index.info.get(target);
  const mine = index.verdicts.get(target) ?? [];
  const roles = [...new Set(mine.map((t) => t.role ?? ''))];
  const verdicts = mine.map((t) => t.status);
  const props: [string, string][] = [
    ['portolan.version', result.tool.version],
    ['catalog.digest', result.catalog.digest],
    ['source.name', result.run.source.name],
    ['source.labels', labelsText(result.run.source.labels)],
    ['source.hostname', result.run.source.hostname],
    ['source.addresses', result.run.source.addresses.join(',')],
    ['target.addresses', info?.addresses.join(',') ?? ''],
    ['roles', roles.join(',')],
    ['verdict', verdicts.join(',')],
    ['expect', result.run.options.expect],
    ['with', (result.run.options.with ?? []).join(',')],
    ['commandLine', commandLineText(result.run.commandLine)],
  ];
  return props.map(([k, v]) => `      <property name="${attr(k)}" value="${attr(v)}"/>`).join('\n');
}

export function renderJunit(result: RunResult, opts: RenderOptions = {}): string {
  const byKey = expectationIndex(result);
  const index = targetIndex(result);
  const causes = new Map(rootCausesOf(result).map((c) => [c.id, c]));
  const byTarget = groupByTarget(result.verdicts.expectations);
  const suites: string[] = [];
  const totals = { tests: 0, failures: 0, skipped: 0 };
  const all = [
    ...new Set([...result.targets.map((t) => t.name), ...result.verdicts.expectations.map((v) => v.target)]),
  ];
  // A large run's view has rows for its detailed targets only; the others are one case each, below.
  const detailed = opts.omitted ? new Set(opts.omitted.detailed) : null;
  const targets = detailed ? all.filter((t) => detailed.has(t)) : all;
  targets.forEach((target, id) => {
    const host = causes.get(`${target} host`);
    const cases: string[] = [];
    const count = { tests: 0, failures: 0, skipped: 0, time: 0 };
    const add = (c: RootCause | undefined, name: string, observations: number[]) => {
      const seconds = time(observations, result);
      cases.push(testcase(target, name, seconds, outcome(c, result, byKey)));
      count.tests++;
      count.time += Number(seconds);
      if (c?.severity === 'outage') count.failures++;
      else if (c) count.skipped++;
    };
    if (host) add(host, `host: ${host.host}`, host.observations);
    for (const ep of endpointsOf(target, byTarget.get(target) ?? [], byKey)) {
      // Ports the host-wide finding covers are in it, not cases of their own.
      if (host?.affects.some((a) => ep.rows.some((r) => r.expectation === a.expectation))) continue;
      add(causes.get(ep.id), ep.name, ep.observations);
    }
    totals.tests += count.tests;
    totals.failures += count.failures;
    totals.skipped += count.skipped;
    const info = index.info.get(target);
    const error = info?.error ? `\n    <system-err>${text(info.error)}</system-err>` : '';
    const verdicts = (index.verdicts.get(target) ?? []).map((t) => `${t.status}: ${t.summary}`);
    suites.push(
      `  <testsuite name="${attr(target)}" id="${id}" package="portolan"` +
        ` tests="${count.tests}" failures="${count.failures}" errors="0" skipped="${count.skipped}" time="${count.time.toFixed(3)}"` +
        ` timestamp="${attr(result.run.startedAt.replace(/Z$/, '').replace(/\.\d+$/, ''))}" hostname="${attr(result.run.source.hostname)}">\n` +
        `    <properties>\n${properties(result, target, index)}\n    </properties>\n` +
        `${cases.join('\n')}${cases.length ? '\n' : ''}` +
        `    <system-out>${text(verdicts.join('\n'))}</system-out>${error}\n  </testsuite>`,
    );
  });
  if (detailed)
    suites.push(
      summarisedSuite(
        result,
        all.filter((t) => !detailed.has(t)),
        index,
        suites.length,
        totals,
      ),
    );
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="portolan" tests="${totals.tests}" failures="${totals.failures}" errors="0" skipped="${totals.skipped}"` +
    ` time="${seconds(result.run.durationMs)}">\n${suites.join('\n')}\n</testsuites>\n`
  );
}

/**
 * A large run's targets without detail (compliant ones, and failing ones past the view's
 * cap): one test case each, named by its roles, a <failure> or <skipped> from its verdicts;
 * their rows and root causes are in the JSON result. About 200 bytes a target.
 */
function summarisedSuite(
  result: RunResult,
  targets: string[],
  index: TargetIndex,
  id: number,
  totals: { tests: number; failures: number; skipped: number },
): string {
  const count = { failures: 0, skipped: 0 };
  const cases = targets.map((target) => {
    const verdicts = index.verdicts.get(target) ?? [];
    const roles = [...new Set(verdicts.map((v) => v.role ?? '-'))].join(', ') || '-';
    const words = verdicts.map((v) => `${v.status}: ${v.summary}`).join('; ');
    const error = index.info.get(target)?.error;
    let body = '';
    if (error || verdicts.some((v) => v.status === 'non-compliant')) {
      count.failures++;
      const message = `${error ?? words}; root causes and rows in the JSON result`;
      body = `      <failure message="${attr(message)}" type="non-compliant"/>`;
    } else if (verdicts.some((v) => v.status === 'inconclusive')) {
      count.skipped++;
      body = `      <skipped message="${attr(`inconclusive: ${words}`)}"/>`;
    }
    return testcase(target, `verdict: ${roles}`, '0.000', body);
  });
  totals.tests += targets.length;
  totals.failures += count.failures;
  totals.skipped += count.skipped;
  return (
    `  <testsuite name="targets without detail" id="${id}" package="portolan"` +
    ` tests="${targets.length}" failures="${count.failures}" errors="0" skipped="${count.skipped}" time="0.000"` +
    ` timestamp="${attr(result.run.startedAt.replace(/Z$/, '').replace(/\.\d+$/, ''))}" hostname="${attr(result.run.source.hostname)}">\n` +
    `${cases.join('\n')}${cases.length ? '\n' : ''}` +
    `    <system-out>${text(`${targets.length} targets of a large run, one case each: their rows are in the JSON result.`)}</system-out>\n  </testsuite>`
  );
}
