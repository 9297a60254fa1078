/** `--duration` text ("30m", "90s", "1h30m", "500ms") to milliseconds. */
import { PortolanError } from '../cli/errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const total = parts.reduce((sum, [, n, unit]) => sum + Number(n) * (UNIT_MS[unit ?? ''] ?? 0), 0);
  if (!parts.length || parts.map((p) => p[0]).join('') !== text.trim() || total <= 0) {
    throw new PortolanError('USAGE', `--duration "${text}": expected a positive time such as 90s, 30m, 1h or 1h30m`);
  }
  return Math.round(total);
}

/** Milliseconds as "1h 5m", "2m 30s", "800ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return [h ? `${h}h` : '', m ? `${m}m` : '', sec || (!h && !m) ? `${sec}s` : ''].filter(Boolean).join(' ');
}
