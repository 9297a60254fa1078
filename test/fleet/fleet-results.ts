/**
 * A small fleet built through the report scenarios (the real analyzer judges each run):
 * three vantage points probe two DCs.
 *   hq         site=hq                reaches everything but 389/tcp on dc2
 *   branch-12  site=branch-12         88/udp and 88/tcp to dc1 filtered, 389/tcp on dc2 filtered
 *   vlan-20    site=hq vlan=20        reaches everything but 389/tcp on dc2
 * So 88 to dc1 is blocked on branch-12's path only, and 389/tcp on dc2 from everywhere:
 * dc2's own firewall.
 */
import type { FleetView } from '../../src/fleet/types.js';
import type { RunResult } from '../../src/model.js';
import { type Outcome, type Scenario, scenarioResult } from '../report/scenarios.js';

const FILTERED: Outcome = { state: 'filtered', reason: 'timeout' };
const SILENT: Outcome = { state: 'open|filtered', reason: 'no-reply' };

const DC1 = { name: 'dc1.corp.example', addresses: ['192.0.2.10'] };
const DC2 = { name: 'dc2.corp.example', addresses: ['192.0.2.11'] };
const DC2_LDAP_BLOCKED = { ...DC2, outcomes: { 'lsa/tcp/389': FILTERED } };

export function fleetResult(
  name: string,
  labels: Record<string, string>,
  targets: Scenario['targets'],
  extra: Partial<Scenario> = {},
): RunResult {
  return scenarioResult({ hostname: `${name}.corp.example`, sourceName: name, labels, targets, ...extra });
}

export function hqResult(): RunResult {
  return fleetResult('hq', { site: 'hq' }, [DC1, DC2_LDAP_BLOCKED]);
}

export function branchResult(): RunResult {
  return fleetResult('branch-12', { site: 'branch-12' }, [
    { ...DC1, outcomes: { 'kdc/udp/88': SILENT, 'kdc/tcp/88': FILTERED } },
    DC2_LDAP_BLOCKED,
  ]);
}

export function vlanResult(): RunResult {
  return fleetResult('vlan-20', { site: 'hq', vlan: '20' }, [DC1, DC2_LDAP_BLOCKED]);
}

/** The three sources' results. */
export function fleetResults(): RunResult[] {
  return [hqResult(), branchResult(), vlanResult()];
}

/** The view without where each run came from (a run id in one history, a file name elsewhere). */
export function withoutOrigins(view: FleetView): unknown {
  return {
    ...view,
    sources: view.sources.map((s) => ({ ...s, runs: s.runs.map(({ origin: _, ...run }) => run) })),
  };
}
