/**
 * Prometheus for the tests, without portolan's own modules: whether Debian's package is here,
 * and a config derived from the shipped checks/prometheus/prometheus.yml. Kept apart from
 * support.ts because the lab suite imports it, and the lab's root hooks share their session
 * only with test files whose imports load synchronously (no top-level await).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const PROMETHEUS_DIR = join(REPO, 'checks', 'prometheus');

/** Why Prometheus' tools cannot run here, or null when they can. */
export function prometheusMissing(): string | null {
  for (const tool of ['prometheus', 'promtool']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      return `\`${tool}\` is not installed (apt-get install prometheus; CI installs it through .ci/lab-deps.sh)`;
    }
  }
  return null;
}

export interface ProbeJob {
  job: string;
  /** Query parameters of the probe, e.g. `{ module: ['dc'] }`. */
  params: Record<string, string[]>;
  targets: string[];
}

/**
 * The shipped prometheus.yml with its probe job cloned once per `jobs` entry (relabelling
 * kept, only the exporter's address in it replaced), the exporter job pointed at `exporter`,
 * the shipped rules loaded, and intervals short enough for a test.
 */
export function derivedConfig(opts: {
  exporter: string;
  jobs: ProbeJob[];
  intervalSeconds: number;
  scrapeTimeoutSeconds: number;
}): string {
  const shipped = parse(readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8'));
  const probeJob = shipped.scrape_configs.find((j: { job_name: string }) => j.job_name === 'portolan');
  const ownJob = shipped.scrape_configs.find((j: { job_name: string }) => j.job_name === 'portolan-exporter');
  const interval = `${opts.intervalSeconds}s`;
  const relabel = (probeJob.relabel_configs as Record<string, unknown>[]).map((r) =>
    r.target_label === '__address__' ? { ...r, replacement: opts.exporter } : r,
  );
  return stringify({
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: [join(PROMETHEUS_DIR, 'portolan-rules.yml')],
    scrape_configs: [
      ...opts.jobs.map((j) => ({
        ...probeJob,
        job_name: j.job,
        scrape_interval: interval,
        scrape_timeout: `${opts.scrapeTimeoutSeconds}s`,
        params: j.params,
        static_configs: [{ targets: j.targets }],
        relabel_configs: relabel,
      })),
      { ...ownJob, scrape_interval: interval, static_configs: [{ targets: [opts.exporter] }] },
    ],
  });
}
