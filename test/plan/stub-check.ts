/**
 * A stand-in for `runCheck` that never touches the network: every (target, port spec)
 * gets the probe state a test chooses, judged by the real analyzer, so plans, waivers,
 * segmentation, history and the agent are tested on realistic RunResults.
 */

import { aggregate, judgeExpectations, summarize } from '../../src/analyze/verdicts.js';
import { expandPorts } from '../../src/catalog/expand.js';
import { type CheckRequest, DEFAULT_OPTIONS } from '../../src/check/run-check.js';
import type { Observation, ProbeState, Reason, RunOptions, RunResult } from '../../src/model.js';
import type { RunCheck } from '../../src/plan/types.js';

const REASON: Record<ProbeState, Reason> = {
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
    const options: RunOptions = {
      ...DEFAULT_OPTIONS,
      ...req.options,
      roles: req.roles,
      services: req.services,
      ports: req.ports,
    };
    const expectations = expandPorts(req.ports);
    const observations: Observation[] = [];
    const targets = req.targets.map((t) => {
      const links = new Map<string, number[]>();
      for (const e of expectations) {
        const state = states(t.name, e.protocol === 'icmp' ? 'icmp' : `${e.port ?? e.range}/${e.protocol}`);
        links.set(e.key, [observations.length]);
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
      return { target: t.name, expectations, links };
    });
    const expectationVerdicts = judgeExpectations(targets, observations, options);
    const verdicts = {
      expectations: expectationVerdicts,
      ...aggregate(expectations, expectationVerdicts, observations),
    };
    const at = clock().toISOString();
    return {
      schemaVersion: 1,
      tool: { name: 'portolan', version: '0.0.0-test' },
      catalog: { digest: 'sha256:test', sources: ['checks'] },
      run: {
        startedAt: at,
        endedAt: at,
        durationMs: 0,
        source: { hostname: 'probe.test', addresses: ['192.0.2.50'], bind: null, name: 'probe.test', labels: {} },
        commandLine: req.commandLine,
        options,
        incomplete: false,
        incompleteReason: null,
        notes: [],
      },
      targets: req.targets.map((t) => ({ name: t.name, addresses: ['192.0.2.10'], origin: t.origin, error: null })),
      expectations,
      observations,
      verdicts,
      summary: summarize(verdicts, { failOn: options.failOn }),
    } satisfies RunResult;
  };
  return { runCheck, calls };
}
