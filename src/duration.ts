/**
 * Durations as people write them in flags and plans ("500ms", "30s", "15m", "2h", "1h30m",
 * "1d") and as every output shows them ("850 ms", "4.2 s", "3 min 4 s", "1 h 30 min").
 */
import { PortolanError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds in `text`; throws INVALID_VALUE naming `field` when it is not a positive duration. */
export function parseDuration(text: string, field: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  const total = parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] as string] ?? 0), 0);
  if (parts.length === 0 || consumed !== text.trim() || !(total > 0)) {
    throw new PortolanError(
      'INVALID_VALUE',
      `${field} "${text}": expected a duration such as 500ms, 30s, 15m, 2h or 1h30m`,
      { fields: [field] },
    );
  }
  return Math.round(total);
}

/** "850 ms" below a second, "4.2 s" below a minute, then whole units without the zero ones: "3 min 4 s", "1 h 30 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  const units: [number, string][] = [
    [Math.floor(total / 3600), 'h'],
    [Math.floor((total % 3600) / 60), 'min'],
    [total % 60, 's'],
  ];
  return units
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}
