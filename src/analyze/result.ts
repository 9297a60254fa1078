/**
 * A run's facts to the JSON result (`RunResult`, the public API): the verdicts judged from
 * the observations, the summary computed once, and the typed notes and target problems put
 * into words. Pure: `runCheck` calls it with what the stages found, tests with hand-written
 * observations, so every report is rendered from the real analyzer's output.
 */
import type { Expectation, Observation, RunNote, RunResult } from '../model.js';
import { type RunSettings, resultOptions } from '../run-options.js';
import type { ResolvedTarget } from '../targets/index.js';
import { describeNotes, describeTargetProblem } from './describe.js';
import { computeRootCauses } from './root-causes.js';
import { summarize } from './summary.js';
import { aggregate, judgeExpectations } from './verdicts.js';

export interface RunFacts {
  tool: RunResult['tool'];
  catalog: RunResult['catalog'];
  startedAt: Date;
  endedAt: Date;
  source: RunResult['run']['source'];
  commandLine: string[];
  /** What the run was asked for: the settings and the roles, services and ports. */
  settings: RunSettings;
  /** The TCP connect timeout the engine used, when the platform raised it (Windows). @default settings.timeoutMs */
  connectTimeoutMs?: number;
  asked: { roles: string[]; services: string[]; ports: string[] };
  /** Stopped before every probe finished. */
  incomplete: boolean;
  notes: RunNote[];
  targets: ResolvedTarget[];
  expectations: Expectation[];
  observations: Observation[];
  /** The observations (indexes) that decide an expectation on a target. */
  links: (target: string, expectationKey: string) => number[];
}

export function assembleResult(f: RunFacts): RunResult {
  const judge = {
    expect: f.settings.expect,
    timeoutMs: f.connectTimeoutMs ?? f.settings.timeoutMs,
    responder: f.settings.responder,
  };
  const expectationVerdicts = judgeExpectations(
    f.targets.map((t) => ({
      target: t.name,
      expectations: f.expectations,
      links: new Map(f.expectations.map((e) => [e.key, f.links(t.name, e.key)])),
    })),
    f.observations,
    judge,
  );
  const rolled = {
    expectations: expectationVerdicts,
    ...aggregate(f.expectations, expectationVerdicts, f.observations),
  };
  const targets = f.targets.map((t) => ({
    name: t.name,
    addresses: t.addresses,
    origin: t.origin,
    error: t.problem ? describeTargetProblem(t.problem) : null,
  }));
  const rootCauses = computeRootCauses({
    expectations: f.expectations,
    verdicts: rolled,
    observations: f.observations,
    targets,
    timeoutMs: judge.timeoutMs,
  });
  const verdicts = { ...rolled, rootCauses };
  return {
    schemaVersion: 1,
    tool: f.tool,
    catalog: f.catalog,
    run: {
      startedAt: f.startedAt.toISOString(),
      endedAt: f.endedAt.toISOString(),
      durationMs: f.endedAt.getTime() - f.startedAt.getTime(),
      source: f.source,
      commandLine: f.commandLine,
      options: resultOptions(f.settings, f.asked),
      incomplete: f.incomplete,
      incompleteReason: f.incomplete ? 'stopped before every probe finished (interrupt or abort)' : null,
      notes: describeNotes(f.notes),
    },
    targets,
    expectations: f.expectations,
    observations: f.observations,
    verdicts,
    summary: summarize(verdicts, { failOn: f.settings.failOn, incomplete: f.incomplete }),
  };
}
