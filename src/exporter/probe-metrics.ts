/**
 * A run's result as Prometheus metrics, in the exposition format prom-client writes. The
 * names and labels are a public contract (README "Monitoring with Prometheus"), shared by
 * the exporter's `/probe` (one target per scrape) and the agent's `--metrics-listen` (every
 * target of its latest run). Labels are bounded: target names the operator configured,
 * catalog ids, protocols, ports and the closed state vocabularies; no evidence text ever
 * becomes a label. Status and state are state sets: one series per value, 1 for the current.
 */
import { Gauge, Registry } from 'prom-client';
import { rootCausesOf } from '../analyze/root-causes.js';
import { type Observation, type ProbeState, type RunResult, SEVERITY_ORDER, type ServiceStatus } from '../model.js';
import { type PlanOptions, siteLabels } from '../run-options.js';

/** Every service status, as the state set's series (a new status is a compile error here). */
const SERVICE_STATUSES = Object.keys({
  ok: true,
  degraded: true,
  broken: true,
  inconclusive: true,
  absent: true,
} satisfies Record<ServiceStatus, true>) as ServiceStatus[];

/**
 * Every probe state, ordered for the one series a (service, protocol, port) gets when a
 * target has several addresses: the state that needs action first (a block over a refusal,
 * a refusal over doubt, anything over open), so one healthy address never hides a blocked one.
 */
const STATE_ORDER: Record<ProbeState, number> = {
  filtered: 0,
  closed: 1,
  error: 2,
  'open|filtered': 3,
  untestable: 4,
  open: 5,
};
const PROBE_STATES = Object.keys(STATE_ORDER) as ProbeState[];

/** Every metric a result becomes: name -> help. The names are the public contract. */
const HELP = {
  portolan_probe_success:
    '1 when the target is compliant (every required port answered as expected) and the check completed, else 0.',
  portolan_probe_duration_seconds: 'How long the check took, in seconds.',
  portolan_probe_incomplete:
    '1 when the check was cut before every probe finished (the time budget ran out): the result is partial.',
  portolan_catalog_info: 'The catalog the check used: its digest, and the portolan version.',
  portolan_expectation_failures: 'Expectations (service, port row) that failed on the target, after waivers.',
  portolan_root_causes:
    'Root causes on the target by severity (outage, inconclusive, waived, notice): one per blocked port, port range or whole-host problem, however many services it breaks.',
  portolan_service_status:
    'Service status as a state set: 1 for the current status (ok, degraded, broken, inconclusive, absent), 0 for the others.',
  portolan_port_state:
    'Port state as a state set (open, closed, filtered, open|filtered, error, untestable): 1 for the current state.',
  portolan_port_rtt_seconds:
    'Round trip of the exchange that decided the port state, in seconds (ports that answered).',
} as const;

type MetricName = keyof typeof HELP;

/** The names a result's metrics may carry (README documents each). */
export const PROBE_METRIC_NAMES = Object.keys(HELP) as readonly MetricName[];

/** A gauge of `registry` with its contract's help text. */
function gaugeIn<L extends string>(registry: Registry, name: MetricName, labelNames: readonly L[] = []): Gauge<L> {
  return new Gauge<L>({ name, help: HELP[name], labelNames, registers: [registry] });
}

export interface ProbeMetricsOptions {
  /**
   * Labels put on every series of the result (prom-client default labels): the vantage
   * point's, as `vantageLabels` makes them.
   */
  labels?: Readonly<Record<string, string>>;
}

/**
 * The vantage point's labels for every series: `source` when the operator named it
 * (`--source-name`, a plan's `sourceName`), and each `--site` label. Only labels the operator
 * chose, so a process has one fixed set: bounded, and none at all unless asked for.
 */
export function vantageLabels(options: Pick<PlanOptions, 'sourceName' | 'site'>): Record<string, string> {
  return { ...(options.sourceName ? { source: options.sourceName } : {}), ...siteLabels(options.site ?? []) };
}

