/**
 * The commands of README's "Monitoring with Prometheus" walkthrough, as the tests run them:
 * `readme` is the line exactly as README shows it (readme.test.ts keeps the two equal, both
 * ways), and the rest is what a test substitutes to run it here (a lab address for 10.0.0.0/8,
 * a temp dir for /var/tmp). Each entry names the test that runs it.
 */
import { join, resolve } from 'node:path';

const PROMETHEUS_DIR = resolve(import.meta.dirname, '..', '..', 'checks', 'prometheus');

export const WALKTHROUGH = {
  install: {
    readme: 'sudo apt-get install prometheus',
    runBy: '.ci/lab-deps.sh (CI installs the package before every test)',
  },
  npmCi: { readme: 'npm ci', runBy: '.ci/run' },
  exporter: {
    readme: 'npx portolan exporter --config checks/prometheus/exporter.yml --allow-target 10.0.0.0/8',
    runBy: 'test/lab/exporter.test.ts',
    args: (allow: string) => ['exporter', '--config', join(PROMETHEUS_DIR, 'exporter.yml'), '--allow-target', allow],
  },
  probe: {
    readme: "curl 'http://127.0.0.1:10088/probe?target=10.0.0.5&module=dc'",
    runBy: 'test/lab/exporter.test.ts',
    url: (target: string) => `http://127.0.0.1:10088/probe?target=${target}&module=dc`,
  },
  checkConfig: {
    readme: 'promtool check config checks/prometheus/prometheus.yml',
    runBy: 'test/exporter/prometheus.test.ts',
    args: ['check', 'config', join(PROMETHEUS_DIR, 'prometheus.yml')],
  },
  prometheus: {
    readme:
      'prometheus --config.file=checks/prometheus/prometheus.yml --storage.tsdb.path=/var/tmp/portolan-prometheus',
    runBy:
      'test/lab/exporter.test.ts and test/exporter/prometheus.test.ts (with the targets and intervals set for the test)',
    args: (config: string, data: string) => [`--config.file=${config}`, `--storage.tsdb.path=${data}`],
  },
  query: {
    readme: `curl -sG http://127.0.0.1:9090/api/v1/query --data-urlencode 'query=portolan_service_status{service="kdc"} == 1'`,
    runBy: 'test/lab/exporter.test.ts',
    expr: 'portolan_service_status{service="kdc"} == 1',
  },
  alerts: {
    readme: "curl -s 'http://127.0.0.1:9090/api/v1/alerts'",
    runBy: 'test/lab/exporter.test.ts',
    url: 'http://127.0.0.1:9090/api/v1/alerts',
  },
} as const;
