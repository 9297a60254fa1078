/**
 * The exporter's own metrics, served on `/metrics` (never on `/probe`): prom-client's
 * process and Node.js defaults, and what the exporter did. Each instance has its own
 * registry, so tests and a process running several servers never share counters.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** Why a scrape was answered without probing; bounded, one series each. */
export type RefusalReason = 'target-not-allowed' | 'bad-request' | 'unauthorized' | 'busy';

/** Why a probe ran but could not judge the target; bounded. */
export type ProbeErrorReason = 'target-unresolved' | 'timeout' | 'internal';

export interface OwnMetrics {
  registry: Registry;
  probes: Counter<'module'>;
  probeErrors: Counter<'reason'>;
  refused: Counter<'reason'>;
  inFlight: Gauge;
  queued: Gauge;
}

/** A module label for probes that named roles, services or ports in the query instead of a module. */
export const QUERY_MODULE_LABEL = '(query)';

export function ownMetrics(): OwnMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const refused = new Counter({
    name: 'portolan_exporter_scrapes_refused_total',
    help: 'Scrapes answered without probing: target-not-allowed (403), bad-request (400), unauthorized (401), busy (503).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of ['target-not-allowed', 'bad-request', 'unauthorized', 'busy'] satisfies RefusalReason[]) {
    refused.inc({ reason }, 0);
  }
  const probeErrors = new Counter({
    name: 'portolan_exporter_probe_errors_total',
    help: 'Probes that ran but could not judge the target: target-unresolved, timeout (no result before the budget), internal.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of ['target-unresolved', 'timeout', 'internal'] satisfies ProbeErrorReason[]) {
    probeErrors.inc({ reason }, 0);
  }
  return {
    registry,
    refused,
    probeErrors,
    probes: new Counter({
      name: 'portolan_exporter_probes_total',
      help: `Probes run, by module (${QUERY_MODULE_LABEL} for role=/service=/port= queries).`,
      labelNames: ['module'] as const,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'portolan_exporter_probes_in_flight',
      help: 'Probes running now; never above --max-concurrent-probes.',
      registers: [registry],
    }),
    queued: new Gauge({
      name: 'portolan_exporter_probes_queued',
      help: 'Scrapes waiting for a probe slot now.',
      registers: [registry],
    }),
  };
}
