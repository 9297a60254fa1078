/** Durations as people write them in plans and flags: "500ms", "30s", "15m", "2h", "1h30m". */
import { PortolanError } from '../cli/errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds in `text`; throws USAGE naming `what` when it is not a positive duration. */
export function parseDuration(text: string, what: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  const total = parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] as string] ?? 0), 0);
  if (parts.length === 0 || consumed !== text.trim() || !(total > 0)) {
    throw new PortolanError('USAGE', `${what} "${text}": expected a duration such as 500ms, 30s, 15m, 2h or 1h30m`);
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes}m${seconds}s` : `${minutes}m`;
}
