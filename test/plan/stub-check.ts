/**
 * A stand-in for `runCheck` that never touches the network: every (target, port spec)
 * gets the probe state a test chooses, judged and summarised by the real analyzer
 * (`assembleResult`), so plans, waivers, segmentation, history and the agent are tested
 * on realistic RunResults.
 */

import { assembleResult } from '../../src/analyze/result.js';
import { expandPorts } from '../../src/catalog/expand.js';
import type { CheckRequest } from '../../src/check/run-check.js';
import type { Observation, ProbeState, Reason, RunResult } from '../../src/model.js';
import type { RunCheck } from '../../src/plan/types.js';
import { resolveRunSettings } from '../../src/run-options.js';

/** The usual reason for each state (a TCP probe's, silence for UDP). */
export const REASON: Record<ProbeState, Reason> = {
  open: 'syn-ack',
  closed: 'rst',
  filtered: 'timeout',
  'open|filtered': 'no-reply',
  error: 'local-error',
  untestable: 'not-probed',
};

export type StateTable = (target: string, portSpec: string) => ProbeState;

export interface Stub {
  runCheck: RunCheck;
  calls: CheckRequest[];
}

export function stubRunCheck(states: StateTable, clock: () => Date = () => new Date('2026-11-26T09:00:00Z')): Stub {
  const calls: CheckRequest[] = [];
  const runCheck: RunCheck = async (req) => {
    calls.push(req);
    const expectations = expandPorts(req.ports);
    const observations: Observation[] = [];
    const links = new Map<string, number[]>();
    for (const t of req.targets) {
      for (const e of expectations) {
        const state = states(t.name, e.protocol === 'icmp' ? 'icmp' : `${e.port ?? e.range}/${e.protocol}`);
        links.set(`${t.name} ${e.key}`, [observations.length]);
        observations.push({
          target: t.name,
          address: '192.0.2.10',
          protocol: e.protocol,
          port: e.port,
          state,
          reason: REASON[state],
          rttMs: state === 'open' || state === 'closed' ? 1.5 : null,
          attempts: 1,
          evidence: [],
          warnings: [],
        });
      }
    }
    const at = clock();
    return assembleResult({
      tool: { name: 'portolan', version: '0.0.0-test' },
      catalog: { digest: 'sha256:test', sources: ['checks'] },
      startedAt: at,
      endedAt: at,
      source: { hostname: 'probe.test', addresses: ['192.0.2.50'], bind: null, name: 'probe.test', labels: {} },
      commandLine: req.commandLine,
      settings: resolveRunSettings(req.options),
      asked: { roles: req.roles, services: req.services, ports: req.ports },
      incomplete: false,
      notes: [],
      targets: req.targets.map((t) => ({ name: t.name, origin: t.origin, addresses: ['192.0.2.10'], problem: null })),
      expectations,
      observations,
      links: (target, key) => links.get(`${target} ${key}`) ?? [],
    }) satisfies RunResult;
  };
  return { runCheck, calls };
}
