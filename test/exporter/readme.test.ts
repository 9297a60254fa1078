/**
 * README's "Monitoring with Prometheus" walkthrough names only commands the tests run: every
 * command line in its shell blocks is an entry of walkthrough.ts (which the lab and Prometheus
 * tests use to run it), and every entry is in README.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO } from './support.js';
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
    for (const name of [
      'portolan_probe_success',
      'portolan_probe_duration_seconds',
      'portolan_probe_incomplete',
      'portolan_service_status',
      'portolan_port_state',
      'portolan_port_rtt_seconds',
      'portolan_expectation_failures',
      'portolan_catalog_info',
      'portolan_exporter_probes_total',
      'portolan_exporter_probe_errors_total',
      'portolan_exporter_scrapes_refused_total',
      'portolan_exporter_probes_in_flight',
      'portolan_exporter_probes_queued',
      'portolan_agent_runs_total',
      'portolan_agent_last_run_timestamp_seconds',
    ]) {
      expect(section, name).to.include(`\`${name}`);
    }
  });
});
