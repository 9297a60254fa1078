/** `portolan diff` against a history that holds one run of the plan from this source: said so, exit 0. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { recordRun } from '../../src/history/record-run.js';
import { stubRunCheck } from '../plan/stub-check.js';
import { runCli } from '../support/cli.js';

describe('portolan diff', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-diff-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('with one recorded run says there is nothing to compare yet, and exits 0', async () => {
    const db = join(dir, 'history.db');
    const { runCheck } = stubRunCheck(() => 'open');
    const result = await runCheck({
      targets: [{ name: 'dc1.test', origin: 'test' }],
      roles: [],
      services: [],
      ports: ['88/tcp'],
      options: {},
      commandLine: [],
    });
    await recordRun(db, result, { name: 'nightly', file: '/plans/nightly.yaml' });
    const text = await runCli(['diff', '--history', db]);
    expect(text.code).to.equal(0);
    expect(text.stdout).to.equal(
      'plan "nightly" has only one complete run from probe.test (1): nothing to compare yet\n',
    );
    expect(text.stderr).to.equal('');
    const json = await runCli(['diff', '--history', db, '--json']);
    expect(json.code).to.equal(0);
    expect(JSON.parse(json.stdout)).to.deep.equal({ onlyRun: 1, changes: [] });
  });
});
