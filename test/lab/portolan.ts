/**
 * Runs portolan's CLI from a source namespace of the lab and reads its JSON result, plus the
 * checks every end-to-end test applies to a result: each observation against the ground truth.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Observation, RunResult } from '../../src/model.js';
import type { Expected } from './ground-truth.js';
import type { Lab } from './lab.js';
import { REPO } from './probe-helpers.js';
import { run } from './run.js';
import { HOSTS, type SourceId, TARGETS, type TargetId } from './topology.js';

export interface PortolanRun {
  code: number;
  stdout: string;
  stderr: string;
  result: RunResult;
  elapsedMs: number;
}

/** The CLI entry: `PORTOLAN_LAB_CLI` (e.g. dist/cli/bin.js), else the TypeScript entry run through tsx. */
export function cliCommand(): string[] {
  const override = process.env.PORTOLAN_LAB_CLI;
  if (override) return override.endsWith('.ts') ? ['--import', 'tsx', override] : [override];
  const entry = ['src/cli/bin.ts', 'src/cli/main.ts'].map((p) => join(REPO, p)).find((p) => existsSync(p));
  return ['--import', 'tsx', entry ?? join(REPO, 'src/cli/bin.ts')];
}

let checkCommand: Promise<string | null> | null = null;

/** Null when `portolan check` exists; otherwise why the end-to-end tests must skip. */
export function checkUnavailable(): Promise<string | null> {
  checkCommand ??= run(process.execPath, [...cliCommand(), 'check', '--help'], {
    cwd: REPO,
    allowFailure: true,
    timeoutMs: 30_000,
  }).then((out) =>
    out.code === 0 && /--format/.test(out.stdout)
      ? null
      : `\`portolan check --help\` exited ${out.code}: ${(out.stderr || out.stdout).trim().split('\n')[0]}`,
  );
  return checkCommand;
}

let runs = 0;

/** `portolan check ARGS --format json --output FILE` inside the source's namespace. */
export async function runPortolan(lab: Lab, source: SourceId, args: readonly string[]): Promise<PortolanRun> {
  const dir = join(lab.runDir, 'results');
  mkdirSync(dir, { recursive: true });
  runs += 1;
  const output = join(dir, `${source}-${runs}.json`);
  const started = Date.now();
  const out = await lab.exec(
    source,
    process.execPath,
    [...cliCommand(), 'check', ...args, '--format', 'json', '--output', output],
    {
      cwd: REPO,
      allowFailure: true,
      timeoutMs: 240_000,
    },
  );
  const elapsedMs = Date.now() - started;
  if (out.timedOut) throw new Error(`portolan check ${args.join(' ')} timed out after 240 s`);
  if (!existsSync(output)) {
    throw new Error(`portolan check ${args.join(' ')} exited ${out.code} without ${output}: ${out.stderr.trim()}`);
  }
  const result = JSON.parse(readFileSync(output, 'utf8')) as RunResult;
  return { code: out.code, stdout: out.stdout, stderr: out.stderr, result, elapsedMs };
}

export interface Mismatch {
  observation: string;
  state: string;
  expected: Expected;
}

function targetOf(address: string | null): TargetId | undefined {
  return TARGETS.find((id) => HOSTS[id].address === address);
}

/** Observations whose state the ground truth does not allow (a false pass is one of these). */
export function mismatches(lab: Lab, source: SourceId, observations: readonly Observation[]): Mismatch[] {
  const out: Mismatch[] = [];
  for (const o of observations) {
    const target = targetOf(o.address);
    const label = `${o.address} ${o.protocol}/${o.port ?? '-'} (${o.reason})`;
    if (target === undefined) {
      out.push({ observation: label, state: o.state, expected: { states: [], why: 'not a lab target address' } });
      continue;
    }
    const expected = lab.expectedState(target, source, o.protocol, o.port);
    if (!expected.states.includes(o.state)) out.push({ observation: label, state: o.state, expected });
  }
  return out;
}

/** Observations reported `open` where nothing could have answered: the worst bug portolan can have. */
export function falsePasses(lab: Lab, source: SourceId, observations: readonly Observation[]): Mismatch[] {
  return mismatches(lab, source, observations).filter((m) => m.state === 'open');
}

/** One line per mismatch, for assertion messages. */
export function describeMismatches(list: readonly Mismatch[]): string {
  return list
    .map((m) => `${m.observation}: got ${m.state}, truth ${m.expected.states.join('/')} (${m.expected.why})`)
    .join('\n');
}

/** `before` helper: skips the block, saying why, while `portolan check` does not exist yet. */
export async function skipWithoutCheck(context: Mocha.Context): Promise<void> {
  const why = await checkUnavailable();
  if (why === null) return;
  console.log(`    skipped: the end-to-end lab tests need \`portolan check\`; ${why}`);
  context.skip();
}
