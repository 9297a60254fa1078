/**
 * Durations as people write them in flags and plans ("500ms", "30s", "15m", "2h", "1h30m",
 * "1d"), as every output shows them ("850 ms", "4.2 s", "3 min 4 s", "1 h 30 min"), and
 * waited for: Node's timers take at most 2^31-1 ms (about 24.8 days) and fire after 1 ms
 * when given more, so `sleep` waits in steps no longer than that.
 */
import { PortolanError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The longest delay a Node timer takes; a longer one fires after 1 ms (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a duration may be. @default { minMs: 1, maxMs: 366 days } */
export interface DurationBounds {
  minMs?: number;
  maxMs?: number;
}

/** Shortest duration accepted unless a caller asks for more: below a millisecond rounds to nothing. */
export const MIN_DURATION_MS = 1;
/** Longest duration accepted unless a caller asks for less: a year and a day. */
export const MAX_DURATION_MS = 366 * UNIT_MS.d;

/**
 * Milliseconds in `text`; throws INVALID_VALUE naming `field` when it is not a duration,
 * or when it is below `minMs` or above `maxMs` (`0.0001ms`, `100000d`).
 */
export function parseDuration(text: string, field: string, bounds: DurationBounds = {}): number {
  const minMs = bounds.minMs ?? MIN_DURATION_MS;
  const maxMs = bounds.maxMs ?? MAX_DURATION_MS;
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  const total = parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] as string] ?? 0), 0);
  const range = `from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`;
  if (parts.length === 0 || consumed !== text.trim() || !(total > 0)) {
    throw new PortolanError(
      'INVALID_VALUE',
      `${field} "${text}": expected a duration such as 500ms, 30s, 15m, 2h or 1h30m (${range})`,
      { fields: [field] },
    );
  }
  if (total < minMs || total > maxMs) {
    throw new PortolanError(
      'INVALID_VALUE',
      `${field} "${text}": ${total < minMs ? 'too short' : 'too long'}; expected a duration ${range}`,
      { fields: [field] },
    );
  }
  return Math.round(total);
}

/** "850 ms" below a second, "4.2 s" below a minute, then whole units without the zero ones: "3 min 4 s", "1 h 30 min", "30 d". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  const units: [number, string][] = [
    [Math.floor(total / 86_400), 'd'],
    [Math.floor((total % 86_400) / 3600), 'h'],
    [Math.floor((total % 3600) / 60), 'min'],
    [total % 60, 's'],
  ];
  return units
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}

/**
 * Wait `ms` however long it is, in steps of at most MAX_TIMER_MS. Resolves (never rejects)
 * when the time is up or `signal` aborts; callers look at `signal.aborted` to tell which.
 * The steps are counted, not read from the clock, so a clock change cannot stretch the wait.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let remaining = Math.max(0, ms);
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    const step = () => {
      if (remaining <= 0) return finish();
      const chunk = Math.min(remaining, MAX_TIMER_MS);
      remaining -= chunk;
      timer = setTimeout(step, chunk);
    };
    if (signal?.aborted) return resolve();
    signal?.addEventListener('abort', finish, { once: true });
    step();
  });
}
