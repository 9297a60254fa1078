import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runAgent, type VerdictChangePayload } from '../../src/agent/agent.js';
import { postWebhook } from '../../src/agent/webhook.js';
import { History } from '../../src/history/store.js';
import { stubRunCheck } from '../plan/stub-check.js';

interface Receiver {
  url: string;
  bodies: unknown[];
  server: Server;
}

/** A webhook receiver on 127.0.0.1 that answers with the given status codes in turn (then 204). */
async function receiver(statuses: number[] = []): Promise<Receiver> {
  const bodies: unknown[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      res.statusCode = statuses.shift() ?? 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, server };
}

const PLAN = (dir: string) => `version: 1
name: agent-test
groups:
  - name: dcs
    targets: [dc1.test]
    ports: [88/tcp, 389/tcp]
outputs:
  directory: ${join(dir, 'reports')}
  formats: [json, md]
`;

describe('portolan agent', () => {
  let dir: string;
  let hook: Receiver | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-agent-'));
    writeFileSync(join(dir, 'plan.yaml'), PLAN(dir));
  });
  afterEach(async () => {
    await new Promise((resolve) => (hook ? hook.server.close(resolve) : resolve(undefined)));
    hook = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every 2 s for three cycles, records history and posts a webhook each time the verdict flips', async function () {
    this.timeout(20_000);
    hook = await receiver();
    let cycle = 0;
    const starts: number[] = [];
    const stub = stubRunCheck((_t, spec) => {
      if (spec === '88/tcp') {
        cycle++;
        starts.push(Date.now());
      }
      return cycle === 2 && spec === '389/tcp' ? 'filtered' : 'open';
    });
    const lines: string[] = [];
    const begun = Date.now();
    const { runs } = await runAgent({
      planPath: join(dir, 'plan.yaml'),
      everyMs: 2000,
      jitter: 0,
      webhook: hook.url,
      logFormat: 'json',
      historyPath: join(dir, 'history.db'),
      maxRuns: 3,
      runCheck: stub.runCheck,
      stop: new AbortController().signal,
      log: (line) => lines.push(line),
      commandLine: ['portolan', 'agent'],
    });
    expect(runs).to.equal(3);
    // Cycle N starts N x 2 s after the agent did, and probes after it starts. (Probe to probe
    // is not 2 s: each cycle first loads the catalog and the plan, which takes a varying time.)
    expect(starts[1] as number).to.be.greaterThanOrEqual(begun + 2000);
    expect(starts[2] as number).to.be.greaterThanOrEqual(begun + 4000);

    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const runLines = entries.filter((e) => e.event === 'run');
    expect(runLines.map((e) => [e.status, e.changed])).to.deep.equal([
      ['compliant', false],
      ['non-compliant', true],
      ['compliant', true],
    ]);
    expect(entries.filter((e) => e.event === 'webhook').map((e) => e.ok)).to.deep.equal([true, true]);

    const payloads = hook.bodies as VerdictChangePayload[];
    expect(payloads.map((p) => [p.event, p.plan, p.previous, p.status, p.exitCode])).to.deep.equal([
      ['verdict-changed', 'agent-test', 'compliant', 'non-compliant', 1],
      ['verdict-changed', 'agent-test', 'non-compliant', 'compliant', 0],
    ]);
    expect(payloads[0]?.changes.counts['newly-failing']).to.equal(1);
    expect(payloads[0]?.changes.items[0]).to.include({ kind: 'newly-failing', target: 'dc1.test', after: 'fail' });
    expect(payloads[1]?.changes.items[0]).to.include({ kind: 'recovered', expectation: 'adhoc/389/tcp' });
    expect(payloads[0]?.reports).to.deep.equal([
      join(dir, 'reports', 'agent-test.json'),
      join(dir, 'reports', 'agent-test.md'),
    ]);

    const history = await History.open(join(dir, 'history.db'), { mustExist: true });
    expect((await history.list()).map((r) => r.status)).to.deep.equal(['compliant', 'non-compliant', 'compliant']);
    await history.close();
    const latest = JSON.parse(readFileSync(join(dir, 'reports', 'agent-test.json'), 'utf8'));
    expect(latest.summary.status).to.equal('compliant');
  });

  it('posts the webhook on the first run when that run fails (nothing earlier to compare with), not when it passes', async function () {
    this.timeout(20_000);
    hook = await receiver();
    const failing = stubRunCheck((_t, spec) => (spec === '389/tcp' ? 'filtered' : 'open'));
    const base = {
      planPath: join(dir, 'plan.yaml'),
      everyMs: 60_000,
      webhook: hook.url,
      logFormat: 'json' as const,
      maxRuns: 1,
      stop: new AbortController().signal,
      log: () => {},
      commandLine: ['portolan', 'agent'],
    };
    await runAgent({ ...base, historyPath: join(dir, 'first.db'), runCheck: failing.runCheck });
    const payloads = hook.bodies as VerdictChangePayload[];
    expect(payloads.map((p) => [p.event, p.previous, p.status, p.exitCode])).to.deep.equal([
      ['verdict-changed', null, 'non-compliant', 1],
    ]);
    const passing = stubRunCheck(() => 'open');
    await runAgent({ ...base, historyPath: join(dir, 'second.db'), runCheck: passing.runCheck });
    expect(hook.bodies).to.have.length(1);
  });

  it('a stop request (SIGTERM) during a run lets the run finish and be recorded, then returns', async () => {
    const stop = new AbortController();
    const stub = stubRunCheck(() => {
      stop.abort(); // the signal arrives while probes are in flight
      return 'open';
    });
    const lines: string[] = [];
    const started = Date.now();
    const { runs } = await runAgent({
      planPath: join(dir, 'plan.yaml'),
      everyMs: 60_000,
      historyPath: join(dir, 'history.db'),
      runCheck: stub.runCheck,
      stop: stop.signal,
      log: (line) => lines.push(line),
      commandLine: [],
    });
    expect(runs).to.equal(1);
    expect(Date.now() - started).to.be.lessThan(5000);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^time=\S+ event=run run=1 plan=agent-test status=compliant exitCode=0 pass=2 fail=0/);
    const history = await History.open(join(dir, 'history.db'), { mustExist: true });
    expect(await history.list()).to.have.length(1);
    await history.close();
  });

  it('a broken plan is logged and retried next cycle, not fatal', async () => {
    writeFileSync(join(dir, 'plan.yaml'), 'version: 1\nname: x\n');
    const lines: string[] = [];
    const { runs } = await runAgent({
      planPath: join(dir, 'plan.yaml'),
      everyMs: 50,
      jitter: 0,
      historyPath: null,
      maxRuns: 2,
      runCheck: stubRunCheck(() => 'open').runCheck,
      stop: new AbortController().signal,
      log: (line) => lines.push(line),
      commandLine: [],
    });
    expect(runs).to.equal(2);
    // One error line per cycle: `every` over an empty list would pass, so count them too.
    expect(lines, lines.join('\n')).to.have.length(2);
    expect(
      lines.every((l) => /event=run-error .*lacks the required field \\"groups\\"/.test(l)),
      lines.join('\n'),
    ).to.equal(true);
  });
});

