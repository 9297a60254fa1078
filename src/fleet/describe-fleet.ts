/**
 * The fleet view's words, made from its typed facts (types.ts) as analyze/describe.ts does
 * for one run. Names (sources, targets, labels) are the operator's or the network's text:
 * kept as they are here and escaped by each renderer for its format.
 */
import { namesList } from '../analyze/describe.js';
import type { ComplianceStatus } from '../model.js';
import type { FleetCause, FleetNote } from './types.js';

/** "88/udp to dc1.corp.example", or "dc1.corp.example (every port)" for a whole-target cause. */
export function fleetCauseSubject(c: Pick<FleetCause, 'port' | 'target'>): string {
  return c.port === 'host' ? `${c.target} (every port)` : `${c.port} to ${c.target}`;
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The one sentence for a fleet root cause: what fails from where, and where that points. */
export function describeFleetCause(c: Omit<FleetCause, 'explanation'>): string {
  const probed = c.failing.length + c.unsure.length + c.clear.length + c.hidden.length;
  const subject = fleetCauseSubject(c);
  const how = c.states.length ? c.states.join(' or ') : 'unanswered';
  const parts: string[] = [];
  if (c.failing.length) {
    parts.push(`${subject} is ${how} from ${c.failing.length} of ${plural(probed, 'source')}: ${namesList(c.failing)}`);
  } else {
    parts.push(
      `${subject} got no definite answer from ${c.unsure.length} of ${plural(probed, 'source')}: ${namesList(c.unsure)}`,
    );
  }
  if (c.failing.length && c.unsure.length) parts.push(`no definite answer from ${namesList(c.unsure)}`);
  if (c.clear.length) parts.push(`reached from ${namesList(c.clear)}`);
  if (c.hidden.length) parts.push(`not judged from ${namesList(c.hidden)}, where the whole target failed`);
  const facts = `${parts.join('; ')}.`;
  const site = labelText(c.sharedLabels);
  switch (c.suspect) {
    case 'path':
      return `${facts} The path from ${site ? `${site} (${namesList([...c.failing, ...c.unsure])})` : namesList([...c.failing, ...c.unsure])} ${c.failing.length ? 'blocks it' : 'is the likely cause'}, not the target: look at the network firewall or ACL between that segment and ${c.target}.`;
    case 'target':
      return `${facts} Every source that probed it sees the same, so it is the target, not a path: ${c.target}'s host firewall, or the service is not running there.`;
    default:
      return `${facts} One vantage point cannot tell the target's host firewall from the path: run the same check from another segment.`;
  }
}

export function describeFleetNote(note: FleetNote): string {
  switch (note.kind) {
    case 'mixed-catalogs':
      return `The runs used ${note.digests.length} different catalogs (${note.digests.join(', ')}): a port may be required in one and not in another, so compare runs of one catalog.`;
    case 'mixed-versions':
      return `The runs were made by different portolan versions (${note.versions.join(', ')}).`;
    case 'incomplete-run':
      return `The run of ${note.source} (${note.origin}) was interrupted before every probe finished.`;
    case 'superseded':
      return `${note.source} probed ${note.target} in two runs: the newer (${note.kept}) counts, ${note.dropped} is ignored for it.`;
    case 'shards-missing':
      return `${note.source} ran shards of ${note.count}, but shard ${note.missing.join(', ')} of ${note.count} is missing: its targets are not in the matrix.`;
  }
}

/** The fleet's one line: how many root causes, and where they point. */
export function fleetHeadline(
  status: ComplianceStatus,
  causes: readonly FleetCause[],
  size: { sources: number; targets: number },
): string {
  const across = `${plural(size.sources, 'source')} and ${plural(size.targets, 'target')}`;
  if (causes.length === 0) {
    return status === 'compliant'
      ? `Every source reaches every target it probed (${across}).`
      : `No root cause recorded, but not every cell is compliant (${across}).`;
  }
  const path = causes.filter((c) => c.suspect === 'path').length;
  const target = causes.filter((c) => c.suspect === 'target').length;
  const where = [
    path ? `${path} on the path from some sources` : '',
    target ? `${target} on the target itself` : '',
  ].filter(Boolean);
  return `${plural(causes.length, 'root cause')} across ${across}${where.length ? ` (${where.join(', ')})` : ''}.`;
}
