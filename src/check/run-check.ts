/**
 * The library's front door: one check run from a request to the JSON result.
 * catalog -> expectations -> targets resolved -> probes -> verdicts -> RunResult.
 * The CLI, plans and the agent all go through here.
 */
import { hostname, networkInterfaces } from 'node:os';
import { aggregate, judgeExpectations, summarize } from '../analyze/verdicts.js';
import { expandPorts, expandRole, expandService } from '../catalog/expand.js';
import { loadCatalog } from '../catalog/load.js';
import { parsePortList } from '../catalog/port-sets.js';
import { PortolanError } from '../cli/errors.js';
import { discoverDomainControllers } from '../discovery/domain-controllers.js';
import type { Expectation, RunOptions, RunResult, TargetInfo } from '../model.js';
import { tcpConnectTimeoutMs, tcpTimeoutNote } from '../platform/probe-limits.js';
import { type EngineOptions, linkKey, runEngine } from '../probe/engine.js';
import { resolveTarget } from '../probe/resolve.js';
import { VERSION } from '../version.js';

export interface CheckRequest {
  targets: { name: string; origin: string }[];
  roles: string[];
  services: string[];
  ports: string[];
  options: Partial<RunOptions>;
  commandLine: string[];
  catalogDirs?: string[];
  domain?: { name: string; dnsServer?: string };
  /** Responder mode: the client modules that speak the handshake (see `portolan listen`). */
  responder?: EngineOptions['responder'];
  snmpCommunity?: string;
  /** The vantage point's name in the result. @default the host name */
  sourceName?: string;
  /** The vantage point's labels (site, vlan ...). @default {} */
  sourceLabels?: Record<string, string>;
}

export interface CheckHooks {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, host: string) => void;
  /** Injected clock for tests. */
  now?: () => Date;
  /** The prober's OS, for what it cannot see (platform/probe-limits.ts). @default process.platform */
  platform?: NodeJS.Platform;
}

export const DEFAULT_OPTIONS: RunOptions = {
  roles: [],
  services: [],
  ports: [],
  expect: 'listening',
  profile: 'modern',
  rpcRange: null,
  rpcSample: 16,
  rpcMode: 'discover',
  os: null,
  clientOs: null,
  timeoutMs: 1500,
  retries: 2,
  concurrency: 256,
  perHost: 32,
  source: null,
  allAddresses: false,
  appProbes: true,
  failOn: 'fail',
  responder: false,
};

export async function runCheck(req: CheckRequest, hooks: CheckHooks = {}): Promise<RunResult> {
  const now = hooks.now ?? (() => new Date());
  const platform = hooks.platform ?? process.platform;
  const started = now();
  const options: RunOptions = {
    ...DEFAULT_OPTIONS,
    ...req.options,
    roles: req.roles,
    services: req.services,
    ports: req.ports,
    responder: Boolean(req.responder),
  };
  validateOptions(options);
  const catalog = await loadCatalog({ dirs: req.catalogDirs ?? [] });
  const expandOpts = {
    profile: options.profile,
    rpcRange: options.rpcRange,
    os: options.os,
    clientOs: options.clientOs,
  };
  const expectations: Expectation[] = [
    ...req.roles.flatMap((r) => expandRole(catalog, r, expandOpts)),
    ...req.services.flatMap((s) => expandService(catalog, s, expandOpts)),
    ...expandPorts(req.ports, catalog),
  ];
  if (expectations.length === 0) {
    throw new PortolanError('USAGE', 'nothing to check: name at least one --role, --service or --port');
  }
  const notes: string[] = [];
  const requested: Requested[] = [...req.targets];
  if (req.domain) {
    const found = await discoverDomainControllers(req.domain.name, {
      dnsServer: req.domain.dnsServer,
      localAddress: options.source ?? undefined,
      timeoutMs: options.timeoutMs,
    });
    notes.push(...found.notes);
    if (found.targets.length === 0) {
      throw new PortolanError('TARGET', `${found.query} has no SRV records: no domain controllers found`);
    }
    for (const t of found.targets)
      requested.push({ name: t.name, origin: `SRV ${found.query}`, addresses: t.addresses });
  }
  if (requested.length === 0) throw new PortolanError('USAGE', 'no targets: name one or more hosts, or --domain');
  const targets = await resolveAll(dedupeTargets(requested), options.allAddresses);
  if (options.expect === 'reachable') {
    notes.push(
      'Pre-deployment check (--expect reachable): a closed port passes, since the service may not be installed yet.',
    );
  }
  if (req.responder) {
    notes.push(
      'Pre-deployment check with the portolan responder: each port passes when the responder answered through the network path.',
    );
  }
  if (!options.appProbes) {
    notes.push(
      'Protocol conversations were off (--no-app-probes): TCP states come from the handshake alone; UDP still sends each protocol\u2019s request, since an empty datagram proves nothing.',
    );
  }

  const engine = await runEngine(
    expectations,
    targets.map((t) => ({ name: t.name, addresses: t.addresses })),
    {
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      concurrency: options.concurrency,
      perHost: options.perHost,
      localAddress: options.source ?? undefined,
      appProbes: options.appProbes,
      rpcMode: options.rpcMode === 'sweep' ? 'sweep' : 'sample',
      rpcSample: options.rpcSample,
      responder: req.responder,
      snmpCommunity: req.snmpCommunity,
      domain: req.domain?.name,
      platform,
    },
    hooks,
  );
  notes.push(...engine.notes);
  const tcpNote = tcpTimeoutNote(options.timeoutMs, platform);
  if (tcpNote) notes.push(tcpNote);
  const incomplete = hooks.signal?.aborted ?? false;
  const judgeOpts = {
    expect: options.expect,
    timeoutMs: tcpConnectTimeoutMs(options.timeoutMs, platform),
    failOn: options.failOn,
    responder: options.responder,
  };
  const expectationVerdicts = judgeExpectations(
    targets.map((t) => ({
      target: t.name,
      expectations,
      links: new Map(expectations.map((e) => [e.key, engine.links.get(linkKey(t.name, e.key)) ?? []])),
    })),
    engine.observations,
    judgeOpts,
  );
  const { services, targets: targetVerdicts } = aggregate(expectations, expectationVerdicts, engine.observations);
  const verdicts = { expectations: expectationVerdicts, services, targets: targetVerdicts };
  const ended = now();
  return {
    schemaVersion: 1,
    tool: { name: 'portolan', version: VERSION },
    catalog: { digest: catalog.digest, sources: catalog.sources },
    run: {
      startedAt: started.toISOString(),
      endedAt: ended.toISOString(),
      durationMs: ended.getTime() - started.getTime(),
      source: {
        hostname: hostname(),
        addresses: options.source ? [options.source] : localAddresses(),
        bind: options.source,
        name: req.sourceName ?? hostname(),
        labels: { ...req.sourceLabels },
      },
      commandLine: req.commandLine,
      options,
      incomplete,
      incompleteReason: incomplete ? 'stopped before every probe finished (interrupt or abort)' : null,
      notes,
    },
    targets,
    expectations,
    observations: engine.observations,
    verdicts,
    summary: summarize(verdicts, { failOn: options.failOn, incomplete }),
  };
}

