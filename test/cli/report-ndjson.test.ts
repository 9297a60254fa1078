/**
 * `portolan report RUN.ndjson`: a run saved by `check --format ndjson` renders exactly as its
 * JSON result does; past 1,000 targets through the bounded report view; every bad line is
 * `file:line` and exit 2; and a JSON result too large for one string is refused before reading.
 */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { WHOLE_REPORT_TARGETS } from '../../src/cli/check-delivery.js';
import { MAX_JSON_RESULT_BYTES } from '../../src/cli/commands/report.js';
import type { RunResult } from '../../src/model.js';
import { renderers } from '../../src/report/index.js';
import { jsonResultFromRecords } from '../../src/report/json-records.js';
import { ndjsonRunLine, ndjsonTargetLine } from '../../src/report/ndjson.js';
import { MAX_NDJSON_LINE } from '../../src/report/read-ndjson.js';
import { ReportView } from '../../src/report/report-view.js';
import { joinResult, type RunHeader, splitResult, type TargetRecord } from '../../src/result/target-records.js';
import { loadFixture } from '../report/fixtures.js';
import { runCli } from '../support/cli.js';

/** The run as `check --format ndjson` writes it: target lines in finish order (here: reversed), then the run line. */
function ndjsonOf(header: RunHeader, records: TargetRecord[]): string {
  const finished = records.map((r, ordinal) => ndjsonTargetLine(r, ordinal)).reverse();
  return `${finished.join('')}${ndjsonRunLine(header)}`;
}

/** HTML and Markdown say when they were rendered; everything else must match byte for byte. */
const renderTimeless = (text: string) => text.replace(/Rendered \d{4}-\d\d-\d\dT[\d:.]+Z/, 'Rendered (time)');

