/**
 * The library's front door and composition root: one check run from a request to the JSON
 * result, stage by stage, with no logic of its own.
 *   run options (run-options.ts) -> catalog expectations (catalog/) -> targets (targets/)
 *   -> probes and observations (probe/) -> verdicts, summary and words (analyze/)
 * The CLI, plans and the agent all go through here.
 */
import { hostname } from 'node:os';
import { HeadlineTally } from '../analyze/headline-tally.js';
import { judgeOptions, judgeTarget, type RunContext, resultHeader } from '../analyze/result.js';
import type { VerdictTally } from '../analyze/summary.js';
import { type CheckScope, expandScope } from '../catalog/expand.js';
import { loadCatalog } from '../catalog/load.js';
import { PortolanError } from '../errors.js';
import type { ComplianceStatus, RunCounts, RunNote, RunResult } from '../model.js';
import { tcpConnectTimeoutMs, tcpTimeoutNote } from '../platform/probe-limits.js';
import { type EngineOptions, probeTargets } from '../probe/engine.js';
import { responderTcpModule, responderUdpModule } from '../responder/modules.js';
import { joinResult, type RunHeader, type TargetRecord } from '../result/target-records.js';
import { type RunSettings, resolveRunSettings, siteLabels } from '../run-options.js';
import { localAddresses, openTargets, type TargetRequest } from '../targets/index.js';
import { VERSION } from '../version.js';

export interface CheckRequest extends CheckScope {
  /** Names, addresses and CIDR prefixes (`10.0.4.0/22`). */
  targets: TargetRequest[];
  /** Targets files, one entry per line, `#` comments (`-`: standard input). */
  targetsFiles?: string[];
  /** Run options by key; the option table fills in the rest. */
  options: Partial<RunSettings>;
  commandLine: string[];
  catalogDirs?: string[];
  domain?: { name: string; dnsServer?: string };
  /** The shared secret `portolan listen` printed, for `options.responder`. Never recorded in the result. */
  responderToken?: string;
  snmpCommunity?: string;
}

export interface CheckHooks {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, host: string) => void;
  /** Injected clock for tests. */
  now?: () => Date;
  /** The prober's OS, for what it cannot see (platform/probe-limits.ts). @default process.platform */
  platform?: NodeJS.Platform;
}

/** What a streaming check reports as it goes, besides the records. */
export interface CheckStreamHooks extends CheckHooks {
  /** Once the targets are checked: how many the run takes (a prefix counts its addresses). */
  onStart?: (targets: number) => void;
  /**
   * Each target's record as soon as it is judged (in the order targets finish), with its
   * place in the run's target order. The run does not keep it: write it, tally it, drop it.
   * The next target is taken only once the returned promise settles.
   */
  onTarget: (record: TargetRecord, ordinal: number) => void | Promise<void>;
  /** Standard input for a `-` targets file. @default process.stdin */
  stdin?: NodeJS.ReadableStream;
}

/**
 * One check run as a stream: each target is probed, judged and handed to `onTarget` once
 * its probes finish, at most `targetsInFlight` at a time, and the run header (with the
 * summary of every verdict) comes back at the end. What the run holds follows the window,
 * never the target count: the summary keeps counts and the few names its headline shows
 * (headline-tally.ts).
 */
