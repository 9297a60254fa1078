import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Command } from 'commander';
import { registerReport } from '../../src/cli/commands/report.js';
import { PortolanError } from '../../src/errors.js';
import { renderers } from '../../src/report/index.js';
import { runCli } from '../support/cli.js';
import { fixtureFile, loadFixture } from './fixtures.js';

async function run(args: string[]): Promise<void> {
  const program = new Command('portolan').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerReport(program);
  await program.parseAsync(['node', 'portolan', 'report', ...args]);
}

describe('portolan report', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-report-cmd-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('re-renders a saved result into --output', async () => {
    const out = join(dir, 'junit.xml');
    await run([fixtureFile('firewalled'), '--format', 'junit', '--output', out]);
    expect(readFileSync(out, 'utf8')).to.equal(renderers.junit(loadFixture('firewalled')));
    expect(readdirSync(dir)).to.deep.equal(['junit.xml']);
  });

  it('writes to stdout without --output', async () => {
    const chunks: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => {
      chunks.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      await run([fixtureFile('healthy'), '--format', 'md']);
    } finally {
      process.stdout.write = write;
    }
    expect(chunks.join('')).to.match(/^### portolan: ✔ COMPLIANT/);
  });

  it('refuses an invalid result with the file, the JSON pointer and what was expected (exit 2 via USAGE)', async () => {
    const bad = loadFixture('healthy') as unknown as { observations: { rttMs: unknown }[] };
    (bad.observations[0] as { rttMs: unknown }).rttMs = 'fast';
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    const out = join(dir, 'report.html');
    const err = await run([file, '--format', 'html', '--output', out]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(PortolanError);
    expect((err as PortolanError).code).to.equal('RESULT_INVALID');
    expect((err as PortolanError).message).to.include(file);
    expect((err as PortolanError).message).to.include('/observations/0/rttMs: must be number or null');
    expect(readdirSync(dir)).to.deep.equal(['bad.json']);
  });

  it('refuses a file that is not JSON, and a missing file', async () => {
    const file = join(dir, 'x.json');
    writeFileSync(file, '{"schemaVersion": 1,');
    const notJson = await run([file]).catch((e: unknown) => e);
    expect((notJson as PortolanError).code).to.equal('RESULT_INVALID');
    expect((notJson as PortolanError).message).to.match(/not JSON/);
    const missing = await run([join(dir, 'nope.json')]).catch((e: unknown) => e);
    expect((missing as PortolanError).code).to.equal('FILE_UNREADABLE');
  });

  it('takes a result file or --run ID, not both and not neither; --plan only with --run latest', async () => {
    const code = async (args: string[]) => ((await run(args).catch((e: unknown) => e)) as PortolanError).code;
    const history = ['--history', join(dir, 'none.db')];
    expect(await code([fixtureFile('healthy'), '--run', '1', ...history])).to.equal('CONFLICTING_OPTIONS');
    expect(await code(history)).to.equal('MISSING_OPTION');
    expect(await code([fixtureFile('healthy'), '--plan', 'nightly'])).to.equal('MISSING_OPTION');
    expect(await code(['--run', '7', '--plan', 'nightly', ...history])).to.equal('MISSING_OPTION');
    expect(await code(['--run', 'newest', ...history])).to.equal('INVALID_VALUE');
    expect(await code(['--run', '1', ...history])).to.equal('HISTORY_MISSING');
    expect(readdirSync(dir), 'reading never creates a history').to.deep.equal([]);
  });

  it('rejects an unknown format in one line, exit 2, before reading the file', async () => {
    const err = await run([join(dir, 'absent.json'), '--format', 'pdf']).catch((e: unknown) => e);
    expect((err as PortolanError).code).to.equal('INVALID_VALUE');
    const cli = await runCli(['report', fixtureFile('healthy'), '--format', 'pdf']);
    expect(cli.code).to.equal(2);
    expect(cli.stderr).to.equal('portolan: --format "pdf": expected one of table, json, junit, md, html\n');
    expect(cli.stdout).to.equal('');
  });

  it('reproduces every format from the saved JSON, root causes included', async () => {
    const result = loadFixture('one-dc');
    const file = join(dir, 'one-dc.json');
    writeFileSync(file, renderers.json(result));
    const expected = {
      junit: '<failure message="SMB 445/tcp on dc1.corp.example',
      md: '#### Root causes: 4 to fix on 1 target(s)',
      html: 'Root causes: what to fix (4 on 1 target)',
    };
    for (const [format, text] of Object.entries(expected)) {
      const cli = await runCli(['report', file, '--format', format]);
      expect(cli.code, cli.stderr).to.equal(0);
      expect(cli.stdout).to.include(text);
    }
    const table = await runCli(['report', file]);
    expect(table.stdout).to.equal(renderers.table(result));
    const verbose = await runCli(['report', file, '--verbose']);
    expect(verbose.stdout).to.equal(renderers.table(result, { verbose: true }));
    expect(verbose.stdout).to.include('EVERY ROW');
  });
});