describe('webhook delivery', () => {
  it('retries a 5xx and stops on success', async () => {
    const hook = await receiver([503, 500]);
    try {
      const outcome = await postWebhook(hook.url, { a: 1 }, { backoffMs: 10 });
      expect(outcome).to.deep.equal({ ok: true, attempts: 3, status: 204, error: null });
      expect(hook.bodies).to.deep.equal([{ a: 1 }, { a: 1 }, { a: 1 }]);
    } finally {
      hook.server.close();
    }
  });

  it('does not retry a 4xx', async () => {
    const hook = await receiver([404]);
    try {
      const outcome = await postWebhook(hook.url, {}, { backoffMs: 10 });
      expect(outcome).to.deep.include({ ok: false, attempts: 1, status: 404 });
    } finally {
      hook.server.close();
    }
  });

  it('a refused connection is bounded and reported, never thrown', async () => {
    const hook = await receiver();
    const url = hook.url;
    await new Promise((resolve) => hook.server.close(resolve));
    const started = Date.now();
    const outcome = await postWebhook(url, {}, { retries: 1, backoffMs: 10, timeoutMs: 500 });
    expect(outcome.ok).to.equal(false);
    expect(outcome.attempts).to.equal(2);
    expect(outcome.error).to.match(/ECONNREFUSED|connect/i);
    expect(Date.now() - started).to.be.lessThan(3000);
  });
});
