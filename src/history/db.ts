/**
 * The run history's default place and its errors. A history that is locked too long,
 * unreadable, unreachable, or from a newer portolan is a PortolanError with a HISTORY_*
 * code, and it is never modified. The backends are sqlite.ts (the default file) and
 * postgres.ts; store.ts is the one API over both.
 */
import { PortolanError, type PortolanErrorCode } from '../errors.js';
import { defaultHistoryPath } from '../platform/data-dir.js';

/** Where runs are recorded unless --history says otherwise. */
/** `reports/history.db`, or in the user's data folder when run from a system folder (platform/data-dir.ts). */
export const DEFAULT_HISTORY = defaultHistoryPath();

/** The codes a problem with the history itself carries (not a missing run). */
export type HistoryErrorCode = Extract<
  PortolanErrorCode,
  'HISTORY_LOCKED' | 'HISTORY_UNREADABLE' | 'HISTORY_UNREACHABLE' | 'HISTORY_NEWER_SCHEMA' | 'HISTORY_MISSING'
>;

const HISTORY_CODES: readonly string[] = [
  'HISTORY_LOCKED',
  'HISTORY_UNREADABLE',
  'HISTORY_UNREACHABLE',
  'HISTORY_NEWER_SCHEMA',
  'HISTORY_MISSING',
] satisfies HistoryErrorCode[];

/** A history problem; `location` is the file, or the URL with its password masked. */
export function historyError(
  code: HistoryErrorCode,
  location: string,
  message: string,
  cause?: unknown,
): PortolanError {
  return new PortolanError(code, `history database ${location}: ${message}`, { cause });
}

/** A problem with the history database itself (not a missing run): the run's own reports still stand. */
export function isHistoryError(err: unknown): err is PortolanError {
  return err instanceof PortolanError && HISTORY_CODES.includes(err.code);
}
