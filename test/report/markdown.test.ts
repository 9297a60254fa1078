import { expect } from 'chai';
import { MARKDOWN_LIMIT, renderMarkdown } from '../../src/report/markdown.js';
import { loadFixture, NOW } from './fixtures.js';
import { HOSTILE, largeResult } from './scenarios.js';

describe('Markdown summary', () => {
  it('starts with the verdict, lists failures, and collapses the full table', () => {
    const md = renderMarkdown(loadFixture('firewalled'), { now: NOW });
    expect(md.split('\n')[0]).to.equal('### portolan: ✘ NON-COMPLIANT');
    const failures = md.slice(md.indexOf('#### Failures'), md.indexOf('<details>'));
    expect(failures.match(/^\| dc2/gm)).to.have.length(7);
    expect(failures.indexOf('445/tcp')).to.be.lessThan(failures.indexOf('25/tcp | optional'));
    expect(md).to.include('<details><summary>All results (40 rows)</summary>');
    expect(md).not.to.include('Cut to stay under');
  });

  it('stays under 64 KiB for 50 domain controllers and says what was cut', () => {
    const result = largeResult(50);
    const md = renderMarkdown(result, { now: NOW });
    expect(Buffer.byteLength(md)).to.be.lessThan(MARKDOWN_LIMIT);
    expect(MARKDOWN_LIMIT).to.equal(65536);
    expect(md).to.match(/Cut to stay under 64 KiB:\*\* \d+ of 1000 rows of the full table/);
    // failures come first and are all kept
    expect(md.slice(0, md.indexOf('<details>')).match(/\| ✘|■ filtered/g)?.length).to.equal(result.summary.counts.fail);
    expect(md.trimEnd().endsWith('</sub>')).to.equal(true);
    expect(md).to.include('</details>');
  });

  it('escapes pipes, Markdown and HTML in cells, so every row keeps its columns', () => {
    const result = loadFixture('hostile');
    for (const v of result.verdicts.expectations) if (v.status === 'fail') v.explanation = HOSTILE.join(' ');
    const md = renderMarkdown(result, { now: NOW });
    expect(md).not.to.match(/<(img|script|x)\b/i);
    expect(md).to.include("it's \\| a \\`pipe\\` \\*table\\* \\[x\\](javascript:alert(4))");
    const rows = md.split('\n').filter((l) => l.startsWith('| dc9'));
    expect(rows.length).to.be.greaterThan(20);
    for (const row of rows) {
      const columns = row.match(/(?<!\\)\|/g)?.length;
      expect([7, 9], row).to.include(columns);
    }
  });
});
