/**
 * `portolan agent PLAN.yaml --every 15m`: run a plan on a schedule with jitter, keep the
 * reports and the history current, and post a webhook when the verdict changes. The plan
 * file is re-read every cycle, so an edit applies at the next run; a broken plan is
 * logged and retried, not fatal. Aborting `stop` (SIGTERM) lets the current run finish,
 * record and report, then returns.
 */
import { loadCatalog } from '../catalog/load.js';
import { sleep } from '../duration.js';
import type { RunDiff } from '../history/diff.js';
import type { RunResult } from '../model.js';
import { executePlan } from '../plan/execute.js';
import { loadPlan } from '../plan/load.js';
import { withOverrides } from '../plan/overrides.js';
import type { Plan, PlanOptions, RunCheck } from '../plan/types.js';
import { formatLogLine, type LogFormat } from './log.js';
import { postWebhook, type WebhookOptions, type WebhookOutcome } from './webhook.js';

export interface AgentOptions {
  planPath: string;
  everyMs: number;
  /** Fraction of `everyMs` each interval varies by, so many agents do not probe in step. @default 0.1 */
  jitter?: number;
  webhook?: string | null;
  webhookOptions?: WebhookOptions;
  logFormat?: LogFormat;
  /** History file or postgres:// URL, or null. */
  historyPath: string | null;
  /** Compare with the previous run even when it was interrupted. @default false */
  includeIncomplete?: boolean;
  outputDir?: string;
  /** Stop after this many runs (tests, one-shot cron use). @default unlimited */
  maxRuns?: number;
  runCheck: RunCheck;
  /** Abort to stop after the current run. */
  stop: AbortSignal;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** @default Math.random */
  random?: () => number;
  commandLine: string[];
  /** Run options over the plan's own (`--source-name`, `--site`; plan/overrides.ts). @default none */
  overrides?: PlanOptions;
  /** Called with each run's result once its reports are written (`--metrics-listen` serves it), and the plan it ran. */
  onResult?: (result: RunResult, plan: Plan) => void;
}

/** What the webhook receives when the verdict changes, or when the first run does not pass. */
export interface VerdictChangePayload {
  event: 'verdict-changed';
  plan: string;
  /** The previous run's status; null on the first run (posted when it is not compliant). */
  previous: string | null;
  status: string;
  exitCode: number;
  headline: string;
  counts: Record<string, number>;
  startedAt: string;
  endedAt: string;
  source: string;
  changes: Pick<RunDiff, 'counts'> & { items: RunDiff['changes'] };
  reports: string[];
}

const MAX_CHANGES_IN_PAYLOAD = 50;

export function nextDelay(everyMs: number, jitter: number, random: () => number): number {
  return Math.max(0, Math.round(everyMs * (1 + jitter * (2 * random() - 1))));
}

export async function runAgent(opts: AgentOptions): Promise<{ runs: number }> {
  const format = opts.logFormat ?? 'text';
  const pending = new Set<Promise<WebhookOutcome>>();
  let lastStatus: string | null = null;
  let runs = 0;
  while (!opts.stop.aborted && runs < (opts.maxRuns ?? Number.POSITIVE_INFINITY)) {
    const cycleStart = Date.now();
    runs++;
    try {
      const env = opts.env ?? process.env;
      const plan = withOverrides(
        await loadPlan(opts.planPath, { env, catalog: await loadCatalog() }),
        opts.overrides ?? {},
      );
      const done = await executePlan(plan, opts.runCheck, {
        commandLine: opts.commandLine,
        ...(env.PORTOLAN_RESPONDER_TOKEN ? { responderToken: env.PORTOLAN_RESPONDER_TOKEN } : {}),
        historyPath: opts.historyPath,
        includeIncomplete: !!opts.includeIncomplete,
        ...(opts.outputDir ? { outputDir: opts.outputDir } : {}),
      });
      const { result } = done;
      opts.onResult?.(result, plan);
      const previous = done.recorded?.previous?.status ?? lastStatus;
      lastStatus = result.summary.status;
      const changed = previous !== null && previous !== result.summary.status;
      // A first run that fails is news too: nothing earlier to compare with, but someone must know.
      const firstFailing = previous === null && result.summary.status !== 'compliant';
      if ((changed || firstFailing) && opts.webhook) {
        const payload: VerdictChangePayload = {
          event: 'verdict-changed',
          plan: plan.name,
          previous,
          status: result.summary.status,
          exitCode: result.summary.exitCode,
          headline: result.summary.headline,
          counts: { ...result.summary.counts },
          startedAt: result.run.startedAt,
          endedAt: result.run.endedAt,
          source: result.run.source.name,
          changes: {
            counts: done.recorded?.diff?.counts ?? emptyCounts(),
            items: (done.recorded?.diff?.changes ?? []).slice(0, MAX_CHANGES_IN_PAYLOAD),
          },
          reports: done.written,
        };
        const post = postWebhook(opts.webhook, payload, opts.webhookOptions).then((outcome) => {
          opts.log(formatLogLine(webhookEntry(plan.name, outcome), format));
          return outcome;
        });
        pending.add(post);
        void post.finally(() => pending.delete(post));
      }
      opts.log(
        formatLogLine(
          {
            time: result.run.endedAt,
            event: 'run',
            run: runs,
            plan: plan.name,
            status: result.summary.status,
            exitCode: result.summary.exitCode,
            ...result.summary.counts,
            durationMs: result.run.durationMs,
            changed,
            newlyFailing: done.recorded?.diff?.counts['newly-failing'] ?? null,
            recovered: done.recorded?.diff?.counts.recovered ?? null,
            history: done.recorded?.error ? `error: ${done.recorded.error.message}` : null,
            // The other reports were written; these could not be (a renderer bug, a full disk).
            reportsFailed: done.failedReports.length
              ? done.failedReports.map((f) => `${f.format}: ${f.error.message}`).join('; ')
              : null,
          },
          format,
        ),
      );
    } catch (err) {
      opts.log(
        formatLogLine(
          { time: new Date().toISOString(), event: 'run-error', run: runs, error: (err as Error).message },
          format,
        ),
      );
    }
    if (opts.stop.aborted || runs >= (opts.maxRuns ?? Number.POSITIVE_INFINITY)) break;
    const wait = nextDelay(opts.everyMs, opts.jitter ?? 0.1, opts.random ?? Math.random) - (Date.now() - cycleStart);
    // `--every 720h` is longer than one Node timer can wait: sleep() waits in steps.
    await sleep(Math.max(0, wait), opts.stop);
  }
  // Let in-flight webhooks finish; each is bounded by its own timeout and retries.
  await Promise.allSettled(pending);
  return { runs };
}

function webhookEntry(plan: string, outcome: WebhookOutcome) {
  return {
    time: new Date().toISOString(),
    event: 'webhook',
    plan,
    ok: outcome.ok,
    attempts: outcome.attempts,
    status: outcome.status,
    error: outcome.error,
  };
}

function emptyCounts(): RunDiff['counts'] {
  return { 'newly-failing': 0, recovered: 0, changed: 0, added: 0, removed: 0 };
}
