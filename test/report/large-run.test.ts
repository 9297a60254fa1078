/**
 * Reports of a 10,000-target run from the report view `check` builds past 1,000 targets:
 * the view stays bounded even when every target fails, and each renderer leads with the
 * root causes and failing targets and stays within its format's limits.
 */
import { expect } from 'chai';
import { renderHtml } from '../../src/report/html.js';
import { MARKDOWN_LIMIT, renderMarkdown } from '../../src/report/markdown.js';
import { CAUSES_KEPT, DETAILED_TARGETS, ROWS_KEPT } from '../../src/report/report-view.js';
import { renderTable } from '../../src/report/table.js';
import { NOW } from './fixtures.js';
import { largeRunView, largeTargetName } from './large-run.js';

describe('reports of a 10,000-target run (report view)', function () {
  this.timeout(120_000);
  let view: ReturnType<typeof largeRunView>;
  before(() => {
    view = largeRunView(10_000);
  });

  it('keeps every target, and detail for the first failing ones only', () => {
    const { result, omitted } = view;
    expect(result.targets).to.have.length(10_000);
    expect(result.verdicts.targets).to.have.length(10_000);
    expect(omitted.detailed).to.have.length(DETAILED_TARGETS);
    expect(omitted.detailed[0]).to.equal(largeTargetName(6));
    expect(omitted.summarisedFailing).to.equal(1428 - DETAILED_TARGETS);
    const detailed = new Set(omitted.detailed);
    expect(result.verdicts.expectations.every((v) => detailed.has(v.target) && v.status !== 'pass')).to.equal(true);
    expect((result.verdicts.rootCauses ?? []).every((c) => detailed.has(c.target))).to.equal(true);
    // Every kept row and cause points at a kept observation of its own target.
    for (const x of [...result.verdicts.expectations, ...(result.verdicts.rootCauses ?? [])]) {
      for (const i of x.observations) expect(result.observations[i]?.target).to.equal(x.target);
    }
  });

  it('stays bounded when every target fails: a few hundred bytes a target beyond the detailed ones', () => {
    const all = largeRunView(10_000, 1);
    expect(all.omitted.summarisedFailing).to.equal(10_000 - DETAILED_TARGETS);
    const perTarget = new Map<string, number>();
    for (const v of all.result.verdicts.expectations) perTarget.set(v.target, (perTarget.get(v.target) ?? 0) + 1);
    expect(Math.max(...perTarget.values())).to.be.at.most(ROWS_KEPT);
    const causes = new Map<string, number>();
    for (const c of all.result.verdicts.rootCauses ?? []) causes.set(c.target, (causes.get(c.target) ?? 0) + 1);
    expect(Math.max(...causes.values())).to.be.at.most(CAUSES_KEPT);
    // The whole run is about 90 KB of JSON a target (900 MB); its view under 10 MB.
    expect(JSON.stringify(all.result).length).to.be.below(10 * 1024 * 1024);
  });

  it('HTML: root causes first, failing targets as lines, compliant ones collapsed in one list', () => {
    const html = renderHtml(view.result, { now: NOW, omitted: view.omitted });
    const at = (s: string) => html.indexOf(s);
    expect(at('id="root-causes"')).to.be.above(0);
    expect(at('id="root-causes"')).to.be.below(at('id="targets"'));
    expect(html.match(/<details class="target"/g)).to.have.length(1428);
    expect(html.match(/<details class="target" data-i="\d+" data-status="compliant"/g)).to.equal(null);
    expect(html).to.match(/<details id="compliant-targets"><summary>.*8572 compliant targets/);
    expect(html).to.include(`<li>${largeTargetName(0)} <span class="sid">`);
    expect(html).to.include('root causes and failing rows are shown for the first 100 failing or inconclusive targets');
    expect(Buffer.byteLength(html)).to.be.below(5 * 1024 * 1024);
  });

  it('Markdown: under the 64 KiB GitHub accepts, saying what the JSON has', () => {
    const md = renderMarkdown(view.result, { now: NOW, omitted: view.omitted });
    expect(Buffer.byteLength(md)).to.be.at.most(MARKDOWN_LIMIT);
    expect(md).to.include('**A large run (10000 targets):** root causes and failing rows of the first 100 failing');
    expect(md).to.include('1328 more failing or inconclusive targets by verdict only');
    expect(md).to.include('<details><summary>Rows that did not pass, of 100 failing target(s)');
  });

  it('terminal table: root causes of the first 20 targets, the failing ones listed, bounded', () => {
    const text = renderTable(view.result, { now: NOW, omitted: view.omitted });
    expect(text).to.include('TARGETS: 10000 (1428 non-compliant, 0 inconclusive, 8572 compliant)');
    expect(text).to.include('… and 80 more targets; the HTML report lists them');
    expect(text).to.include('A LARGE RUN: root causes of the first 100 failing or inconclusive targets to finish');
    expect(text).to.match(/Rows kept \(\d+\): --verbose; every row is in the JSON result\./);
    expect(text.split('\n').length).to.be.below(500);
  });
});
