/**
 * A run's facts to the JSON result (`RunResult`, the public API): the verdicts judged from
 * the observations, the summary computed once, and the typed notes and target problems put
 * into words. Pure: `runCheck` calls it with what the stages found, tests with hand-written
 * observations, so every report is rendered from the real analyzer's output.
 */
import type { Expectation, Observation, RunNote, RunResult } from '../model.js';
import type { RunHeader, TargetRecord } from '../result/target-records.js';
import { type RunSettings, resultOptions } from '../run-options.js';
import type { ResolvedTarget } from '../targets/index.js';
import { describeNotes, describeTargetProblem } from './describe.js';
import { computeRootCauses } from './root-causes.js';
import { summarizeTally, tallyVerdicts, type VerdictTally } from './summary.js';
import { aggregate, type JudgeOptions, judgeExpectations } from './verdicts.js';

/** Everything about a run but its targets and what was found on them. */
export interface RunContext {
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
  expectations: Expectation[];
}

export interface RunFacts extends RunContext {
  targets: ResolvedTarget[];
  observations: Observation[];
  /** The observations (indexes) that decide an expectation on a target. */
  links: (target: string, expectationKey: string) => number[];
}

/** How the run's verdicts are judged, from its settings. */
export function judgeOptions(f: Pick<RunContext, 'settings' | 'connectTimeoutMs'>): JudgeOptions {
  return {
    expect: f.settings.expect,
    timeoutMs: f.connectTimeoutMs ?? f.settings.timeoutMs,
    responder: f.settings.responder,
  };
}

/**
 * One target's record: its verdicts and root causes judged from its own observations, as
 * `assembleResult` judges them for a whole run. A streaming run judges each target this way
 * as it finishes, and `joinResult` puts the records together into the same RunResult.
 */
export function judgeTarget(
  target: ResolvedTarget,
  expectations: Expectation[],
  observations: Observation[],
  links: ReadonlyMap<string, number[]>,
  judge: JudgeOptions,
): TargetRecord {
  const expectationVerdicts = judgeExpectations(
    [{ target: target.name, expectations, links: new Map(expectations.map((e) => [e.key, links.get(e.key) ?? []])) }],
    observations,
    judge,
  );
  const rolled = { expectations: expectationVerdicts, ...aggregate(expectations, expectationVerdicts, observations) };
  const info = targetInfo(target);
  const rootCauses = computeRootCauses({
    expectations,
    verdicts: rolled,
    observations,
    targets: [info],
    timeoutMs: judge.timeoutMs,
  });
  return { target: info, observations, verdicts: { ...rolled, rootCauses } };
}

/** The run's header: what it was asked, when, and the summary of its verdicts. */
export function resultHeader(f: RunContext, tally: VerdictTally): RunHeader {
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
    expectations: f.expectations,
    summary: summarizeTally(tally, { failOn: f.settings.failOn, incomplete: f.incomplete }),
  };
}

function targetInfo(t: ResolvedTarget): RunResult['targets'][number] {
  return {
    name: t.name,
    addresses: t.addresses,
    origin: t.origin,
    error: t.problem ? describeTargetProblem(t.problem) : null,
  };
}

export function assembleResult(f: RunFacts): RunResult {
  const judge = judgeOptions(f);
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
  const targets = f.targets.map(targetInfo);
  const rootCauses = computeRootCauses({
    expectations: f.expectations,
    verdicts: rolled,
    observations: f.observations,
    targets,
    timeoutMs: judge.timeoutMs,
  });
  const verdicts = { ...rolled, rootCauses };
  const { schemaVersion, tool, catalog, run, expectations, summary } = resultHeader(f, tallyVerdicts(verdicts));
  return { schemaVersion, tool, catalog, run, targets, expectations, observations: f.observations, verdicts, summary };
}