describe('portolan report RUN.ndjson', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-report-ndjson-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Renders `input` in `format` to a file through the CLI; the file's text. */
  async function render(input: string, format: string): Promise<string> {
    const out = join(dir, `out-${format}-${Math.random().toString(36).slice(2)}`);
    const run = await runCli(['report', input, '--format', format, '--output', out]);
    expect(run.code, run.stderr).to.equal(0);
    return readFileSync(out, 'utf8');
  }

  for (const name of ['firewalled', 'three-targets', 'one-dc']) {
    it(`${name}: the NDJSON run renders the same JSON, HTML, Markdown, JUnit and table as its JSON result`, async () => {
      const result = loadFixture(name);
      const { header, records } = splitResult(result);
      const json = join(dir, 'result.json');
      writeFileSync(json, [...renderers.json(result)].join(''));
      // No .ndjson extension: detected by its content.
      const ndjson = join(dir, 'run.txt');
      writeFileSync(ndjson, ndjsonOf(header, records));
      for (const format of ['json', 'junit', 'table']) {
        expect(await render(ndjson, format), format).to.equal(await render(json, format));
      }
      for (const format of ['html', 'md']) {
        const [fromNdjson, fromJson] = [await render(ndjson, format), await render(json, format)];
        expect(fromNdjson).to.match(/Rendered \d{4}-/);
        expect(renderTimeless(fromNdjson), format).to.equal(renderTimeless(fromJson));
      }
      expect(JSON.parse(await render(ndjson, 'json')).targets).to.have.length(records.length);
    });
  }

  describe(`past ${WHOLE_REPORT_TARGETS.toLocaleString('en-US')} targets`, () => {
    const TARGETS = WHOLE_REPORT_TARGETS + 200;
    let header: RunHeader;
    let records: TargetRecord[];
    let file: string;

    beforeEach(() => {
      // Synthetic targets: the firewalled fixture's failing and compliant records, renamed.
      const split = splitResult(loadFixture('firewalled'));
      header = split.header;
      const templates = split.records.map((r) => ({ name: r.target.name, text: JSON.stringify(r) }));
      records = Array.from({ length: TARGETS }, (_, i) => {
        const t = templates[i % templates.length] as { name: string; text: string };
        return JSON.parse(t.text.replaceAll(t.name, `host${String(i).padStart(5, '0')}.corp.test`)) as TargetRecord;
      });
      file = join(dir, 'large.ndjson');
      writeFileSync(file, ndjsonOf(header, records));
    });

    it('renders HTML and Markdown from the report view, and writes the whole JSON record by record', async () => {
      const view = new ReportView();
      // The order the lines come in: finish order, reversed target order here.
      for (let i = TARGETS - 1; i >= 0; i--) view.add(records[i] as TargetRecord, i);
      const { result, omitted } = view.result(header);
      expect(omitted.summarisedFailing + omitted.detailed.length).to.be.greaterThan(0);

      const html = await render(file, 'html');
      expect(renderTimeless(html)).to.equal(renderTimeless(renderers.html(result, { omitted })));
      expect(html.length).to.be.lessThan(renderers.html(joinResult(header, records)).length);
      const md = await render(file, 'md');
      expect(renderTimeless(md)).to.equal(renderTimeless(renderers.md(result, { omitted })));
      expect(md.length).to.be.at.most(65_536);

      const json = await render(file, 'json');
      expect(json).to.equal([...jsonResultFromRecords(header, () => records)].join(''));
      const parsed = JSON.parse(json) as RunResult;
      expect(parsed.targets.map((t) => t.name)).to.deep.equal(records.map((r) => r.target.name));
    });
  });

  describe('bad input: file:line, exit 2, nothing written', () => {
    const { header, records } = splitResult(loadFixture('firewalled'));
    const good = ndjsonOf(header, records).trimEnd().split('\n');
    const runLine = good.length;

    async function refused(lines: string[], expected: RegExp, line: number | null): Promise<void> {
      const file = join(dir, 'bad.ndjson');
      writeFileSync(file, `${lines.join('\n')}\n`);
      const out = join(dir, 'report.html');
      const run = await runCli(['report', file, '--format', 'html', '--output', out]);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.include(line === null ? file : `${file}:${line}:`);
      expect(run.stderr).to.match(expected);
      expect(run.stderr).not.to.match(/\n\s+at /);
      expect(() => readFileSync(out)).to.throw(/ENOENT/);
    }

    it('a line that is not JSON', async () => {
      await refused([good[0] as string, '{"kind":"target",', ...good.slice(1)], /not JSON/, 2);
    });

    it('a line of another kind, or none', async () => {
      await refused([good[0] as string, '{"kind":"summary"}', ...good.slice(1)], /"kind": "target" or "run"/, 2);
      await refused(['{"kind":"target","ordinal":0}', ...good.slice(1)], /not a target line.*required property/, 1);
    });

    it('a target line after the run line, or a second run line', async () => {
      await refused([...good, good[0] as string], /target line after the run line \(line \d+\)/, runLine + 1);
      await refused([...good, good.at(-1) as string], /run line after the run line/, runLine + 1);
    });

    it('an ordinal given twice, or one missing', async () => {
      await refused([good[0] as string, ...good], /ordinal \d+ was already given on line 1/, 2);
      const renumbered = (good[0] as string).replace(
        /^\{"kind":"target","ordinal":\d+/,
        '{"kind":"target","ordinal":99',
      );
      await refused([renumbered, ...good.slice(1)], /ordinal 99 given but ordinal \d+ missing/, 1);
    });

    it('a stream cut off before its run line', async () => {
      await refused(good.slice(0, -1), /ends without its run line/, runLine - 1);
      // Cut mid-line, as a copy of a file still being written would be.
      await refused([...good.slice(0, -1), (good.at(-1) as string).slice(0, 40)], /not JSON/, runLine);
    });

    it('an absurdly long line', async () => {
      await refused(
        [good[0] as string, `{"kind":"target","x":"${'a'.repeat(MAX_NDJSON_LINE)}"}`],
        /line longer than [\d,]+ characters/,
        2,
      );
    });
  });

  it('a JSON result too large for one string is refused before reading, pointing at NDJSON (exit 2)', async () => {
    const file = join(dir, 'huge.json');
    writeFileSync(file, '');
    // Sparse: the size is there, the bytes are not written.
    truncateSync(file, MAX_JSON_RESULT_BYTES + 1);
    const run = await runCli(['report', file, '--format', 'md']);
    expect(run.code).to.equal(2);
    expect(run.stderr.trim().split('\n')).to.have.length(1);
    expect(run.stderr).to.include(file);
    expect(run.stderr).to.match(/501 MiB is more than the 500 MiB a JSON result can be read as/);
    expect(run.stderr).to.include('--format ndjson');
  });
});
