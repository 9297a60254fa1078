import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { recordRun } from '../../src/history/record-run.js';
import type { ProbeState, RunResult } from '../../src/model.js';
import { renderers } from '../../src/report/index.js';
import { validateResult } from '../../src/report/validate-result.js';
import { stubRunCheck } from '../plan/stub-check.js';

async function resultWith(states: Record<string, ProbeState>, at: string): Promise<RunResult> {
  const { runCheck } = stubRunCheck(
    (t, spec) => states[`${t} ${spec}`] ?? 'open',
    () => new Date(at),
  );
  return runCheck({
    targets: [{ name: 'dc1.test', origin: 'test' }],
    roles: [],
    services: [],
    ports: ['88/tcp', '389/tcp'],
    options: {},
    commandLine: [],
  });
}

describe('"changed since the last run" in the reports', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-changes-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('attaches the drift to the new result, and the HTML and Markdown show it, escaped', async () => {
    const db = join(dir, 'history.db');
    const plan = { name: 'nightly', file: null };
    const first = await resultWith({}, '2026-11-25T02:00:00Z');
    await recordRun(db, first, plan);
    expect(first.changes).to.equal(undefined); // no previous run yet
    const second = await resultWith({ 'dc1.test 389/tcp': 'filtered' }, '2026-11-26T02:00:00Z');
    await recordRun(db, second, plan);
    expect(second.changes?.since).to.equal('2026-11-25T02:00:00.000Z');
    expect(second.changes?.items.map((c) => [c.kind, c.before, c.after])).to.deep.equal([
      ['newly-failing', 'pass', 'fail'],
    ]);
    expect(validateResult(second).ok).to.equal(true);

    const item = second.changes?.items[0];
    if (item) item.explanation = `${item.explanation} <img src=x onerror=alert(1)>`;
    const html = renderers.html(second, { now: new Date('2026-11-26T03:00:00Z') });
    expect(html).to.match(
      /<h2 id="h-changes">Changed since the last run \(2026-11-25T02:00:00.000Z, compliant\)<\/h2>/,
    );
    expect(html).to.include('newly-failing');
    expect(html).not.to.include('<img src=x');
    const md = renderers.md(second, { now: new Date('2026-11-26T03:00:00Z') });
    expect(md).to.match(/#### Changed since the last run/);
    expect(md).to.match(/\| newly-failing \| dc1\.test \|/);
  });

  it('leaves reports without history unchanged (no section)', async () => {
    const result = await resultWith({}, '2026-11-26T02:00:00Z');
    expect(renderers.html(result)).not.to.include('h-changes');
    expect(renderers.md(result)).not.to.include('Changed since the last run');
  });
});
