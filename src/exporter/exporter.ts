/**
 * `portolan exporter`: blackbox_exporter's multi-target pattern for portolan. Prometheus
 * scrapes `/probe?target=HOST&module=NAME` (relabelling turns its target list into those
 * parameters); the exporter checks that target now, within the scrape's time budget, and
 * answers with the result as metrics. `/metrics` carries the exporter's own metrics.
 *
 * Anyone who reaches `/probe` can make the exporter send traffic, so a probe runs only for a
 * target the allow list names, only a fixed number at once, and only after the web config's
 * authentication passed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { prometheusContentType, type Registry } from 'prom-client';
import { applyWaivers } from '../analyze/waivers.js';
import type { CheckRequest } from '../check/run-check.js';
import { isPortolanError, PortolanError } from '../errors.js';
import type { Catalog, RunResult } from '../model.js';
import type { PlanOptions, RunCheck } from '../plan/types.js';
import { isTargetName } from '../targets/syntax.js';
import type { AllowList } from './allow-list.js';
import { probeBudgetMs, SCRAPE_TIMEOUT_HEADER } from './budget.js';
import { type ListenAddress, type RunningServer, serve } from './http-server.js';
import { type ExporterModule, type ExporterModules, moduleForQuery } from './modules.js';
import { type OwnMetrics, ownMetrics, QUERY_MODULE_LABEL, type RefusalReason } from './own-metrics.js';
import { ProbeGate } from './probe-gate.js';
import { probeRegistry, unjudgedRegistry, vantageLabels } from './probe-metrics.js';
import type { WebConfig } from './web-config.js';

/** The exporter's documented port: past 9100-9999, which Prometheus' exporter list has filled. */
export const DEFAULT_LISTEN_ADDRESS = '127.0.0.1:10088';

/**
 * How long a check may overrun its budget once aborted, before the exporter answers without
 * it: in-flight probes stop on the abort at once, but name resolution does not listen to it.
 */
const ABORT_GRACE_MS = 200;

