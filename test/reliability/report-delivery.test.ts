/**
 * Issue 12 item 1 and issue 14 items 4 and 6: no run loses its results.
 * - The JSON result is streamed (equal to JSON.stringify byte for byte, in bounded chunks),
 *   and a result too large for one V8 string is still written whole.
 * - Each format is written on its own: one renderer that throws costs only its own file,
 *   the run exits 70 (not the usage code 2) and says what was written.
 * - latest.* is one run's set; off a TTY the log shows the verdict, not only "wrote ...".
 * - A folder that cannot be written is found before probing: one line, exit 2.
 */

import { constants as bufferConstants } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { RunResult } from '../../src/model.js';
import { renderers } from '../../src/report/index.js';
import { jsonChunks } from '../../src/report/json-stream.js';
import type { Renderer } from '../../src/report/types.js';
import { writeReports } from '../../src/report/write.js';
import { fixtureNames, loadFixture, NOW } from '../report/fixtures.js';
import { runCli } from '../support/cli.js';
import { closedTcpPort } from '../support/fake-servers.js';

const isRoot = process.getuid?.() === 0;

/** Replace one renderer with one that fails as a too-large run does, for the length of `fn`. */
async function withBrokenRenderer<T>(format: 'md' | 'html' | 'table', fn: () => Promise<T>): Promise<T> {
  const table = renderers as Record<string, Renderer>;
  const real = table[format] as Renderer;
  table[format] = () => {
    throw new RangeError('Invalid string length');
  };
  try {
    return await fn();
  } finally {
    table[format] = real;
  }
}

/** A loopback listener that counts connections: "before probing" means it saw none. */
async function countingListener(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => n,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the JSON result is streamed', () => {
  it('equals JSON.stringify(result, null, 2) byte for byte for every report fixture', () => {
    for (const name of fixtureNames()) {
      const result = loadFixture(name);
      expect([...jsonChunks(result)].join(''), name).to.equal(JSON.stringify(result, null, 2));
    }
  });

  it('follows JSON.stringify on what a result might one day carry: toJSON, undefined, NaN, empties, boxed values', () => {
    const odd = {
      date: new Date('2026-01-02T03:04:05Z'),
      gone: undefined,
      fn: () => 1,
      list: [undefined, () => 1, Number.NaN, Number.POSITIVE_INFINITY, -0, null, [], {}, [[]], { a: {} }],
      boxed: [Object(1), Object('s'), Object(true)],
      text: 'quote " backslash \\ newline \n nul \u0000 emoji \u{1f600} lone \ud800',
      nested: { deeper: { deepest: [1, { x: 'y' }] } },
      custom: { toJSON: (key: string) => `key was ${key}` },
    };
    expect([...jsonChunks(odd)].join('')).to.equal(JSON.stringify(odd, null, 2));
    expect([...jsonChunks(odd, '\t')].join('')).to.equal(JSON.stringify(odd, null, '\t'));
    expect([...jsonChunks(undefined)]).to.deep.equal([]);
    expect([...jsonChunks('x')].join('')).to.equal('"x"');
  });

  it('throws TypeError on a cycle or a BigInt, as JSON.stringify does', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => [...jsonChunks(cyclic)]).to.throw(TypeError, /circular/);
    expect(() => [...jsonChunks({ n: 1n })]).to.throw(TypeError, /BigInt/);
    // The same object twice (not a cycle) is fine.
    const shared = { s: 1 };
    expect([...jsonChunks({ a: shared, b: shared })].join('')).to.equal(
      JSON.stringify({ a: shared, b: shared }, null, 2),
    );
  });

  it('yields chunks of bounded size: never one string for the whole result', () => {
    const result = loadFixture('firewalled');
    const chunks = [...jsonChunks(result, '  ', 1024)];
    expect(chunks.length).to.be.greaterThan(10);
    const longestLeaf = 200;
    for (const c of chunks) expect(c.length).to.be.at.most(1024 + longestLeaf);
  });

  it('writes a result too large for one V8 string whole, while the renderers that need one string fail alone', function () {
    this.timeout(180_000);
    // Synthetic: one 4 MiB evidence string shared by 140 list entries costs 4 MiB of memory
    // but 560 MiB of JSON, more than the longest string V8 can make.
    const result = loadFixture('healthy') as RunResult;
    const big = 'x'.repeat(4 << 20);
    const first = result.observations[0] as RunResult['observations'][number];
    result.observations[0] = { ...first, evidence: Array.from({ length: 140 }, () => big) };
    expect(() => JSON.stringify(result)).to.throw(RangeError);
    const dir = mkdtempSync(join(tmpdir(), 'portolan-huge-'));
    try {
      const outcome = writeReports(result, { formats: ['json', 'junit'], dir, now: NOW });
      const json = outcome.written.find((w) => w.format === 'json');
      expect(json, 'the JSON result was written').to.not.equal(undefined);
      const size = statSync(json?.path as string).size;
      expect(size).to.be.greaterThan(bufferConstants.MAX_STRING_LENGTH);
      // Its beginning and end are the JSON result's.
      const fd = openSync(json?.path as string, 'r');
      const head = Buffer.alloc(64);
      const tail = Buffer.alloc(64);
      readSync(fd, head, 0, 64, 0);
      readSync(fd, tail, 0, 64, size - 64);
      closeSync(fd);
      expect(head.toString()).to.match(/^\{\n {2}"schemaVersion": 1,/);
      expect(tail.toString()).to.match(/\n\}\n$/);
      // JUnit needs one string: it either fits (its own bounds) or fails on its own; never both lost.
      expect(outcome.written.length + outcome.failed.length).to.equal(2);
      for (const f of outcome.failed) expect(f.error).to.be.instanceOf(RangeError);
      expect(readFileSync(join(dir, 'latest.json')).length).to.equal(size);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('each format is written on its own, latest.* is one run', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-deliver-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a renderer that throws costs its own file only', async () => {
    const result = loadFixture('firewalled');
    const outcome = await withBrokenRenderer('md', async () =>
      writeReports(result, { formats: ['json', 'md', 'html'], dir, now: NOW }),
    );
    expect(outcome.written.map((w) => w.format)).to.deep.equal(['json', 'html']);
    expect(outcome.failed.map((f) => [f.format, f.error.message])).to.deep.equal([['md', 'Invalid string length']]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    expect(existsSync(join(dir, 'latest.md'))).to.equal(false);
  });

  it('latest.* holds exactly the last run’s formats, each the same bytes as that run’s file', () => {
    const result = loadFixture('firewalled');
    writeReports(result, { formats: ['json', 'md', 'table'], dir, now: NOW });
    const second = writeReports(loadFixture('healthy'), { formats: ['json', 'html'], dir, now: NOW });
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('latest.'))
        .sort(),
    ).to.deep.equal(['latest.html', 'latest.json']);
    for (const w of second.written) {
      expect(w.latest).to.equal(join(dir, `latest.${w.format}`));
      expect(readFileSync(w.latest as string, 'utf8')).to.equal(readFileSync(w.path, 'utf8'));
    }
  });

  it("keep: 'latest' (a plan's outputs) still writes the other formats when one fails", async () => {
    const outcome = await withBrokenRenderer('html', async () =>
      writeReports(loadFixture('healthy'), {
        formats: ['json', 'html', 'md'],
        dir,
        baseName: 'nightly',
        keep: 'latest',
      }),
    );
    expect(readdirSync(dir).sort()).to.deep.equal(['nightly.json', 'nightly.md']);
    expect(outcome.failed.map((f) => f.path)).to.deep.equal([join(dir, 'nightly.html')]);
  });
});

