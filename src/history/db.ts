/**
 * The run history's default place and its errors. A history that is locked too long,
 * unreadable, unreachable, or from a newer portolan is a HistoryError with a stable code,
 * and it is never modified. The backends are sqlite.ts (the default file) and
 * postgres.ts; store.ts is the one API over both.
 */
import { defaultHistoryPath } from '../platform/data-dir.js';

/** Where runs are recorded unless --history says otherwise. */
/** `reports/history.db`, or in the user's data folder when run from a system folder (platform/data-dir.ts). */
export const DEFAULT_HISTORY = defaultHistoryPath();

export type HistoryErrorCode = 'HISTORY_LOCKED' | 'HISTORY_UNREADABLE' | 'HISTORY_NEWER_SCHEMA' | 'HISTORY_MISSING';

export class HistoryError extends Error {
  readonly code: HistoryErrorCode;
  readonly path: string;

  constructor(code: HistoryErrorCode, path: string, message: string) {
    super(`history database ${path}: ${message}`);
    this.name = 'HistoryError';
    this.code = code;
    this.path = path;
  }
}
