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

  it('JUnit skips the refused SMTP port instead of failing it', () => {
    const xml = renderJunit(result);
    expect(xml).to.match(/<testsuites name="portolan" tests="\d+" failures="0"/);
    expect(xml).to.match(
      /name="25\/tcp SMTP"[^>]*>\s*<skipped message="absent: Simple Mail Transfer Protocol is not installed on dc1\.corp\.example/,
    );
  });

  it('Markdown lists it as not installed, not among the failures', () => {
    const md = renderMarkdown(result, { now: NOW });
    expect(md).to.match(/No failures\./);
    expect(md).to.match(
      /Not installed \(optional; every port refused, which a rejecting firewall also does\): Simple Mail Transfer Protocol on dc1\.corp\.example\./,
    );
  });

  it('the table says so once above the port, and HTML keeps it out of "what is blocked"', () => {
    expect(renderTable(result)).to.match(
      /Simple Mail Transfer Protocol \(smtp\) ○ ABSENT\n {4}notice: Simple Mail Transfer Protocol is not installed on dc1\.corp\.example/,
    );
    const html = renderHtml(result, { now: NOW });
    expect(html).to.match(/<p class="empty">Nothing is blocked\.<\/p><h3>dc1\.corp\.example<\/h3><ul class="absent">/);
    expect(html).to.not.match(/<article class="blocked s-absent"/);
  });
});
