/**
 * portolan exporter in the lab, the way the README's "Monitoring with Prometheus" sets it up:
 * in each client namespace an exporter on its documented default address (127.0.0.1:10088)
 * with the shipped modules file, and a real Prometheus (Debian's package) scraping it with the
 * shipped prometheus.yml (relabelling and rules as shipped; targets and intervals set for the
 * lab). The same Samba DC is healthy from one client and firewalled from the other: the test
 * asks each Prometheus' HTTP API what it recorded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { derivedConfig, prometheusMissing } from '../exporter/prometheus-config.js';
import { WALKTHROUGH } from '../exporter/walkthrough.js';
import { skipWithoutCheck } from './portolan.js';
import { REPO } from './probe-helpers.js';
import { currentLab } from './session.js';
import { HOSTS, type SourceId, SUBNET } from './topology.js';

const DC = HOSTS.dc.address;
/** One check of the DC role takes about 30 s from the firewalled client: a scrape every minute, cut at 55 s. */
const SCRAPE_SECONDS = 60;

interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** A long-running process inside a lab namespace; the lab's stop ends it too, whatever happens here. */
function spawnIn(source: SourceId, cmd: string, args: string[], log: string): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', HOSTS[source].ns, cmd, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (b: Buffer) => {
    lines.push(b.toString());
    writeFileSync(log, lines.join(''));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

/** GET `url` from inside the namespace of `source` (Prometheus and the exporter listen on its loopback). */
async function getIn(source: SourceId, url: string, timeoutMs = 15_000): Promise<string> {
  const script = `fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t),
    (e) => { process.stderr.write(String(e)); process.exit(1); });`;
  const out = await currentLab().exec(source, process.execPath, ['-e', script, url], { allowFailure: true, timeoutMs });
  if (out.code !== 0) throw new Error(`GET ${url} in ${source} failed: ${out.stderr}`);
  return out.stdout;
}