export interface ExporterOptions {
  listen: ListenAddress;
  web: WebConfig;
  modules: ExporterModules;
  /** The catalog query parameters are checked against (runCheck loads its own per probe). */
  catalog: Catalog;
  catalogDirs: string[];
  allow: AllowList;
  /** `--timeout-offset`: taken off the scrape timeout. */
  timeoutOffsetMs: number;
  maxConcurrentProbes: number;
  /** Scrapes that may wait for a slot; past them a scrape is refused with 503. */
  maxQueuedProbes: number;
  runCheck: RunCheck;
  /** For modules with `responder: true`: the token `portolan listen` printed. */
  responderToken?: string;
  /** `--source-name` and `--site`: this exporter's vantage point, over each module's own. @default none */
  vantage?: Pick<PlanOptions, 'sourceName' | 'site'>;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface RunningExporter extends RunningServer {
  metrics: OwnMetrics;
  gate: ProbeGate;
}

export async function startExporter(opts: ExporterOptions): Promise<RunningExporter> {
  const metrics = ownMetrics();
  const gate = new ProbeGate(opts.maxConcurrentProbes, opts.maxQueuedProbes);
  const running = await serve({
    listen: opts.listen,
    web: opts.web,
    flag: '--web.listen-address',
    onUnauthorized: () => metrics.refused.inc({ reason: 'unauthorized' }),
    handler: async (req, res, url) => {
      if (url.pathname === '/probe') return probe(req, res, url, { ...opts, metrics, gate });
      if (url.pathname === '/metrics') return sendRegistry(res, metrics.registry);
      if (url.pathname === '/-/healthy' || url.pathname === '/-/ready') return sendText(res, 200, 'OK\n');
      if (url.pathname === '/') return sendText(res, 200, landingPage(opts));
      return sendText(res, 404, 'not found; see / for the endpoints\n');
    },
  });
  return { ...running, metrics, gate };
}

type ProbeContext = ExporterOptions & { metrics: OwnMetrics; gate: ProbeGate };

async function probe(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ProbeContext): Promise<void> {
  const started = Date.now();
  const refuse = (status: number, reason: RefusalReason, text: string) => {
    ctx.metrics.refused.inc({ reason });
    sendText(res, status, `${text}\n`);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(405, 'bad-request', 'only GET probes');
  let target: string;
  let module: ExporterModule;
  let budgetMs: number;
  try {
    target = targetOf(url.searchParams);
    module = moduleForQuery(url.searchParams, ctx.modules, ctx.catalog);
    const header = req.headers[SCRAPE_TIMEOUT_HEADER];
    budgetMs = probeBudgetMs(Array.isArray(header) ? header[0] : header, ctx.timeoutOffsetMs, module.timeoutMs);
  } catch (err) {
    if (isPortolanError(err)) return refuse(400, 'bad-request', err.message);
    throw err;
  }
  const options: PlanOptions = { ...module.options, ...ctx.vantage };
  const metrics = { labels: vantageLabels(options) };
  if (!ctx.allow.allows(target)) {
    return refuse(
      403,
      'target-not-allowed',
      `target "${target}" is not allowed; start the exporter with --allow-target`,
    );
  }
  // One deadline for waiting and checking; a Prometheus that gave up stops the check too.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), budgetMs);
  const onClose = () => {
    if (!res.writableFinished) deadline.abort();
  };
  res.once('close', onClose);
  try {
    ctx.metrics.queued.inc();
    const slot = await ctx.gate.acquire(deadline.signal);
    ctx.metrics.queued.dec();
    if (slot === 'busy') {
      return refuse(503, 'busy', `busy: ${ctx.gate.maxConcurrent} probes running and ${ctx.gate.maxQueued} waiting`);
    }
    if (slot === 'expired') {
      ctx.metrics.probeErrors.inc({ reason: 'timeout' });
      return sendRegistry(res, unjudgedRegistry(target, Date.now() - started, true, metrics));
    }
    ctx.metrics.probes.inc({ module: module.name ?? QUERY_MODULE_LABEL });
    ctx.metrics.inFlight.inc();
    const check = runProbe(target, { ...module, options }, deadline.signal, ctx).finally(() => {
      ctx.metrics.inFlight.dec();
      slot();
    });
    const outcome = await withinGrace(check, deadline.signal);
    if (outcome === 'late') {
      ctx.metrics.probeErrors.inc({ reason: 'timeout' });
      return sendRegistry(res, unjudgedRegistry(target, Date.now() - started, true, metrics));
    }
    // A name that did not resolve comes back as a result whose target carries the error.
    const unresolved = !(outcome instanceof Error) && outcome.targets.some((t) => t.error !== null);
    if (outcome instanceof Error || unresolved) {
      ctx.metrics.probeErrors.inc({ reason: unresolved ? 'target-unresolved' : 'internal' });
      return sendRegistry(res, unjudgedRegistry(target, Date.now() - started, deadline.signal.aborted, metrics));
    }
    return sendRegistry(res, probeRegistry(outcome, metrics));
  } finally {
    clearTimeout(timer);
    res.removeListener('close', onClose);
  }
}

/** One check of one target, waivers applied; errors are returned, not thrown. */
async function runProbe(
  target: string,
  module: ExporterModule,
  signal: AbortSignal,
  ctx: ProbeContext,
): Promise<RunResult | Error> {
  const request: CheckRequest = {
    targets: [{ name: target, origin: `exporter probe${module.name ? `, module ${module.name}` : ''}` }],
    ...module.scope,
    options: module.options,
    commandLine: ['portolan', 'exporter', `/probe?target=${target}&module=${module.name ?? QUERY_MODULE_LABEL}`],
    catalogDirs: ctx.catalogDirs,
    ...(module.options.responder && ctx.responderToken ? { responderToken: ctx.responderToken } : {}),
  };
  try {
    const result = await ctx.runCheck(request, { signal });
    if (module.waivers.length === 0) return result;
    return applyWaivers(result, module.waivers, { now: (ctx.now ?? (() => new Date()))() }).result;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** The check's outcome, or `'late'` when it has not ended ABORT_GRACE_MS after the deadline. */
async function withinGrace<T>(check: Promise<T>, deadline: AbortSignal): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    const arm = () => {
      timer = setTimeout(() => resolve('late'), ABORT_GRACE_MS);
    };
    if (deadline.aborted) arm();
    else deadline.addEventListener('abort', arm, { once: true });
  });
  try {
    return await Promise.race([check, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The one `target` parameter: a host name or an address, no port, no scheme. */
function targetOf(query: URLSearchParams): string {
  const all = query.getAll('target');
  if (all.length !== 1) {
    throw new PortolanError(
      'INVALID_VALUE',
      all.length === 0 ? 'target is missing; expected ?target=HOST' : 'target is given more than once; expected one',
    );
  }
  const target = (all[0] as string).trim();
  if (!isTargetName(target)) {
    throw new PortolanError(
      'INVALID_VALUE',
      `target "${target.slice(0, 80)}": expected a host name or an IP address (no port, no scheme)`,
    );
  }
  return target;
}

async function sendRegistry(res: ServerResponse, registry: Registry): Promise<void> {
  const body = await registry.metrics();
  res.writeHead(200, { 'content-type': prometheusContentType }).end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

function landingPage(opts: ExporterOptions): string {
  const modules = [...opts.modules.modules.keys()];
  return [
    'portolan exporter',
    '',
    'GET /probe?target=HOST&module=NAME          check HOST with a module of --config',
    'GET /probe?target=HOST&role=ROLE&port=88/udp  check HOST for roles, services or ports (no config needed)',
    'GET /metrics                                the exporter\u2019s own metrics',
    '',
    `modules: ${modules.length > 0 ? modules.join(', ') : 'none'}`,
    `allowed targets: ${opts.allow.patterns.length > 0 ? opts.allow.patterns.join(', ') : 'none (--allow-target)'}`,
    '',
  ].join('\n');
}
