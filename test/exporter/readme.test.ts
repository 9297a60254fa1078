/**
 * README's "Monitoring with Prometheus" walkthrough names only commands the tests run: every
 * command line in its shell blocks is an entry of walkthrough.ts (which the lab and Prometheus
 * tests use to run it), and every entry is in README.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ownMetrics } from '../../src/exporter/own-metrics.js';
import { PROBE_METRIC_NAMES } from '../../src/exporter/probe-metrics.js';
import { REPO } from './prometheus-config.js';
import { WALKTHROUGH } from './walkthrough.js';

function monitoringSection(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf('## Monitoring with Prometheus');
  expect(start, 'README has the section').to.be.greaterThan(0);
  const end = readme.indexOf('\n## ', start + 3);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe("README's Monitoring with Prometheus walkthrough", () => {
  it('every command in it is one the tests run, and every such command is in it', () => {
    const section = monitoringSection();
    const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
      (m[1] as string).split('\n').filter((line) => line.trim() !== ''),
    );
    const known = Object.values(WALKTHROUGH).map((w) => w.readme as string);
    expect(commands).to.deep.equal(known);
  });

  it('documents every metric name the exporter writes', () => {
    const section = monitoringSection();
    const own = ownMetrics()
      .registry.getMetricsAsArray()
      .map((m) => m.name)
      .filter((n) => n.startsWith('portolan_'));
    for (const name of [
      ...PROBE_METRIC_NAMES,
      ...own,
      'portolan_agent_runs_total',
      'portolan_agent_last_run_timestamp_seconds',
    ]) {
      expect(section, name).to.include(`\`${name}`);
    }
  });
});