/** An instant query of the Prometheus inside `source`. */
async function query(source: SourceId, expr: string): Promise<Sample[]> {
  const text = await getIn(source, `http://127.0.0.1:9090/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = JSON.parse(text) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

async function waitFor(source: SourceId, expr: string, timeoutMs: number): Promise<Sample[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await query(source, expr).catch(() => []);
    if (found.length > 0) return found;
    await sleep(1_000);
  }
  throw new Error(`${source}: no ${expr} after ${timeoutMs} ms`);
}

interface Alert {
  labels: Record<string, string>;
  state: string;
}

/** The Kerberos PortolanServiceBroken alerts the Prometheus inside `source` holds now (its API, as README shows). */
async function kerberosAlerts(source: SourceId): Promise<Alert[]> {
  const body = JSON.parse(await getIn(source, WALKTHROUGH.alerts.url)) as { data: { alerts: Alert[] } };
  return body.data.alerts.filter((a) => a.labels.alertname === 'PortolanServiceBroken' && a.labels.service === 'kdc');
}

describe('portolan exporter scraped by a real Prometheus in each client namespace', function () {
  this.timeout(240_000);
  const children: ChildProcess[] = [];

  before(async function () {
    await skipWithoutCheck(this);
    const why = prometheusMissing();
    if (why !== null) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
    const lab = currentLab();
    for (const source of ['cli', 'fwc'] as const) {
      const dir = join(lab.runDir, `prometheus-${source}`);
      mkdirSync(dir, { recursive: true });
      children.push(
        spawnIn(
          source,
          process.execPath,
          ['--import=tsx', join(REPO, 'src/cli/bin.ts'), ...WALKTHROUGH.exporter.args(SUBNET)],
          join(dir, 'exporter.log'),
        ),
      );
      const config = derivedConfig({
        exporter: '127.0.0.1:10088',
        intervalSeconds: SCRAPE_SECONDS,
        scrapeTimeoutSeconds: 55,
        jobs: [{ job: 'portolan', params: { module: ['dc'] }, targets: [DC] }],
      });
      writeFileSync(join(dir, 'prometheus.yml'), config);
      children.push(
        spawnIn(
          source,
          'prometheus',
          [...WALKTHROUGH.prometheus.args(join(dir, 'prometheus.yml'), join(dir, 'data')), '--log.level=warn'],
          join(dir, 'prometheus.log'),
        ),
      );
    }
  });

  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((c) =>
        c.exitCode === null ? Promise.race([new Promise((r) => c.once('exit', r)), sleep(10_000)]) : null,
      ),
    );
  });

  it('from the healthy client: portolan_probe_success 1 for the DC, Kerberos ok', async () => {
    const success = await waitFor('cli', 'portolan_probe_success', 150_000);
    expect(success.map((s) => [s.metric.instance, s.metric.job, s.value])).to.deep.equal([[DC, 'portolan', 1]]);
    const kdc = await query('cli', 'portolan_service_status{service="kdc"} == 1');
    expect(kdc.map((s) => s.metric.status)).to.deep.equal(['ok']);
  });

  it('from the firewalled client: portolan_probe_success 0, and the Kerberos status series says broken', async () => {
    const success = await waitFor('fwc', 'portolan_probe_success', 150_000);
    expect(success.map((s) => [s.metric.instance, s.value])).to.deep.equal([[DC, 0]]);
    const kdc = await query('fwc', WALKTHROUGH.query.expr);
    expect(kdc.map((s) => [s.metric.instance, s.metric.role, s.metric.status])).to.deep.equal([
      [DC, 'domain-controller', 'broken'],
    ]);
    const udp88 = await query('fwc', 'portolan_port_state{service="kdc",protocol="udp",port="88"} == 1');
    expect(udp88.map((s) => s.metric.state)).to.satisfy(
      (states: string[]) => states.length === 1 && ['filtered', 'open|filtered'].includes(states[0] as string),
    );
    const smb = await query('fwc', 'portolan_port_state{protocol="tcp",port="445",state="closed"} == 1');
    expect(smb.length, 'SMB reset by the firewall').to.be.greaterThan(0);
  });

  it('a probe by hand, as README shows it: success 1 from the healthy client, 0 from the firewalled one', async () => {
    const healthy = await getIn('cli', WALKTHROUGH.probe.url(DC), 60_000);
    expect(healthy).to.match(new RegExp(`^portolan_probe_success\\{target="${DC.replaceAll('.', '\\.')}"\\} 1$`, 'm'));
    const firewalled = await getIn('fwc', WALKTHROUGH.probe.url(DC), 60_000);
    expect(firewalled).to.match(
      /^portolan_service_status\{target="[\d.]+",role="domain-controller",service="kdc",status="broken"\} 1$/m,
    );
  });

  it('the shipped rules: Kerberos broken is pending on the firewalled side only, and every scrape succeeded', async () => {
    // The alert API, not the ALERTS series: Prometheus writes ALERTS only once it has restored
    // alert state after a restart, two evaluations (here 2 minutes) after it starts, while the
    // API shows the alert pending from the first evaluation that sees Kerberos broken.
    const deadline = Date.now() + 90_000;
    let kerberos = await kerberosAlerts('fwc');
    while (kerberos.length === 0 && Date.now() < deadline) {
      await sleep(1_000);
      kerberos = await kerberosAlerts('fwc');
    }
    expect(kerberos.map((a) => [a.labels.service, a.labels.target, a.state])).to.deep.equal([['kdc', DC, 'pending']]);
    // The healthy side evaluates the same rule file at the same moments (Prometheus aligns a
    // group's evaluations to the clock by its name), on data as old: it holds no such alert.
    expect(await kerberosAlerts('cli')).to.deep.equal([]);
    for (const source of ['cli', 'fwc'] as const) {
      const up = await query(source, 'up');
      expect(up.map((s) => [s.metric.job, s.value]).sort(), source).to.deep.equal([
        ['portolan', 1],
        ['portolan-exporter', 1],
      ]);
    }
    const duration = await query('fwc', 'portolan_probe_duration_seconds');
    console.log(`    firewalled DC check took ${duration[0]?.value.toFixed(1)} s per scrape`);
  });
});