describe('the CLI after probing: exit 70 and what was written, never the usage code', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-cli-deliver-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--output-dir with one broken format: the others are written, stderr says which failed, exit 70', async () => {
    const port = await closedTcpPort();
    const run = await withBrokenRenderer('md', () =>
      runCli(['check', '--port', `${port}/tcp`, '127.0.0.1', '-f', 'json,md,html', '--output-dir', dir, '-q']),
    );
    expect(run.code).to.equal(70);
    expect(run.stderr).to.match(/^NON-COMPLIANT: /m);
    expect(run.stderr).to.match(/md report not written \(.*\.md\): RangeError: Invalid string length/);
    expect(run.stderr).to.match(/written: .*\.json, .*\.html/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json') || f.endsWith('.html'))).to.have.length(4);
  });

  it('one format to stdout that cannot be rendered: the JSON result is kept in the temp directory, exit 70', async () => {
    const port = await closedTcpPort();
    const run = await withBrokenRenderer('table', () => runCli(['check', '--port', `${port}/tcp`, '127.0.0.1', '-q']));
    expect(run.code).to.equal(70);
    const kept = /the JSON result was kept in (\S+\.json);/.exec(run.stderr)?.[1];
    expect(kept, run.stderr).to.be.a('string');
    try {
      expect(kept?.startsWith(tmpdir())).to.equal(true);
      expect(JSON.parse(readFileSync(kept as string, 'utf8'))).to.have.nested.property(
        'summary.status',
        'non-compliant',
      );
    } finally {
      rmSync(kept as string, { force: true });
    }
  });

  it('--output FILE that cannot be rendered keeps the JSON beside it', async () => {
    const port = await closedTcpPort();
    const out = join(dir, 'report.html');
    const run = await withBrokenRenderer('html', () =>
      runCli(['check', '--port', `${port}/tcp`, '127.0.0.1', '-f', 'html', '-o', out, '-q']),
    );
    expect(run.code).to.equal(70);
    expect(existsSync(out)).to.equal(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).to.have.length(1);
  });

  it('off a TTY, --output-dir shows the verdict and headline before the "wrote" lines (issue 14 item 4)', async () => {
    const port = await closedTcpPort();
    const run = await runCli(['check', '--port', `${port}/tcp`, '127.0.0.1', '-f', 'json,md', '--output-dir', dir]);
    expect(run.code).to.equal(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).to.match(/^NON-COMPLIANT: \S/);
    expect(lines.slice(1).every((l) => l.startsWith('wrote '))).to.equal(true);
    expect(run.stdout).to.equal('');
  });

  it('an internal error (a bug) exits 70 too, not 2', async () => {
    const run = await withBrokenRenderer('md', () => runCli(['report', join(dir, 'nope.json'), '-f', 'md']));
    // A file that is not there is the user's (2); the renderer is not even reached.
    expect(run.code).to.equal(2);
    writeFileSync(join(dir, 'r.json'), JSON.stringify(loadFixture('healthy')));
    const broken = await withBrokenRenderer('md', () => runCli(['report', join(dir, 'r.json'), '-f', 'md']));
    expect(broken.code).to.equal(70);
    expect(broken.stderr).to.match(/^portolan: internal error: RangeError: Invalid string length/);
  });
});

