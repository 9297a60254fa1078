/**
 * Sources are first-class: `--source-name` and `--site` on check, run, agent and exporter
 * (one option table, plan keys too) reach the JSON result, the history, every report and the
 * metrics' labels; the command line wins over the plan, and a group cannot name its own.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runAgent } from '../../src/agent/agent.js';
import { vantageLabels } from '../../src/exporter/probe-metrics.js';
import { History } from '../../src/history/store.js';
import type { RunResult } from '../../src/model.js';
import type { Plan } from '../../src/plan/types.js';
import { renderers } from '../../src/report/index.js';
import { validateResult } from '../../src/report/validate-result.js';
import { testExporter } from '../exporter/support.js';
import { stubRunCheck } from '../plan/stub-check.js';
import { runCli } from '../support/cli.js';
import { tcpListener } from '../support/fake-servers.js';

describe('the vantage point: --source-name and --site', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-vantage-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('check: the name and labels are in the JSON result, and every report shows them', async () => {
    const listener = await tcpListener();
    try {
      const args = ['check', '--port', `${listener.port}/tcp`, '127.0.0.1', '-q', '--no-app-probes'];
      const vantage = ['--source-name', 'vlan-20-probe', '--site', 'site=branch-12', '--site', 'vlan=20'];
      const run = await runCli([...args, ...vantage, '--format', 'json']);
      expect(run.code, run.stderr).to.equal(0);
      const result = JSON.parse(run.stdout) as RunResult;
      expect(validateResult(result).ok).to.equal(true);
      expect(result.run.source).to.deep.include({ name: 'vlan-20-probe', labels: { site: 'branch-12', vlan: '20' } });
      const shown = 'vlan-20-probe [site=branch-12, vlan=20] on';
      expect(renderers.table(result)).to.include(shown);
      expect(renderers.md(result)).to.include('vlan-20-probe \\[site=branch-12, vlan=20\\] on');
      expect(renderers.html(result)).to.include(shown);
      const junit = renderers.junit(result);
      expect(junit).to.include('<property name="source.name" value="vlan-20-probe"/>');
      expect(junit).to.include('<property name="source.labels" value="site=branch-12, vlan=20"/>');
    } finally {
      await listener.close();
    }
  });

  it('check: a label key that would clash with a metric label, a key twice or a bad name exits 2 before probing', async () => {
    const cases: [string[], RegExp][] = [
      [['--site', 'target=dc1'], /--site "target=dc1": expected KEY=VALUE/],
      [['--site', 'vlan=10', '--site', 'vlan=20'], /--site "vlan=20": expected each key once \(vlan is given twice\)/],
      [['--site', 'no-equals'], /--site "no-equals": expected KEY=VALUE/],
      [['--site', '__meta=x'], /--site "__meta=x"/],
      [['--source-name', ''], /--source-name "": expected a value/],
      [['--source-name', 'tab\there'], /--source-name "tab\\x09here": expected printable text/],
    ];
    for (const [flags, message] of cases) {
      const run = await runCli(['check', '--port', '1/tcp', '127.0.0.1', ...flags]);
      expect(run.code, flags.join(' ')).to.equal(2);
      expect(run.stderr).to.match(message);
    }
  });

  it("run: the plan's sourceName and site reach the result and the history; the command line wins", async () => {
    const plan = join(dir, 'plan.yaml');
    writeFileSync(
      plan,
      `version: 1
name: vantage
options: { appProbes: false, timeoutMs: 300, retries: 0, sourceName: plan-name, site: [site=hq, vlan=10] }
groups:
  - name: local
    targets: [127.0.0.1]
    blocked: { ports: [1/tcp] }
outputs: { directory: ${join(dir, 'out')}, formats: [json] }
`,
    );
    const db = join(dir, 'history.db');
    const first = await runCli(['run', plan, '--history', db, '--print', 'none', '-q']);
    expect(first.code, first.stderr).to.equal(0);
    const fromPlan = JSON.parse(readFileSync(join(dir, 'out', 'vantage.json'), 'utf8')) as RunResult;
    expect(fromPlan.run.source).to.deep.include({ name: 'plan-name', labels: { site: 'hq', vlan: '10' } });
    const second = await runCli(['run', plan, '--history', db, '--print', 'none', '-q', '--source-name', 'cli-name']);
    expect(second.code, second.stderr).to.equal(0);
    const fromFlag = JSON.parse(readFileSync(join(dir, 'out', 'vantage.json'), 'utf8')) as RunResult;
    expect(fromFlag.run.source).to.deep.include({ name: 'cli-name', labels: { site: 'hq', vlan: '10' } });
    const history = await History.open(db);
    try {
      const runs = await history.list();
      expect(runs.map((r) => [r.sourceName, r.sourceLabels])).to.deep.equal([
        ['cli-name', { site: 'hq', vlan: '10' }],
        ['plan-name', { site: 'hq', vlan: '10' }],
      ]);
    } finally {
      await history.close();
    }
  });

  it('run: a group that names its own vantage point is a plan error at its line and column', async () => {
    const plan = join(dir, 'group.yaml');
    writeFileSync(
      plan,
      'version: 1\nname: g\ngroups:\n  - name: a\n    targets: [127.0.0.1]\n    ports: [1/tcp]\n    options: { sourceName: x }\n',
    );
    const run = await runCli(['run', plan, '--no-history', '--print', 'none']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/group\.yaml:7:\d+: sourceName names the vantage point of the whole run/);
  });

  it('agent: the command line names the vantage point over the plan, and metrics carry only what was chosen', async () => {
    const plan = join(dir, 'agent.yaml');
    writeFileSync(
      plan,
      `version: 1\nname: agent\noptions: { site: [site=hq] }\ngroups:\n  - name: dcs\n    targets: [dc1.test]\n    ports: [88/tcp]\noutputs: { directory: ${join(dir, 'agent-out')}, formats: [] }\n`,
    );
    const stub = stubRunCheck(() => 'open');
    const seen: Plan[] = [];
    await runAgent({
      planPath: plan,
      everyMs: 1000,
      jitter: 0,
      historyPath: null,
      maxRuns: 1,
      runCheck: stub.runCheck,
      stop: new AbortController().signal,
      log: () => {},
      commandLine: ['portolan', 'agent'],
      overrides: { sourceName: 'vlan-30', site: ['vlan=30'] },
      onResult: (_result, p) => seen.push(p),
    });
    expect(stub.calls[0]?.options).to.deep.include({ sourceName: 'vlan-30', site: ['vlan=30'] });
    expect(vantageLabels(seen[0]?.options ?? {})).to.deep.equal({ source: 'vlan-30', vlan: '30' });
    // Nothing chosen, nothing added: a process's series keep the labels they always had.
    expect(vantageLabels({})).to.deep.equal({});
  });

  it('exporter: --source-name and --site go on every series of a probe, and into its result', async () => {
    const listener = await tcpListener();
    const exporter = await testExporter({ vantage: { sourceName: 'vlan-20', site: ['site=branch-12'] } });
    try {
      const res = await fetch(`http://${exporter.address}/probe?target=127.0.0.1&port=${listener.port}/tcp`);
      const series = (await res.text()).split('\n').filter((l) => l && !l.startsWith('#'));
      expect(series.length).to.be.greaterThan(5);
      for (const line of series) expect(line, line).to.include('source="vlan-20",site="branch-12"');
      expect(series).to.include('portolan_probe_success{target="127.0.0.1",source="vlan-20",site="branch-12"} 1');
    } finally {
      await exporter.close();
      await listener.close();
    }
  });
});
