import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCheck } from '../../src/check/run-check.js';
import { executePlan } from '../../src/plan/execute.js';
import { parsePlan } from '../../src/plan/load.js';

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

describe('a plan against 127.0.0.1 with the real probe engine', () => {
  let dir: string;
  const servers: Server[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-plan-'));
  });
  after(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes the required port, flags an unexpected-open blocked port, records history and writes reports', async function () {
    this.timeout(20_000);
    const wanted = await listen();
    const forbidden = await listen();
    const gone = await listen();
    servers.push(wanted.server, forbidden.server);
    await new Promise((resolve) => gone.server.close(resolve)); // a refused port: bind, read the port, close
    const plan = parsePlan(
      `version: 1
name: loopback
options: { appProbes: false, timeoutMs: 500, retries: 0 }
groups:
  - name: local
    targets: [127.0.0.1]
    ports: ['\${WANTED}/tcp']
    blocked:
      ports: ['\${FORBIDDEN}/tcp', '\${GONE}/tcp']
      reason: test rule
outputs: { directory: ${join(dir, 'out')}, formats: [json, junit] }
`,
      join(dir, 'plan.yaml'),
      { env: { WANTED: String(wanted.port), FORBIDDEN: String(forbidden.port), GONE: String(gone.port) } },
    );
    const done = await executePlan(plan, runCheck, {
      commandLine: ['portolan', 'run'],
      historyPath: join(dir, 'h.db'),
    });
    const byPort = (port: number) =>
      done.result.verdicts.expectations.find((v) => v.expectation.endsWith(`/${port}/tcp`));
    expect(byPort(wanted.port)?.status).to.equal('pass');
    expect(byPort(forbidden.port)).to.deep.include({ status: 'fail', negative: true });
    expect(byPort(forbidden.port)?.explanation).to.match(/^unexpected-open: .*test rule/);
    expect(byPort(gone.port)).to.deep.include({ status: 'pass', negative: true });
    expect(done.result.summary.exitCode).to.equal(1);
    expect(done.recorded?.id).to.equal(1);
    expect(done.written.map((f) => f.slice(dir.length))).to.deep.equal(['/out/loopback.json', '/out/loopback.xml']);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'loopback.json'), 'utf8')).summary.status).to.equal(
      'non-compliant',
    );
  });

  it('a target that does not resolve spoils nothing: the rest is checked, recorded and reported', async function () {
    this.timeout(20_000);
    const wanted = await listen();
    servers.push(wanted.server);
    const plan = parsePlan(
      `version: 1
name: partly-gone
options: { appProbes: false, timeoutMs: 500, retries: 0 }
groups:
  - name: local
    targets: [127.0.0.1, gone.invalid]
    ports: ['\${WANTED}/tcp']
    blocked:
      ports: ['9/tcp']
      reason: test rule
outputs: { directory: ${join(dir, 'gone-out')}, formats: [json] }
`,
      join(dir, 'gone.yaml'),
      { env: { WANTED: String(wanted.port) } },
    );
    const done = await executePlan(plan, runCheck, {
      commandLine: ['portolan', 'run'],
      historyPath: join(dir, 'gone.db'),
    });
    const statuses = done.result.verdicts.expectations.map((v) => [
      v.target,
      v.expectation.split('/').slice(-2).join('/'),
      v.status,
    ]);
    expect(statuses).to.have.deep.members([
      ['127.0.0.1', `${wanted.port}/tcp`, 'pass'],
      ['127.0.0.1', '9/tcp', 'pass'],
      ['gone.invalid', `${wanted.port}/tcp`, 'inconclusive'],
      ['gone.invalid', '9/tcp', 'inconclusive'],
    ]);
    const gone = done.result.observations.filter((o) => o.target === 'gone.invalid');
    expect(gone.map((o) => [o.state, o.reason])).to.deep.equal([
      ['error', 'resolve-failed'],
      ['error', 'resolve-failed'],
    ]);
    expect(done.result.targets.find((t) => t.name === 'gone.invalid')?.error).to.match(/did not resolve/);
    // Not compliant with a target it could not check; the reports and the history still have the run.
    expect(done.result.summary).to.include({ status: 'inconclusive', exitCode: 3 });
    expect(done.recorded?.id).to.equal(1);
    expect(done.written.map((f) => f.slice(dir.length))).to.deep.equal(['/gone-out/partly-gone.json']);
  });
});
