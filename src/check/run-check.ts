/**
 * The library's front door and composition root: one check run from a request to the JSON
 * result, stage by stage, with no logic of its own.
 *   run options (run-options.ts) -> catalog expectations (catalog/) -> targets (targets/)
 *   -> probes and observations (probe/) -> verdicts, summary and words (analyze/)
 * The CLI, plans and the agent all go through here.
 */
import { hostname } from 'node:os';
import { assembleResult } from '../analyze/result.js';
import { type CheckScope, expandScope } from '../catalog/expand.js';
import { loadCatalog } from '../catalog/load.js';
import { PortolanError } from '../errors.js';
import type { RunNote, RunResult } from '../model.js';
import { tcpConnectTimeoutMs, tcpTimeoutNote } from '../platform/probe-limits.js';
import { type EngineOptions, linkKey, runEngine } from '../probe/engine.js';
import { responderTcpModule, responderUdpModule } from '../responder/modules.js';
import { type RunSettings, resolveRunSettings, siteLabels } from '../run-options.js';
import { localAddresses, resolveTargets, type TargetRequest } from '../targets/index.js';
import { VERSION } from '../version.js';

export interface CheckRequest extends CheckScope {
  targets: TargetRequest[];
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

export async function runCheck(req: CheckRequest, hooks: CheckHooks = {}): Promise<RunResult> {
  const now = hooks.now ?? (() => new Date());
  const platform = hooks.platform ?? process.platform;
  const started = now();
  const settings = resolveRunSettings(req.options);
  const responder = responderModules(settings, req.responderToken);
  const catalog = await loadCatalog({ dirs: req.catalogDirs ?? [] });
  const expectations = expandScope(catalog, req, settings);
  const resolved = await resolveTargets({
    targets: req.targets,
    ...(req.domain ? { domain: req.domain } : {}),
    allAddresses: settings.allAddresses,
    source: settings.source,
    timeoutMs: settings.timeoutMs,
    shard: settings.shard,
  });
  // A target that does not resolve spoils nothing else: the engine marks its rows `error`.
  const engine = await runEngine(
    expectations,
    resolved.targets,
    { ...engineOptions(settings, req, responder), platform },
    hooks,
  );
  const tcpNote = tcpTimeoutNote(settings.timeoutMs, platform);
  return assembleResult({
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
    connectTimeoutMs: tcpConnectTimeoutMs(settings.timeoutMs, platform),
    asked: { roles: req.roles, services: req.services, ports: req.ports },
    incomplete: hooks.signal?.aborted ?? false,
    notes: [...resolved.notes, ...modeNotes(settings), ...engine.notes, ...(tcpNote ? [tcpNote] : [])],
    targets: resolved.targets,
    expectations,
    observations: engine.observations,
    links: (target, key) => engine.links.get(linkKey(target, key)) ?? [],
  });
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
