/**
 * `portolan exporter` over real HTTP on 127.0.0.1 with the real runCheck against loopback
 * listeners: healthy and failing probes, the metrics contract (checked by promtool), bad
 * input, a scrape cut by its time budget, and 100 scrapes at once against the probe cap.
 */
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { runCheck } from '../../src/check/run-check.js';
import { PROBE_METRIC_NAMES } from '../../src/exporter/probe-metrics.js';
import type { RunCheck } from '../../src/plan/types.js';
import { closedTcpPort, tcpListener, udpServer } from '../support/fake-servers.js';
import { prometheusMissing, testExporter } from './support.js';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(url: string, timeoutSeconds = '10'): Promise<{ status: number; body: string; ms: number }> {
  const started = Date.now();
  const res = await fetch(url, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': timeoutSeconds } });
  return { status: res.status, body: await res.text(), ms: Date.now() - started };
}

describe('portolan exporter /probe', function () {
  this.timeout(60_000);

  it('answers success 1 for a target whose port answers, and 0 with the port closed', async () => {
    const listener = await tcpListener();
    const closed = await closedTcpPort();
    const exporter = await testExporter();
    try {
      const ok = await scrape(`http://${exporter.address}/probe?target=127.0.0.1&port=${listener.port}/tcp`);
      expect(ok.status).to.equal(200);
      expect(value(ok.body, 'portolan_probe_success{target="127.0.0.1"}')).to.equal(1);
      expect(value(ok.body, 'portolan_probe_incomplete')).to.equal(0);
      expect(
        value(
          ok.body,
          `portolan_port_state{target="127.0.0.1",service="adhoc",protocol="tcp",port="${listener.port}",state="open"}`,
        ),
      ).to.equal(1);
      expect(ok.body).to.match(
        new RegExp(
          `^portolan_port_rtt_seconds\\{target="127.0.0.1",protocol="tcp",port="${listener.port}"\\} 0\\.\\d+$`,
          'm',
        ),
      );
      const bad = await scrape(`http://${exporter.address}/probe?target=127.0.0.1&port=${closed}/tcp`);
      expect(value(bad.body, 'portolan_probe_success{target="127.0.0.1"}')).to.equal(0);
      expect(value(bad.body, 'portolan_expectation_failures{target="127.0.0.1"}')).to.equal(1);
      expect(
        value(
          bad.body,
          `portolan_port_state{target="127.0.0.1",service="adhoc",protocol="tcp",port="${closed}",state="closed"}`,
        ),
      ).to.equal(1);
      const own = await (await fetch(`http://${exporter.address}/metrics`)).text();
      expect(value(own, 'portolan_exporter_probes_total{module="(query)"}')).to.equal(2);
      expect(own).to.match(/^process_resident_memory_bytes \d+/m);
    } finally {
      await exporter.close();
      await listener.close();
    }
  });

  it('the domain-controller role against loopback: a state set per service and port, only contract names, promtool clean', async () => {
    const exporter = await testExporter();
    try {
      const { status, body, ms } = await scrape(
        `http://${exporter.address}/probe?target=127.0.0.1&role=domain-controller`,
      );
      expect(status).to.equal(200);
      console.log(
        `    DC role against loopback: ${ms} ms, ${body.length} bytes, ${body.split('\n').filter((l) => l && !l.startsWith('#')).length} series`,
      );
      const names = new Set(
        body
          .split('\n')
          .filter((l) => l && !l.startsWith('#'))
          .map((l) => l.split(/[{ ]/)[0]),
      );
      expect([...names].sort()).to.deep.equal([...PROBE_METRIC_NAMES].sort());
      // Exactly one status per (role, service), one state per (service, protocol, port).
      const ones = new Map<string, number>();
      for (const line of body.split('\n').filter((l) => l.startsWith('portolan_service_status{'))) {
        const key = line.replace(/,status="[^"]+"\} \d+$/, '');
        ones.set(key, (ones.get(key) ?? 0) + Number(line.endsWith(' 1')));
      }
      expect(ones.size).to.be.greaterThan(5);
      expect(
        [...ones.values()].every((n) => n === 1),
        JSON.stringify([...ones]),
      ).to.equal(true);
      expect(
        value(
          body,
          'portolan_service_status{target="127.0.0.1",role="domain-controller",service="kdc",status="broken"}',
        ),
        'nothing serves Kerberos on loopback',
      ).to.equal(1);
      // Labels hold ids and numbers, never evidence text.
      for (const line of body.split('\n').filter((l) => l.startsWith('portolan_port_state{'))) {
        expect(line).to.match(
          /^portolan_port_state\{target="127\.0\.0\.1",service="[a-z0-9-]+",protocol="(tcp|udp|icmp|ip)",port="\d*",state="(open|closed|filtered|open\|filtered|error|untestable)"\} [01]$/,
        );
      }
      if (prometheusMissing() !== null) {
        console.log(`    (promtool check metrics skipped: ${prometheusMissing()})`);
        return;
      }
      const lint = execFileSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
      expect(lint.trim(), 'promtool check metrics').to.equal('');
    } finally {
      await exporter.close();
    }
  });

  it('bad input: 400 for a missing, doubled or malformed target, an unknown module, a bad port, a bad header; 405 for POST', async () => {
    const exporter = await testExporter();
    const base = `http://${exporter.address}/probe`;
    try {
      const cases: [string, RegExp][] = [
        ['?role=domain-controller', /target is missing/],
        ['?target=127.0.0.1&target=127.0.0.2&role=domain-controller', /more than once/],
        ['?target=http://127.0.0.1/&role=domain-controller', /expected a host name or an IP address/],
        ['?target=127.0.0.1:88&role=domain-controller', /expected a host name or an IP address/],
        ['?target=127.0.0.1&module=dc', /unknown module "dc"/],
        ['?target=127.0.0.1', /nothing to check/],
        ['?target=127.0.0.1&port=88/gre', /88\/gre/],
        ['?target=%00&role=domain-controller', /expected a host name/],
      ];
      for (const [query, message] of cases) {
        const res = await scrape(`${base}${query}`);
        expect(res.status, query).to.equal(400);
        expect(res.body, query).to.match(message);
      }
      const header = await scrape(`${base}?target=127.0.0.1&port=88/tcp`, 'soon');
      expect(header.status).to.equal(400);
      expect(header.body).to.match(/x-prometheus-scrape-timeout-seconds "soon"/);
      expect((await fetch(`${base}?target=127.0.0.1&port=88/tcp`, { method: 'POST' })).status).to.equal(405);
      expect((await fetch(`http://${exporter.address}/nope`)).status).to.equal(404);
      const own = await (await fetch(`http://${exporter.address}/metrics`)).text();
      expect(value(own, 'portolan_exporter_scrapes_refused_total{reason="bad-request"}')).to.equal(cases.length + 2);
    } finally {
      await exporter.close();
    }
  });

  it('a target outside --allow-target: 403, counted, and nothing is probed', async () => {
    let calls = 0;
    const counting: RunCheck = (req, hooks) => {
      calls++;
      return runCheck(req, hooks);
    };
    const exporter = await testExporter({ runCheck: counting });
    try {
      for (const target of ['192.0.2.10', 'dc1.corp.example', '::1']) {
        const res = await scrape(`http://${exporter.address}/probe?target=${encodeURIComponent(target)}&port=88/tcp`);
        expect(res.status, target).to.equal(403);
        expect(res.body).to.match(/not allowed/);
      }
      expect(calls).to.equal(0);
      const own = await (await fetch(`http://${exporter.address}/metrics`)).text();
      expect(value(own, 'portolan_exporter_scrapes_refused_total{reason="target-not-allowed"}')).to.equal(3);
    } finally {
      await exporter.close();
    }
  });

  it('a scrape that times out: the check is cut at the budget, the answer is partial with success 0, and the exporter goes on', async () => {
    const silent = await udpServer(null); // receives, never answers: 3 datagrams x 1500 ms without a cut
    const listener = await tcpListener();
    const exporter = await testExporter();
    try {
      const res = await scrape(
        `http://${exporter.address}/probe?target=127.0.0.1&port=${silent.port}/udp&port=${listener.port}/tcp`,
        '1.5',
      );
      expect(res.status).to.equal(200);
      expect(res.ms, 'answered within the scrape timeout').to.be.below(1500);
      expect(res.ms, 'not before the budget (1.5 s - 0.5 s offset)').to.be.at.least(950);
      expect(value(res.body, 'portolan_probe_incomplete')).to.equal(1);
      expect(value(res.body, 'portolan_probe_success{target="127.0.0.1"}')).to.equal(0);
      expect(value(res.body, 'portolan_probe_duration_seconds')).to.be.below(1.5);
      // The part that finished is there: the TCP port answered before the cut.
      expect(
        value(
          res.body,
          `portolan_port_state{target="127.0.0.1",service="adhoc",protocol="tcp",port="${listener.port}",state="open"}`,
        ),
      ).to.equal(1);
      const after = await scrape(`http://${exporter.address}/probe?target=127.0.0.1&port=${listener.port}/tcp`);
      expect(value(after.body, 'portolan_probe_success{target="127.0.0.1"}')).to.equal(1);
    } finally {
      await exporter.close();
      await silent.close();
      await listener.close();
    }
  });

  it('a check that ignores the abort (name resolution) is answered at the deadline anyway, success 0, counted as a timeout', async () => {
    const stuck: RunCheck = () => new Promise((resolve) => setTimeout(() => resolve(undefined as never), 5_000));
    const exporter = await testExporter({ runCheck: stuck });
    try {
      const res = await scrape(`http://${exporter.address}/probe?target=127.0.0.1&port=88/tcp`, '1');
      expect(res.ms).to.be.below(1000);
      expect(value(res.body, 'portolan_probe_success{target="127.0.0.1"}')).to.equal(0);
      expect(value(res.body, 'portolan_probe_incomplete')).to.equal(1);
      const own = await (await fetch(`http://${exporter.address}/metrics`)).text();
      expect(value(own, 'portolan_exporter_probe_errors_total{reason="timeout"}')).to.equal(1);
      expect(value(own, 'portolan_exporter_probes_in_flight'), 'the slot is held until the check ends').to.equal(1);
    } finally {
      await exporter.close();
    }
  });

  it('a target that does not resolve: success 0, counted, no 5xx', async () => {
    const exporter = await testExporter({
      allow: (await import('../../src/exporter/allow-list.js')).parseAllowList(['*.corp.invalid']),
    });
    try {
      const res = await scrape(`http://${exporter.address}/probe?target=gone.corp.invalid&port=88/tcp`);
      expect(res.status).to.equal(200);
      expect(value(res.body, 'portolan_probe_success{target="gone.corp.invalid"}')).to.equal(0);
      const own = await (await fetch(`http://${exporter.address}/metrics`)).text();
      expect(value(own, 'portolan_exporter_probe_errors_total{reason="target-unresolved"}')).to.equal(1);
    } finally {
      await exporter.close();
    }
  });

  it('Prometheus giving up (the connection closes) aborts the check', async () => {
    let aborted: Promise<boolean> | null = null;
    const waiting: RunCheck = (_req, hooks) => {
      aborted = new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), 5_000);
        hooks?.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      return aborted.then(() => Promise.reject(new Error('stopped')));
    };
    const exporter = await testExporter({ runCheck: waiting });
    try {
      const controller = new AbortController();
      const pending = fetch(`http://${exporter.address}/probe?target=127.0.0.1&port=88/tcp`, {
        signal: controller.signal,
      }).catch(() => null);
      for (let i = 0; i < 50 && aborted === null; i++) await new Promise((r) => setTimeout(r, 20));
      controller.abort();
      await pending;
      expect(await aborted, 'the check saw the abort').to.equal(true);
    } finally {
      await exporter.close();
    }
  });

  it('100 scrapes at once: never more checks than the cap, the rest wait or get 503, memory stays bounded', async () => {
    let active = 0;
    let maxActive = 0;
    const silent = await udpServer(null);
    const tracking: RunCheck = async (req, hooks) => {
      active++;
      maxActive = Math.max(maxActive, active);
      try {
        return await runCheck(req, hooks);
      } finally {
        active--;
      }
    };
    const exporter = await testExporter({ runCheck: tracking, maxConcurrentProbes: 2, maxQueuedProbes: 8 });
    const rssBefore = process.memoryUsage().rss;
    try {
      const url = `http://${exporter.address}/probe?target=127.0.0.1&port=${silent.port}/udp`;
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 100 }, () => scrape(url, '1.5')));
      const elapsed = Date.now() - started;
      const rssGrowthMb = (process.memoryUsage().rss - rssBefore) / 1e6;
      const busy = answers.filter((a) => a.status === 503).length;
      const ok = answers.filter((a) => a.status === 200);
      console.log(
        `    100 scrapes: ${ok.length} answered, ${busy} busy, at most ${maxActive} checks at once, ${elapsed} ms, rss +${rssGrowthMb.toFixed(1)} MB`,
      );
      expect(maxActive, 'checks at once').to.be.at.most(2);
      expect(ok.length + busy).to.equal(100);
      expect(busy, 'past 2 running and 8 waiting, scrapes are refused').to.be.at.least(80);
      expect(ok.length).to.be.at.least(2);
      for (const a of ok) expect(value(a.body, 'portolan_probe_success{target="127.0.0.1"}')).to.equal(0);
      expect(elapsed, 'every scrape answered within its timeout').to.be.below(3000);
      expect(rssGrowthMb, 'memory').to.be.below(100);
      const own = await (await fetch(`http://${exporter.address}/metrics`)).text();
      expect(value(own, 'portolan_exporter_scrapes_refused_total{reason="busy"}')).to.equal(busy);
      expect(value(own, 'portolan_exporter_probes_queued')).to.equal(0);
    } finally {
      await exporter.close();
      await silent.close();
    }
  });
});