export async function checkTargets(req: CheckRequest, hooks: CheckStreamHooks): Promise<RunHeader> {
  const now = hooks.now ?? (() => new Date());
  const platform = hooks.platform ?? process.platform;
  const started = now();
  const settings = resolveRunSettings(req.options);
  const responder = responderModules(settings, req.responderToken);
  const catalog = await loadCatalog({ dirs: req.catalogDirs ?? [] });
  const expectations = expandScope(catalog, req, settings);
  const targets = await openTargets({
    targets: req.targets,
    files: req.targetsFiles ?? [],
    ...(req.domain ? { domain: req.domain } : {}),
    allAddresses: settings.allAddresses,
    source: settings.source,
    timeoutMs: settings.timeoutMs,
    cidrLimit: settings.cidrLimit,
    shard: settings.shard,
    ...(hooks.stdin ? { stdin: hooks.stdin } : {}),
  });
  try {
    hooks.onStart?.(targets.total);
    const connectTimeoutMs = tcpConnectTimeoutMs(settings.timeoutMs, platform);
    const judge = judgeOptions({ settings, connectTimeoutMs });
    const tally = new RunTally();
    const engineNotes = new Map<string, RunNote>();
    // A target that does not resolve spoils nothing else: the engine marks its rows `error`.
    for await (const probes of probeTargets(
      expectations,
      targets.targets(hooks.signal),
      { ...engineOptions(settings, req, responder), platform },
      hooks,
    )) {
      for (const note of probes.notes) engineNotes.set(JSON.stringify(note), note);
      const record = judgeTarget(probes.target, expectations, probes.observations, probes.links, judge);
      tally.add(record, probes.target.ordinal);
      await hooks.onTarget(record, probes.target.ordinal);
    }
    const tcpNote = tcpTimeoutNote(settings.timeoutMs, platform);
    const context: RunContext = {
      tool: { name: 'portolan', version: VERSION },
      catalog: { digest: catalog.digest, sources: catalog.sources },
      startedAt: started,
      endedAt: now(),
      source: {
        hostname: hostname(),
        addresses: settings.source ? [settings.source] : localAddresses(),
        bind: settings.source,
        name: settings.sourceName ?? hostname(),
        labels: siteLabels(settings.site),
      },
      commandLine: req.commandLine,
      settings,
      connectTimeoutMs,
      asked: { roles: req.roles, services: req.services, ports: req.ports },
      incomplete: hooks.signal?.aborted ?? false,
      notes: [...targets.notes, ...modeNotes(settings), ...engineNotes.values(), ...(tcpNote ? [tcpNote] : [])],
      expectations,
    };
    return resultHeader(context, tally.result());
  } finally {
    targets.close();
  }
}

/** One check run to its JSON result, every target's record held until the end: for normal sizes. */
export async function runCheck(
  req: CheckRequest,
  hooks: CheckHooks & { stdin?: NodeJS.ReadableStream } = {},
): Promise<RunResult> {
  const records: TargetRecord[] = [];
  const header = await checkTargets(req, {
    ...hooks,
    onTarget: (record, ordinal) => {
      records[ordinal] = record;
    },
  });
  return joinResult(header, records);
}

/** What the summary needs of the verdicts, added target by target: counts, never the verdicts or root causes. */
class RunTally {
  private readonly counts: RunCounts = { pass: 0, fail: 0, inconclusive: 0, waived: 0, untestable: 0 };
  private readonly statuses = new Set<ComplianceStatus>();
  private readonly headline = new HeadlineTally();

  add(record: TargetRecord, ordinal: number): void {
    for (const v of record.verdicts.expectations) this.counts[v.status]++;
    for (const t of record.verdicts.targets) this.statuses.add(t.status);
    this.headline.add(record.target.name, ordinal, record.verdicts.rootCauses ?? []);
  }

  result(): VerdictTally {
    return { counts: this.counts, statuses: this.statuses, headline: this.headline };
  }
}

/** Responder mode speaks the handshake of `portolan listen` on every port, with the shared token. */
export function responderModules(settings: RunSettings, token: string | undefined): EngineOptions['responder'] {
  if (!settings.responder) return undefined;
  if (!token) {
    throw new PortolanError(
      'RESPONDER_TOKEN_MISSING',
      'responder needs token: the shared secret `portolan listen` printed (or $PORTOLAN_RESPONDER_TOKEN)',
      { fields: ['responder', 'token'] },
    );
  }
  return { tcp: responderTcpModule(token), udp: responderUdpModule(token) };
}

function engineOptions(s: RunSettings, req: CheckRequest, responder: EngineOptions['responder']): EngineOptions {
  return {
    timeoutMs: s.timeoutMs,
    retries: s.retries,
    concurrency: s.concurrency,
    perHost: s.perHost,
    targetsInFlight: s.targetsInFlight,
    ...(s.source ? { localAddress: s.source } : {}),
    appProbes: s.appProbes,
    rpcMode: s.rpcMode,
    rpcSample: s.rpcSample,
    ...(responder ? { responder } : {}),
    ...(req.snmpCommunity ? { snmpCommunity: req.snmpCommunity } : {}),
    ...(req.domain ? { domain: req.domain.name } : {}),
  };
}

/** Notes the mode of the run calls for. */
function modeNotes(s: RunSettings): RunNote[] {
  return [
    ...(s.expect === 'reachable' ? [{ kind: 'expect-reachable' as const }] : []),
    ...(s.responder ? [{ kind: 'responder' as const }] : []),
    ...(s.appProbes ? [] : [{ kind: 'no-app-probes' as const }]),
  ];
}
