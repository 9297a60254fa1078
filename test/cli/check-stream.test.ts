/**
 * `check` at scale, through the CLI: targets files and prefixes, `--format ndjson` (a line
 * per finished target, then the run line, each valid against checks/schema/ndjson.schema.json),
 * and the JSON result written from the spool record by record (valid, in target order).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'chai';
import { validateResult } from '../../src/report/validate-result.js';
import { joinResult, type RunHeader, type TargetRecord } from '../../src/result/target-records.js';
import { runCli } from '../support/cli.js';
import { tcpListener } from '../support/fake-servers.js';

const addFormats = addFormatsModule.default;
const schema = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../checks/schema/${name}`, import.meta.url), 'utf8')) as object;

describe('check: targets files, prefixes, NDJSON and the streamed JSON result', function () {
  this.timeout(30_000);
  let dir: string;
  let listener: { port: number; close: () => Promise<void> };
  let list: string;
  // 127.0.0.1 listens; 127.0.0.2 (twice), .5 and .6 (the /30) refuse.
  const names = ['127.0.0.1', '127.0.0.2', '127.0.0.5', '127.0.0.6'];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-stream-'));
    listener = await tcpListener();
    list = join(dir, 'estate.txt');
    writeFileSync(list, '# estate\n127.0.0.2\n\n127.0.0.4/30   # a small prefix\n127.0.0.2\n');
  });
  after(async () => {
    await listener.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const args = () => [
    'check',
    '--port',
    `${listener.port}/tcp`,
    '--timeout',
    '1000',
    '-q',
    '127.0.0.1',
    '--targets-file',
    list,
  ];

  it('--format ndjson: one valid line per target as it finishes, then the run line; joined, they are the result', async () => {
    const run = await runCli([...args(), '--format', 'ndjson']);
    expect(run.code, run.stderr).to.equal(1);
    const lines = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv, ['date-time']);
    ajv.addSchema(schema('result.schema.json'));
    const valid = ajv.compile(schema('ndjson.schema.json'));
    for (const line of lines) expect(valid(line), JSON.stringify(valid.errors)).to.equal(true);
    expect(lines.map((l) => l.kind)).to.deep.equal(['target', 'target', 'target', 'target', 'run']);
    const targets = lines.slice(0, 4) as unknown as (TargetRecord & { ordinal: number })[];
    const byOrdinal = [...targets].sort((a, b) => a.ordinal - b.ordinal);
    expect(byOrdinal.map((t) => t.target.name)).to.deep.equal(names);
    expect(byOrdinal[2]?.target.origin).to.equal(`${list}:4 (127.0.0.4/30)`);
    const states = byOrdinal.map((t) => t.observations.map((o) => o.state));
    expect(states).to.deep.equal([['open'], ['closed'], ['closed'], ['closed']]);
    const { kind: _, ...header } = lines[4] as RunHeader & { kind: string };
    expect(header.summary.counts).to.include({ pass: 1, fail: 3 });
    const joined = joinResult(header, byOrdinal);
    expect(validateResult(JSON.parse(JSON.stringify(joined))).ok).to.equal(true);
  });

  it('--format json --output: written from the spool, valid, every target in target order', async () => {
    const out = join(dir, 'result.json');
    const run = await runCli([...args(), '--format', 'json', '--output', out]);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.include(`wrote ${out}`);
    const outcome = validateResult(JSON.parse(readFileSync(out, 'utf8')));
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.problems));
    expect(outcome.result.targets.map((t) => t.name)).to.deep.equal(names);
    const verdicts = outcome.result.verdicts.expectations;
    expect(
      verdicts.map((v) => [v.target, v.status, outcome.result.observations[v.observations[0] ?? -1]?.target]),
    ).to.deep.equal(names.map((n, i) => [n, i === 0 ? 'pass' : 'fail', n]));
  });

  it('a bad targets-file line is exit 2 naming file:line, and nothing is written', async () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '127.0.0.1\n10.0.0.0/8\n');
    const out = join(dir, 'never.json');
    const run = await runCli([
      'check',
      '--port',
      '445/tcp',
      '--targets-file',
      bad,
      '--format',
      'json',
      '--output',
      out,
    ]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include(
      `${bad}:2: target "10.0.0.0/8" is 16,777,214 addresses, more than the CIDR limit of 65,536`,
    );
    expect(existsSync(out)).to.equal(false);
  });

  it('past 1,000 targets every report is written: the others from a bounded view, the JSON whole', async () => {
    // 127.0.0.1 listens; the other 1,022 addresses of the /22 refuse: 1,022 failing targets.
    const args = ['check', '--port', `${listener.port}/tcp`, '-q', '127.0.0.1', '127.1.0.0/22'];
    const out = join(dir, 'large');
    const run = await runCli([...args, '--format', 'json,html,junit,md,table', '--output-dir', out]);
    expect(run.code, run.stderr).to.equal(1);
    const file = (ext: string) => readFileSync(join(out, `latest.${ext}`), 'utf8');
    const json = JSON.parse(file('json'));
    expect(json.targets).to.have.length(1023);
    expect(json.observations, 'the JSON result is whole').to.have.length(1023);
    const html = file('html');
    expect(html).to.include('id="view-note"');
    expect(html).to.include('root causes and failing rows are shown for the first 100 failing or inconclusive targets');
    expect(html).to.include('922 more failing or inconclusive targets');
    // The one compliant target is in the collapsed list, not a target line.
    expect(html).to.match(/<details id="compliant-targets">.*1 compliant target .*<li>127\.0\.0\.1<\/li>/s);
    expect(html.match(/<details class="target"/g)).to.have.length(1022);
    const junit = file('xml');
    expect(junit).to.match(/<testsuites name="portolan" tests="\d+" failures="1022"/);
    expect(junit).to.include('<testsuite name="targets without detail"');
    expect(Buffer.byteLength(file('md'))).to.be.at.most(64 * 1024);
    expect(file('md')).to.include('**A large run (1023 targets):**');
    const table = file('txt');
    expect(table).to.include('… and 80 more targets; the HTML report lists them');
    expect(table.split('\n').length, 'the table stays a screenful or a few').to.be.below(400);
  });

  it('ndjson goes alone, to stdout or --output FILE: with other formats or --output-dir it is exit 2', async () => {
    const mixed = await runCli([...args(), '--format', 'ndjson,json', '--output-dir', dir]);
    expect(mixed.code).to.equal(2);
    expect(mixed.stderr).to.match(/ndjson streams alone/);
    const folder = await runCli([...args(), '--format', 'ndjson', '--output-dir', dir]);
    expect(folder.code).to.equal(2);
    expect(folder.stderr).to.match(/not --output-dir/);
  });
});
