/**
 * `portolan agent --metrics-listen ADDR`: the agent's latest scheduled result under the same
 * metric names as the exporter's `/probe` (every target of the plan, each series labelled
 * with its `target`), for sites that prefer a schedule to on-demand probes. A scrape never
 * probes: it reads what the last run found, and `portolan_agent_last_run_timestamp_seconds`
 * says how old that is.
 */
import { Counter, collectDefaultMetrics, Gauge, prometheusContentType, Registry } from 'prom-client';
import type { RunResult } from '../model.js';
import { type ListenAddress, type RunningServer, serve } from './http-server.js';
import { probeRegistry } from './probe-metrics.js';
import type { WebConfig } from './web-config.js';

export interface LatestResultServer extends RunningServer {
  /** Record a finished run, each series with `labels` (the vantage point's); the next scrape shows it. */
  update(result: RunResult, labels?: Readonly<Record<string, string>>): void;
}

export async function serveLatestResult(listen: ListenAddress, web: WebConfig): Promise<LatestResultServer> {
  const own = new Registry();
  collectDefaultMetrics({ register: own });
  const lastRun = new Gauge({
    name: 'portolan_agent_last_run_timestamp_seconds',
    help: 'When the latest run the metrics show ended (Unix time); alert when it grows old.',
    registers: [own],
  });
  const runs = new Counter({
    name: 'portolan_agent_runs_total',
    help: 'Scheduled runs that produced a result since the agent started.',
    registers: [own],
  });
  let latest: Registry | null = null;
  const running = await serve({
    listen,
    web,
    flag: '--metrics-listen',
    handler: async (_req, res, url) => {
      if (url.pathname !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('see /metrics\n');
        return;
      }
      const registry = latest ? Registry.merge([own, latest]) : own;
      res.writeHead(200, { 'content-type': prometheusContentType }).end(await registry.metrics());
    },
  });
  return {
    ...running,
    update(result, labels) {
      latest = probeRegistry(result, labels ? { labels } : {});
      lastRun.set(Date.parse(result.run.endedAt) / 1000);
      runs.inc();
    },
  };
}
