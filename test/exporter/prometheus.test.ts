/**
 * The shipped checks/prometheus/ files against Debian's real Prometheus: promtool checks the
 * scrape config and the rules and runs the rules' unit tests; then a real Prometheus scrapes
 * an exporter on 127.0.0.1 through the shipped relabelling, evaluates the shipped rules, and
 * every query of the shipped Grafana dashboard runs against it. Without the `prometheus`
 * package this file skips, saying why; CI installs it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadCatalog } from '../../src/catalog/load.js';
import type { RunningExporter } from '../../src/exporter/exporter.js';
import { loadModules } from '../../src/exporter/modules.js';
import { tcpListener } from '../support/fake-servers.js';
import {
  derivedConfig,
  eventually,
  PROMETHEUS_DIR,
  query,
  skipWithoutPrometheus,
  startPrometheus,
  type TestPrometheus,
  testExporter,
} from './support.js';
import { WALKTHROUGH } from './walkthrough.js';

const promtool = (...args: string[]) => execFileSync('promtool', args, { cwd: PROMETHEUS_DIR, encoding: 'utf8' });

describe('checks/prometheus/ with promtool', function () {
  this.timeout(60_000);
  before(function () {
    skipWithoutPrometheus(this);
  });

  it('promtool check config accepts the shipped prometheus.yml and the rules it loads', () => {
    const out = promtool(...WALKTHROUGH.checkConfig.args);
    expect(out).to.match(/SUCCESS: \S*prometheus\.yml is valid/);
    expect(out).to.match(/SUCCESS: 4 rules found/);
  });

  it('promtool check rules accepts portolan-rules.yml', () => {
    expect(promtool('check', 'rules', 'portolan-rules.yml')).to.match(/SUCCESS: 4 rules found/);
  });

  it('promtool test rules: the Kerberos, role, port-change and exporter-down alerts fire when and as they should', () => {
    expect(promtool('test', 'rules', 'portolan-rules.test.yml')).to.match(/SUCCESS/);
  });

  it('promtool test rules fails when the service alert waits less than 10 minutes (the unit test can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portolan-rules-'));
    try {
      writeFileSync(
        join(dir, 'portolan-rules.yml'),
        readFileSync(join(PROMETHEUS_DIR, 'portolan-rules.yml'), 'utf8').replace('for: 10m', 'for: 5m'),
      );
      writeFileSync(
        join(dir, 'portolan-rules.test.yml'),
        readFileSync(join(PROMETHEUS_DIR, 'portolan-rules.test.yml'), 'utf8'),
      );
      expect(() =>
        execFileSync('promtool', ['test', 'rules', 'portolan-rules.test.yml'], { cwd: dir, stdio: 'pipe' }),
      ).to.throw(/PortolanServiceBroken/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a real Prometheus scraping portolan exporter on 127.0.0.1 with the shipped relabelling', function () {
  this.timeout(120_000);
  let prometheus: TestPrometheus | undefined;
  let exporter: RunningExporter | undefined;
  let listener: Awaited<ReturnType<typeof tcpListener>> | undefined;
  let dir: string;
  // Nothing listens on this loopback address's Kerberos ports, so its Kerberos is broken.
  const KERBEROS_TARGET = '127.0.0.77';

  before(async function () {
    skipWithoutPrometheus(this);
    listener = await tcpListener();
    dir = mkdtempSync(join(tmpdir(), 'portolan-exporter-e2e-'));
    writeFileSync(
      join(dir, 'exporter.yml'),
      `version: 1\nmodules:\n  open:\n    ports: [${listener.port}/tcp]\n  kerberos:\n    services: [kdc]\n    options:\n      timeoutMs: 500\n      retries: 0\n`,
    );
    exporter = await testExporter({ modules: await loadModules(join(dir, 'exporter.yml'), await loadCatalog()) });
    prometheus = await startPrometheus(
      derivedConfig({
        exporter: exporter.address,
        intervalSeconds: 2,
        scrapeTimeoutSeconds: 2,
        jobs: [
          { job: 'portolan', params: { module: ['open'] }, targets: ['127.0.0.1'] },
          { job: 'portolan-kerberos', params: { module: ['kerberos'] }, targets: [KERBEROS_TARGET] },
        ],
      }),
    );
  });

  after(async () => {
    await prometheus?.stop();
    await exporter?.close();
    await listener?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const series = (expr: string) =>
    eventually(
      async () => {
        const found = await query(prometheus?.url as string, expr);
        return found.length > 0 ? found : undefined;
      },
      30_000,
      expr,
    );

  it('portolan_probe_success is 1 for the healthy target and 0 for the one whose Kerberos is blocked, instance = target', async () => {
    const healthy = await series('portolan_probe_success{job="portolan"}');
    expect(healthy.map((s) => [s.metric.instance, s.metric.target, s.value])).to.deep.equal([
      ['127.0.0.1', '127.0.0.1', 1],
    ]);
    const broken = await series('portolan_probe_success{job="portolan-kerberos"}');
    expect(broken.map((s) => [s.metric.instance, s.value])).to.deep.equal([[KERBEROS_TARGET, 0]]);
  });

  it("the Kerberos service's status series says broken", async () => {
    const status = await series('portolan_service_status{service="kdc"} == 1');
    expect(status.map((s) => [s.metric.instance, s.metric.status])).to.deep.equal([[KERBEROS_TARGET, 'broken']]);
    const ports = await series(`portolan_port_state{instance="${KERBEROS_TARGET}",service="kdc",port="88"} == 1`);
    expect(ports.map((s) => `${s.metric.protocol}/${s.metric.port} ${s.metric.state}`).sort()).to.deep.equal([
      'tcp/88 closed',
      'udp/88 closed',
    ]);
    // Each refused port kdc requires is one root cause to fix (88 and 464 over TCP and UDP,
    // 389/udp); the healthy target has none.
    const causes = await series('portolan_root_causes{severity="outage"}');
    expect(causes.map((s) => [s.metric.instance, s.value]).sort()).to.deep.equal([
      ['127.0.0.1', 0],
      [KERBEROS_TARGET, 5],
    ]);
  });

  it('every scrape succeeded (up 1) within the scrape timeout, the exporter job included', async () => {
    // Each job is scraped at its own offset within the interval: wait until all three have been.
    const up = await eventually(
      async () => {
        const found = await query(prometheus?.url as string, 'up');
        return found.length === 3 ? found : undefined;
      },
      30_000,
      'a scrape of every job',
    );
    expect(up.map((s) => [s.metric.job, s.value]).sort()).to.deep.equal([
      ['portolan', 1],
      ['portolan-exporter', 1],
      ['portolan-kerberos', 1],
    ]);
    const duration = await series('portolan_probe_duration_seconds{job="portolan-kerberos"}');
    expect(duration[0]?.value).to.be.below(2);
  });

  it('the shipped rules load and evaluate: PortolanServiceBroken is pending for Kerberos (it fires after 10 minutes)', async () => {
    const alert = await eventually(
      async () => {
        const res = (await (await fetch(`${prometheus?.url}/api/v1/alerts`)).json()) as {
          data: { alerts: { labels: Record<string, string>; state: string }[] };
        };
        return res.data.alerts.find((a) => a.labels.alertname === 'PortolanServiceBroken');
      },
      30_000,
      'PortolanServiceBroken',
    );
    expect(alert.state).to.equal('pending');
    expect(alert.labels).to.include({ service: 'kdc', target: KERBEROS_TARGET, severity: 'warning' });
    const rules = (await (await fetch(`${prometheus?.url}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string }[] }[] };
    };
    const loaded = rules.data.groups.flatMap((g) => g.rules);
    expect(loaded.map((r) => r.name).sort()).to.deep.equal([
      'PortolanExporterDown',
      'PortolanPortStateChanged',
      'PortolanRoleBroken',
      'PortolanServiceBroken',
    ]);
    expect(
      loaded.every((r) => r.health === 'ok'),
      JSON.stringify(loaded),
    ).to.equal(true);
  });

  it("every query of the shipped Grafana dashboard runs, and the status and failing-port panels show Kerberos' ports", async () => {
    const dashboard = JSON.parse(readFileSync(join(PROMETHEUS_DIR, 'grafana-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
      templating: { list: { name: string; definition?: string }[] };
    };
    const exprs = dashboard.panels.flatMap((p) =>
      p.targets.map((t) => ({ panel: p.title, expr: t.expr.replaceAll('$target', '.*') })),
    );
    expect(exprs.length).to.be.at.least(5);
    for (const { panel, expr } of exprs) {
      const found = await series(expr);
      expect(found.length, `${panel}: ${expr}`).to.be.greaterThan(0);
    }
    const failing = await query(
      prometheus?.url as string,
      exprs.find((e) => e.panel === 'Failing ports')?.expr as string,
    );
    expect(failing.some((s) => s.metric.service === 'kdc' && s.metric.port === '88')).to.equal(true);
    const variable = dashboard.templating.list.find((v) => v.name === 'target');
    expect(variable?.definition).to.equal('label_values(portolan_probe_success, target)');
  });
});