/** The result's metrics in a registry of their own; `await registry.metrics()` writes them. */
export function probeRegistry(result: RunResult, opts: ProbeMetricsOptions = {}): Registry {
  const registry = new Registry();
  if (opts.labels) registry.setDefaultLabels({ ...opts.labels });
  const gauge = <L extends string>(name: MetricName, labelNames: readonly L[] = []) =>
    gaugeIn(registry, name, labelNames);

  gauge('portolan_probe_duration_seconds').set(result.run.durationMs / 1000);
  gauge('portolan_probe_incomplete').set(result.run.incomplete ? 1 : 0);
  gauge('portolan_catalog_info', ['digest', 'version'] as const).set(
    { digest: result.catalog.digest, version: result.tool.version },
    1,
  );

  const success = gauge('portolan_probe_success', ['target'] as const);
  for (const [target, compliant] of targetCompliance(result)) {
    success.set({ target }, compliant && !result.run.incomplete ? 1 : 0);
  }

  const failures = gauge('portolan_expectation_failures', ['target'] as const);
  for (const t of result.targets) failures.set({ target: t.name }, 0);
  for (const v of result.verdicts.expectations) if (v.status === 'fail') failures.inc({ target: v.target });

  // What to fix, counted the way the reports list it: one blocked 445/tcp is 1, not one per service.
  const causes = gauge('portolan_root_causes', ['target', 'severity'] as const);
  for (const t of result.targets) for (const severity of SEVERITY_ORDER) causes.set({ target: t.name, severity }, 0);
  for (const c of rootCausesOf(result)) causes.inc({ target: c.target, severity: c.severity });

  const status = gauge('portolan_service_status', ['target', 'role', 'service', 'status'] as const);
  for (const s of result.verdicts.services) {
    for (const value of SERVICE_STATUSES) {
      status.set(
        { target: s.target, role: s.role ?? '', service: s.service, status: value },
        s.status === value ? 1 : 0,
      );
    }
  }

  const ports = portObservations(result);
  const state = gauge('portolan_port_state', ['target', 'service', 'protocol', 'port', 'state'] as const);
  for (const p of ports.byService.values()) {
    for (const value of PROBE_STATES) {
      state.set({ ...p.labels, state: value }, p.observation.state === value ? 1 : 0);
    }
  }
  const rtt = gauge('portolan_port_rtt_seconds', ['target', 'protocol', 'port'] as const);
  for (const [labels, seconds] of ports.rtt.values()) rtt.set(labels, seconds);
  return registry;
}

/** Per target: compliant under every role it was checked for, and resolved. */
function targetCompliance(result: RunResult): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const t of result.targets) out.set(t.name, t.error === null);
  for (const v of result.verdicts.targets) {
    out.set(v.target, (out.get(v.target) ?? true) && v.status === 'compliant');
  }
  return out;
}

type PortLabels = { target: string; service: string; protocol: string; port: string };

/**
 * One observation per (target, service, protocol, port), the most pressing one where a
 * target has several addresses; and the slowest answered round trip per (target, protocol, port).
 */
function portObservations(result: RunResult): {
  byService: Map<string, { labels: PortLabels; observation: Observation }>;
  rtt: Map<string, [Omit<PortLabels, 'service'>, number]>;
} {
  const byService = new Map<string, { labels: PortLabels; observation: Observation }>();
  const rtt = new Map<string, [Omit<PortLabels, 'service'>, number]>();
  for (const v of result.verdicts.expectations) {
    for (const index of v.observations) {
      const o = result.observations[index];
      if (!o) continue;
      const port = portLabel(o);
      const labels = { target: v.target, service: v.service, protocol: o.protocol, port };
      const key = JSON.stringify(labels);
      const seen = byService.get(key);
      if (!seen || STATE_ORDER[o.state] < STATE_ORDER[seen.observation.state])
        byService.set(key, { labels, observation: o });
      if (o.rttMs === null) continue;
      const rttLabels = { target: v.target, protocol: o.protocol, port };
      const rttKey = JSON.stringify(rttLabels);
      const slowest = Math.max(o.rttMs / 1000, rtt.get(rttKey)?.[1] ?? 0);
      rtt.set(rttKey, [rttLabels, slowest]);
    }
  }
  return { byService, rtt };
}

/** The port number; for a bare IP protocol (GRE, ESP) its protocol number; empty for ICMP. */
function portLabel(o: Observation): string {
  if (o.port !== null) return String(o.port);
  if (o.ipProtocol !== null && o.ipProtocol !== undefined) return String(o.ipProtocol);
  return '';
}

/**
 * The answer when a probe produced no result (the name did not resolve, or the check did not
 * return within its budget): success 0, so the target reads as failing, not the exporter as down.
 */
export function unjudgedRegistry(
  target: string,
  durationMs: number,
  incomplete: boolean,
  opts: ProbeMetricsOptions = {},
): Registry {
  const registry = new Registry();
  if (opts.labels) registry.setDefaultLabels({ ...opts.labels });
  gaugeIn(registry, 'portolan_probe_duration_seconds').set(durationMs / 1000);
  gaugeIn(registry, 'portolan_probe_incomplete').set(incomplete ? 1 : 0);
  gaugeIn(registry, 'portolan_probe_success', ['target'] as const).set({ target }, 0);
  return registry;
}
