import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';

const dir = join(import.meta.dirname, '..', '..', 'checks', 'plans', 'pipelines');
const load = (file: string) => parse(readFileSync(join(dir, file), 'utf8'));
type Step = Record<string, unknown> & { uses?: string; run?: string; with?: Record<string, unknown>; task?: string };

describe('example CI pipelines', () => {
  it('GitHub Actions: scheduled, runs the plan, JUnit to a test reporter, Markdown to the step summary, HTML artifact', () => {
    const wf = load('github-actions.yml');
    expect(wf.on.schedule[0].cron).to.be.a('string');
    const job = wf.jobs.portolan;
    expect(job['runs-on']).to.include('self-hosted');
    const steps = job.steps as Step[];
    expect(steps.some((s) => /portolan|bin\.js run checks\/plans\//.test(s.run ?? ''))).to.equal(true);
    const reporter = steps.find((s) => s.uses?.startsWith('dorny/test-reporter'));
    expect(reporter?.with?.reporter).to.equal('java-junit');
    expect(reporter?.with?.path).to.match(/\.xml$/);
    expect(steps.some((s) => /\.md >> "\$GITHUB_STEP_SUMMARY"/.test(s.run ?? ''))).to.equal(true);
    const artifact = steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(String(artifact?.with?.path)).to.match(/\.html/);
  });

  it('GitLab CI: junit report artifact', () => {
    const ci = load('gitlab-ci.yml');
    expect(ci.portolan.script.join('\n')).to.match(/run checks\/plans\/nightly-staging\.yaml/);
    expect(ci.portolan.artifacts.when).to.equal('always');
    expect(ci.portolan.artifacts.reports.junit).to.match(/\.xml$/);
    expect(ci.portolan.rules[0].if).to.match(/schedule/);
  });

  it('Azure Pipelines: PublishTestResults@2 with JUnit', () => {
    const az = load('azure-pipelines.yml');
    expect(az.schedules[0].cron).to.be.a('string');
    const steps = az.steps as Step[];
    const publish = steps.find((s) => s.task === 'PublishTestResults@2');
    expect(publish?.inputs).to.deep.include({ testResultsFormat: 'JUnit' });
    expect(publish?.condition).to.equal('always()');
    expect(steps.some((s) => /run checks\/plans\//.test(String(s.script ?? '')))).to.equal(true);
  });

  it('every pipeline runs a plan that exists and writes the files it publishes', () => {
    for (const file of ['github-actions.yml', 'gitlab-ci.yml', 'azure-pipelines.yml']) {
      const text = readFileSync(join(dir, file), 'utf8');
      const plan = /run (checks\/plans\/[\w.-]+\.yaml)/.exec(text)?.[1];
      expect(plan, file).to.be.a('string');
      expect(() => readFileSync(join(dir, '..', '..', '..', plan as string)), file).not.to.throw();
      expect(text, file).to.include('reports/staging/nightly-staging.xml');
    }
  });
});
