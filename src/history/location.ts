/**
 * Where the run history lives: a SQLite file (the default, `reports/history.db`) or a
 * PostgreSQL database named by a `postgres://` URL, for many agents writing one history.
 * `--history` wins over the environment's PORTOLAN_HISTORY, which wins over the default.
 */
import { PortolanError } from '../errors.js';
import { DEFAULT_HISTORY } from './db.js';

export type HistoryLocation =
  | { kind: 'sqlite'; path: string; display: string }
  | { kind: 'postgres'; url: string; display: string };

/** The environment variable that names the history when --history does not. */
export const HISTORY_ENV = 'PORTOLAN_HISTORY';

/**
 * The history a command uses: `--history` (a string), else PORTOLAN_HISTORY, else the
 * SQLite default file; null for `--no-history` (false). Read when the command runs, so the
 * URL, which may hold a password, never shows in `--help`.
 */
export function historyFrom(flag: string | boolean | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  if (flag === false) return null;
  if (typeof flag === 'string') return flag;
  const fromEnv = env[HISTORY_ENV]?.trim();
  return fromEnv ? fromEnv : DEFAULT_HISTORY;
}

/**
 * A `postgres://` URL or a SQLite file path. Any other `scheme://` is a typo (`postgress://`,
 * `mysql://`), refused here rather than taken as a relative file name that "does not exist yet".
 */
export function parseHistoryLocation(value: string): HistoryLocation {
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', url: value, display: withoutPassword(value) };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
  if (scheme) {
    throw new PortolanError(
      'INVALID_VALUE',
      `history "${scheme}://...": expected a SQLite file path or a postgres:// URL`,
      {
        fields: ['history'],
      },
    );
  }
  return { kind: 'sqlite', path: value, display: value };
}

/** The URL with its password masked, for messages and logs. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL the WHATWG parser accepts (e.g. a socket path as host): mask user:password@ by hand.
    return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
  }
}
