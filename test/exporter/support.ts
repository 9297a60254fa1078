/**
 * Helpers for the exporter tests: an exporter on 127.0.0.1 port 0 with the real runCheck,
 * a real Prometheus (Debian's `prometheus` package) on a free loopback port with a config
 * derived from the shipped checks/prometheus/prometheus.yml (its relabelling kept as is), and
 * queries of Prometheus' HTTP API. Without the Debian package the tests that need it skip,
 * saying why; CI installs it (.ci/lab-deps.sh).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadCatalog } from '../../src/catalog/load.js';
import { runCheck } from '../../src/check/run-check.js';
import { parseAllowList } from '../../src/exporter/allow-list.js';
import { type ExporterOptions, type RunningExporter, startExporter } from '../../src/exporter/exporter.js';
import { NO_MODULES } from '../../src/exporter/modules.js';
import { PLAIN_HTTP } from '../../src/exporter/web-config.js';
import { prometheusMissing } from './prometheus-config.js';
import { WALKTHROUGH } from './walkthrough.js';

export { derivedConfig, PROMETHEUS_DIR, type ProbeJob, prometheusMissing, REPO } from './prometheus-config.js';

/** `before` helper: skip the block, saying why, without Prometheus. */
export function skipWithoutPrometheus(context: Mocha.Context): void {
  const why = prometheusMissing();
  if (why === null) return;
  console.log(`    skipped: ${why}`);
  context.skip();
}

/** An exporter on 127.0.0.1 port 0, allowing 127.0.0.0/8, with the real runCheck unless overridden. */
export async function testExporter(overrides: Partial<ExporterOptions> = {}): Promise<RunningExporter> {
  return startExporter({
    listen: { host: '127.0.0.1', port: 0 },
    web: PLAIN_HTTP,
    modules: NO_MODULES,
    catalog: await loadCatalog(),
    catalogDirs: [],
    allow: parseAllowList(['127.0.0.0/8']),
    timeoutOffsetMs: 500,
    maxConcurrentProbes: 4,
    maxQueuedProbes: 16,
    runCheck,
    ...overrides,
  });
}

/** A loopback port that was free a moment ago (Prometheus takes no port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

export interface TestPrometheus {
  url: string;
  stop(): Promise<void>;
  log(): string;
}

/** A real Prometheus on a free loopback port with `config`, its data in a temp dir removed on stop. */
export async function startPrometheus(config: string): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'portolan-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [
      ...WALKTHROUGH.prometheus.args(join(dir, 'prometheus.yml'), join(dir, 'data')),
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((done) => child.once('exit', done)), sleep(10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, stop, log: () => output };
    await sleep(200);
  }
  await stop();
  throw new Error(`prometheus did not start: ${output.slice(-2000)}`);
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** An instant query through Prometheus' HTTP API. */
export async function query(prometheus: string, expr: string): Promise<Sample[]> {
  const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
  return (body.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(500);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
