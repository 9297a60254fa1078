/**
 * POST a JSON summary to a webhook (Teams/Slack relays, an incident tool). Bounded: a
 * per-attempt timeout, a few retries with backoff, and it never throws: the outcome is
 * returned for the log line, and the agent's next run never waits on it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

export interface WebhookOptions {
  /** Per attempt. @default 5000 */
  timeoutMs?: number;
  /** Attempts after the first. @default 2 */
  retries?: number;
  /** Doubles after each failure. @default 500 */
  backoffMs?: number;
}

export interface WebhookOutcome {
  ok: boolean;
  attempts: number;
  /** HTTP status of the last attempt, if one came back. */
  status: number | null;
  error: string | null;
}

export async function postWebhook(url: string, payload: unknown, opts: WebhookOptions = {}): Promise<WebhookOutcome> {
  const retries = opts.retries ?? 2;
  let outcome: WebhookOutcome = { ok: false, attempts: 0, status: null, error: null };
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) await sleep((opts.backoffMs ?? 500) * 2 ** (attempt - 2));
    outcome = { ...(await attemptPost(url, payload, opts.timeoutMs ?? 5000)), attempts: attempt };
    // A 4xx other than 429 will not get better by asking again.
    if (outcome.ok || (outcome.status !== null && outcome.status < 500 && outcome.status !== 429)) break;
  }
  return outcome;
}

async function attemptPost(
  url: string,
  payload: unknown,
  timeoutMs: number,
): Promise<Omit<WebhookOutcome, 'attempts'>> {
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'portolan-agent' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return { ok, status: res.statusCode, error: ok ? null : `HTTP ${res.statusCode}` };
  } catch (err) {
    return { ok: false, status: null, error: (err as Error).message };
  }
}