function validateOptions(o: RunOptions): void {
  const positive = (value: number, flag: string, max: number) => {
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new PortolanError('USAGE', `${flag} ${value}: expected a whole number from 1 to ${max}`);
    }
  };
  positive(o.timeoutMs, '--timeout', 600_000);
  positive(o.concurrency, '--concurrency', 10_000);
  positive(o.perHost, '--per-host', 10_000);
  positive(o.rpcSample, '--rpc-sample', 16_384);
  if (!Number.isInteger(o.retries) || o.retries < 0 || o.retries > 10) {
    throw new PortolanError('USAGE', `--retries ${o.retries}: expected a whole number from 0 to 10`);
  }
  if (o.rpcRange) parsePortList(o.rpcRange, '--rpc-range');
  const mine = o.source ? localAddresses(true) : [];
  if (o.source && !mine.includes(o.source)) {
    throw new PortolanError(
      'USAGE',
      `--source ${o.source} is not an address of this machine (it has: ${mine.join(', ') || 'none'})`,
    );
  }
  if (o.perHost > o.concurrency) {
    throw new PortolanError('USAGE', `--per-host ${o.perHost} is larger than --concurrency ${o.concurrency}`);
  }
}

interface Requested {
  name: string;
  origin: string;
  /** Already known (from the DNS server that answered the SRV query). */
  addresses?: string[];
}

function dedupeTargets(list: Requested[]): Requested[] {
  const seen = new Map<string, Requested>();
  for (const t of list) if (!seen.has(t.name.toLowerCase())) seen.set(t.name.toLowerCase(), t);
  return [...seen.values()];
}

async function resolveAll(list: Requested[], all: boolean): Promise<TargetInfo[]> {
  const resolved = await Promise.all(
    list.map((t) =>
      t.addresses?.length
        ? { name: t.name, addresses: all ? t.addresses : t.addresses.slice(0, 1), error: null }
        : resolveTarget(t.name, all),
    ),
  );
  const failed = resolved.filter((r) => r.error);
  if (failed.length > 0) {
    throw new PortolanError(
      'TARGET',
      `target ${failed.map((f) => f.error).join('; ')}; check the name or use an address`,
    );
  }
  return resolved.map((r, i) => ({
    name: r.name,
    addresses: r.addresses,
    origin: list[i]?.origin ?? 'command line',
    error: null,
  }));
}

/** This machine's addresses; loopback too when asked (a valid --source for local checks). */
function localAddresses(withLoopback = false): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && (withLoopback || !a.internal))
    .map((a) => a?.address as string);
}
