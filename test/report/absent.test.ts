/**
 * An optional service that is not installed (every port refused) reads as a notice in every
 * report, never as a failure: the DC fixture with SMTP refusing, judged by the real analyzer.
 */
import { expect } from 'chai';
import type { RunResult } from '../../src/model.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderTable } from '../../src/report/table.js';
import { validateResult } from '../../src/report/validate-result.js';
import { NOW } from './fixtures.js';
import { scenarioResult } from './scenarios.js';

describe('reports: an absent optional service is a notice', () => {
  let result: RunResult;
  before(() => {
    result = scenarioResult({
      targets: [
        {
          name: 'dc1.corp.example',
          addresses: ['10.0.0.5'],
          outcomes: { 'smtp/tcp/25': { state: 'closed', reason: 'rst' } },
        },
      ],
    });
  });

  it('the analyzer judges SMTP absent and the DC compliant, and the result stays schema-valid', () => {
    const smtp = result.verdicts.services.find((s) => s.service === 'smtp');
    expect(smtp?.status).to.equal('absent');
    expect(result.summary.status).to.equal('compliant');
    expect(result.summary.headline).to.not.match(/SMTP|Degraded/);
    expect(validateResult(result).ok).to.equal(true);
  });

  it('JUnit skips the refused SMTP port as a notice instead of failing it', () => {
    const xml = renderJunit(result);
    expect(xml).to.match(/<testsuites name="portolan" tests="\d+" failures="0"/);
    expect(xml).to.match(
      /name="25\/tcp SMTP"[^>]*>\s*<skipped message="notice \(optional\): SMTP 25\/tcp on dc1\.corp\.example \(10\.0\.0\.5\) is closed [^"]*: Simple Mail Transfer Protocol is not installed there/,
    );
  });

  it('Markdown lists it as not installed, among the notices, with nothing to fix', () => {
    const md = renderMarkdown(result, { now: NOW });
    expect(md).to.include('No root causes: nothing to fix.');
    const notices = md.slice(md.indexOf('#### Notices'));
    expect(notices).to.match(
      /Not installed \(optional; every port refused, which a rejecting firewall also does\): Simple Mail Transfer Protocol on dc1\.corp\.example\./,
    );
    expect(md).not.to.include('#### Root causes');
  });

  it('the table and the HTML say it once, among the notices, never as a root cause', () => {
    const table = renderTable(result);
    expect(table).not.to.include('ROOT CAUSES');
    expect(table.match(/Simple\s+Mail Transfer Protocol/g)).to.have.length(1);
    expect(table.slice(table.indexOf('NOTICES'))).to.match(
      /○ not installed \(optional; every port refused, which a rejecting firewall also does\): Simple\s+Mail Transfer Protocol on dc1\.corp\.example/,
    );
    const html = renderHtml(result, { now: NOW });
    const causes = html.slice(html.indexOf('id="root-causes"'), html.indexOf('id="notices"'));
    expect(causes).to.include('Nothing to fix');
    expect(causes).not.to.include('SMTP');
    const notices = html.slice(html.indexOf('id="notices"'), html.indexOf('id="remediation"'));
    expect(notices).to.match(
      /<ul class="absent"><li><span class="t-muted">○ ABSENT<\/span> Simple Mail Transfer Protocol on dc1\.corp\.example<\/li>/,
    );
  });
});
