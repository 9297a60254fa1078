/**
 * RunResult -> metrics, from results the real analyzer judged (the stub runCheck of the plan
 * tests, and the report fixtures): state sets, per-target success, root causes by severity,
 * the worst state when a target has several addresses, hostile evidence never reaching a
 * label, and the labels hook for the fleet.
 */
import { expect } from 'chai';
import { probeRegistry, unjudgedRegistry } from '../../src/exporter/probe-metrics.js';
import type { RunResult } from '../../src/model.js';
import { stubRunCheck } from '../plan/stub-check.js';
import { loadFixture } from '../report/fixtures.js';

async function metricsOf(result: RunResult, labels?: Record<string, string>): Promise<string> {
  return probeRegistry(result, labels ? { labels } : {}).metrics();
}

async function result(
  states: (target: string, port: string) => 'open' | 'closed' | 'filtered',
  targets: string[],
  ports: string[],
) {
  const stub = stubRunCheck(states);
  return stub.runCheck({
    targets: targets.map((name) => ({ name, origin: 'test' })),
    roles: [],
    services: [],
    ports,
    options: {},
    commandLine: [],
  });
}

describe('exporter metrics of a result', () => {
  it('per target: success, failures, a state set per port with exactly one 1', async () => {
    const r = await result(
      (t, p) => (t === 'dc2.test' && p === '88/udp' ? 'filtered' : 'open'),
      ['dc1.test', 'dc2.test'],
      ['88/tcp', '88/udp'],
    );
    const text = await metricsOf(r);
    expect(text).to.match(/^portolan_probe_success\{target="dc1\.test"\} 1$/m);
    expect(text).to.match(/^portolan_probe_success\{target="dc2\.test"\} 0$/m);
    expect(text).to.match(/^portolan_expectation_failures\{target="dc1\.test"\} 0$/m);
    expect(text).to.match(/^portolan_expectation_failures\{target="dc2\.test"\} 1$/m);
    const udp = text
      .split('\n')
      .filter((l) => l.startsWith('portolan_port_state{target="dc2.test",service="adhoc",protocol="udp",port="88"'));
    expect(udp).to.have.length(6);
    expect(udp.filter((l) => l.endsWith(' 1'))).to.deep.equal([
      'portolan_port_state{target="dc2.test",service="adhoc",protocol="udp",port="88",state="filtered"} 1',
    ]);
    expect(text).to.match(/^portolan_catalog_info\{digest="sha256:test",version="0\.0\.0-test"\} 1$/m);
    expect(text, 'no RTT for a port that did not answer').to.not.match(
      /portolan_port_rtt_seconds\{target="dc2\.test",protocol="udp"/,
    );
    expect(text).to.match(/^portolan_port_rtt_seconds\{target="dc1\.test",protocol="udp",port="88"\} 0\.0015$/m);
  });

  it('root causes per target and severity: one per blocked port or dead host, not one per failing row', async () => {
    const series = (text: string, name: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`))
        .map((l) => l.replace(/^\w+/, ''));
    const run = loadFixture('three-targets');
    const text = await metricsOf(run);
    expect(series(text, 'portolan_root_causes')).to.deep.equal([
      '{target="dc1.corp.example",severity="outage"} 4',
      '{target="dc1.corp.example",severity="inconclusive"} 0',
      '{target="dc1.corp.example",severity="waived"} 0',
      '{target="dc1.corp.example",severity="notice"} 13',
      '{target="dc2.corp.example",severity="outage"} 0',
      '{target="dc2.corp.example",severity="inconclusive"} 0',
      '{target="dc2.corp.example",severity="waived"} 0',
      '{target="dc2.corp.example",severity="notice"} 7',
      '{target="dc3.corp.example",severity="outage"} 1',
      '{target="dc3.corp.example",severity="inconclusive"} 0',
      '{target="dc3.corp.example",severity="waived"} 0',
      '{target="dc3.corp.example",severity="notice"} 0',
    ]);
    // The rows behind them: dc3 answered nothing (one finding), dc1's 4 blocked ports break 24 rows.
    expect(series(text, 'portolan_expectation_failures')).to.deep.equal([
      '{target="dc1.corp.example"} 24',
      '{target="dc2.corp.example"} 0',
      '{target="dc3.corp.example"} 45',
    ]);
    // A result written before root causes were recorded gets them computed: the same series.
    delete run.verdicts.rootCauses;
    expect(series(await metricsOf(run), 'portolan_root_causes')).to.deep.equal(series(text, 'portolan_root_causes'));
    const waived = await metricsOf(loadFixture('firewalled'));
    expect(waived).to.match(/^portolan_root_causes\{target="dc2\.corp\.example",severity="waived"\} 1$/m);
  });

  it('an incomplete run is never a success, and says so', async () => {
    const r = await result(() => 'open', ['dc1.test'], ['88/tcp']);
    const cut: RunResult = { ...r, run: { ...r.run, incomplete: true } };
    const text = await metricsOf(cut);
    expect(text).to.match(/^portolan_probe_success\{target="dc1\.test"\} 0$/m);
    expect(text).to.match(/^portolan_probe_incomplete 1$/m);
  });

  it('several addresses of one target: one series, the state that needs action first', async () => {
    const r = await result(() => 'open', ['dc1.test'], ['445/tcp']);
    const first = r.observations[0];
    if (!first) throw new Error('no observation');
    const second = {
      ...first,
      address: '192.0.2.11',
      state: 'filtered' as const,
      reason: 'timeout' as const,
      rttMs: null,
    };
    const verdict = r.verdicts.expectations[0];
    if (!verdict) throw new Error('no verdict');
    const twice: RunResult = {
      ...r,
      observations: [first, second],
      verdicts: { ...r.verdicts, expectations: [{ ...verdict, observations: [0, 1] }] },
    };
    const lines = (await metricsOf(twice))
      .split('\n')
      .filter((l) => l.startsWith('portolan_port_state{') && l.endsWith(' 1'));
    expect(lines).to.deep.equal([
      'portolan_port_state{target="dc1.test",service="adhoc",protocol="tcp",port="445",state="filtered"} 1',
    ]);
  });

  it('evidence and warnings, however hostile, never become labels', async () => {
    const r = await result(() => 'open', ['dc1.test'], ['389/tcp']);
    const hostile = '"} 1\nportolan_probe_success{target="x"} 1\n<script>';
    const poisoned: RunResult = {
      ...r,
      observations: r.observations.map((o) => ({ ...o, evidence: [hostile], warnings: [hostile], error: hostile })),
    };
    const text = await metricsOf(poisoned);
    expect(text).to.not.include('<script>');
    expect(text).to.not.match(/target="x"/);
  });

  it('labels given by the caller go on every series (where source labels will come from)', async () => {
    const r = await result(() => 'open', ['dc1.test'], ['88/tcp']);
    const text = await metricsOf(r, { source: 'vlan20' });
    const series = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(series.length).to.be.greaterThan(5);
    for (const line of series) expect(line, line).to.include('source="vlan20"');
  });

  it('a probe without a result: success 0, its duration, and whether it was cut', async () => {
    const text = await unjudgedRegistry('dc9.test', 1234, true).metrics();
    expect(text).to.match(/^portolan_probe_success\{target="dc9\.test"\} 0$/m);
    expect(text).to.match(/^portolan_probe_duration_seconds 1\.234$/m);
    expect(text).to.match(/^portolan_probe_incomplete 1$/m);
  });
});
