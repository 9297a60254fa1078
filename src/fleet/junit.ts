/**
 * The fleet view as JUnit XML (Ant/Jenkins junit-10 layout): one <testsuite> per source, one
 * <testcase> per target it probed. A non-compliant cell is a <failure> naming its blocked
 * ports and, for each, where the fleet says to look; an inconclusive one is <skipped> with
 * the reason. The suite's properties carry the source's labels.
 */
import { escapeXml as attr, escapeXmlText as text } from '../report/escape.js';
import { fleetCauseSubject } from './describe-fleet.js';
import type { FleetCause, FleetCell, FleetView } from './types.js';

/** ISO time without zone and fraction, as the schema's timestamp wants it. */
function timestamp(iso: string): string {
  return iso.replace(/Z$/, '').replace(/\.\d+$/, '');
}

function testCase(cell: FleetCell, fleetCauses: ReadonlyMap<string, FleetCause>): string {
  const open = `    <testcase classname="${attr(cell.source)}" name="${attr(cell.target)}" time="0"`;
  if (cell.status === 'compliant') return `${open}/>`;
  const causes = cell.causes.filter((c) => c.severity === 'outage' || c.severity === 'inconclusive');
  const ports = causes.map((c) => c.port).join(' ');
  const message = cell.error ?? `${cell.status}${ports ? `: ${ports}` : ''}`;
  if (cell.status === 'inconclusive')
    return `${open}>\n      <skipped message="${attr(`inconclusive: ${message}`)}"/>\n    </testcase>`;
  const body = causes.map((c) => {
    const fleet = fleetCauses.get(c.id);
    const what = `${fleetCauseSubject({ port: c.port, target: cell.target })}: ${c.state ?? c.host ?? c.severity}; breaks ${c.services.join(', ') || 'nothing required'}`;
    return fleet ? `${what}\n  ${fleet.explanation}` : what;
  });
  return (
    `${open}>\n      <failure message="${attr(message)}" type="${attr(cell.status)}">` +
    `${text((cell.error ? [cell.error, ...body] : body).join('\n'))}</failure>\n    </testcase>`
  );
}

export function fleetJunit(view: FleetView): string {
  const fleetCauses = new Map(view.causes.map((c) => [c.id, c]));
  const totals = { tests: 0, failures: 0, skipped: 0 };
  const suites = view.sources.map((source, id) => {
    const cells = view.cells.filter((c) => c.source === source.name);
    const failures = cells.filter((c) => c.status === 'non-compliant').length;
    const skipped = cells.filter((c) => c.status === 'inconclusive').length;
    totals.tests += cells.length;
    totals.failures += failures;
    totals.skipped += skipped;
    const props = Object.entries(source.labels).map(
      ([k, v]) => `      <property name="${attr(`label.${k}`)}" value="${attr(v)}"/>`,
    );
    const runs = source.runs.map((r) => `${r.origin}${r.shard ? ` (shard ${r.shard})` : ''}, started ${r.startedAt}`);
    return (
      `  <testsuite name="${attr(source.name)}" id="${id}" package="portolan.fleet" tests="${cells.length}"` +
      ` failures="${failures}" errors="0" skipped="${skipped}" time="0"` +
      ` timestamp="${attr(timestamp(source.runs[0]?.startedAt ?? ''))}" hostname="${attr(source.hostnames.join(', '))}">\n` +
      `    <properties>\n${props.join('\n')}${props.length ? '\n' : ''}    </properties>\n` +
      cells.map((c) => `${testCase(c, fleetCauses)}\n`).join('') +
      `    <system-out>${text(runs.join('\n'))}</system-out>\n  </testsuite>`
    );
  });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="portolan fleet" tests="${totals.tests}" failures="${totals.failures}" errors="0" skipped="${totals.skipped}">\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}