describe('--output-dir that cannot be written is found before probing (issue 14 item 6)', () => {
  let dir: string;
  let listener: Awaited<ReturnType<typeof countingListener>>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-unwritable-'));
    listener = await countingListener();
  });
  afterEach(async () => {
    await listener.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const check = (outputDir: string) =>
    runCli(['check', '--port', `${listener.port}/tcp`, '127.0.0.1', '-f', 'json,md', '--output-dir', outputDir, '-q']);

  const expectUsageLine = (run: { code: number; stderr: string }, pattern: RegExp) => {
    expect(run.code).to.equal(2);
    expect(run.stderr.trim().split('\n'), run.stderr).to.have.length(1);
    expect(run.stderr).to.match(pattern);
    expect(listener.connections(), 'no probe was sent').to.equal(0);
  };

  it('a file in the path', async () => {
    writeFileSync(join(dir, 'file'), 'x');
    expectUsageLine(
      await check(join(dir, 'file', 'reports')),
      /--output-dir ".*file\/reports": cannot write reports there \(.*file is a file, not a directory\)/,
    );
  });

  it('/proc/nope: no endless recursive mkdir', async function () {
    if (process.platform !== 'linux') this.skip();
    expectUsageLine(
      await check('/proc/nope/reports'),
      /--output-dir "\/proc\/nope\/reports": cannot write reports there \(it does not exist and cannot be created\)/,
    );
  });

  it('a directory without write permission (EACCES)', async function () {
    this.timeout(60_000);
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    if (!isRoot) {
      expectUsageLine(await check(join(locked, 'sub')), /cannot write reports there \(permission denied\)/);
      return;
    }
    // Root writes anywhere: run the CLI as nobody to meet a real EACCES.
    const r = spawnSync(
      process.execPath,
      [
        '--import=tsx',
        join(import.meta.dirname, '../../src/cli/bin.ts'),
        'check',
        '--port',
        `${listener.port}/tcp`,
        '127.0.0.1',
        '--output-dir',
        join(locked, 'sub'),
        '-q',
      ],
      { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 50_000, env: { ...process.env, HOME: tmpdir() } },
    );
    expectUsageLine({ code: r.status ?? -1, stderr: r.stderr }, /cannot write reports there \(permission denied\)/);
  });

  it('a read-only file system (EROFS)', async function () {
    if (!isRoot || process.platform !== 'linux') {
      console.log('      (skipped: mounting a read-only tmpfs needs root on Linux; CI runs it)');
      this.skip();
    }
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
    if (mount.status !== 0) throw new Error(`mount failed: ${mount.stderr}`);
    try {
      expectUsageLine(await check(join(ro, 'reports')), /cannot write reports there \(read-only file system\)/);
      expectUsageLine(await check(ro), /cannot write reports there \(read-only file system\)/);
    } finally {
      spawnSync('umount', [ro]);
    }
  });

  it('a plan whose outputs.directory cannot be written fails before probing, exit 2', async () => {
    writeFileSync(join(dir, 'file'), 'x');
    const plan = join(dir, 'plan.yaml');
    writeFileSync(
      plan,
      `version: 1\nname: p\ngroups:\n  - name: g\n    targets: [127.0.0.1]\n    ports: [${listener.port}/tcp]\n` +
        `outputs:\n  directory: ${join(dir, 'file', 'out')}\n  formats: [json]\n`,
    );
    const run = await runCli(['run', plan, '--no-history', '--print', 'none', '-q']);
    expectUsageLine(run, /outputs\.directory ".*file\/out": cannot write reports there/);
  });
});
