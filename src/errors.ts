/**
 * portolan's one error class. Every error portolan itself raises carries a stable
 * UPPER_SNAKE `code` (undici's `UND_ERR_*` is the model): callers and tests match on the
 * code, never on the message. The message names the field it is about as the library
 * knows it (`timeoutMs`, a plan key); the CLI shows the flag instead (`--timeout`), using
 * `fields` to know which words to replace. Exit codes are the CLI's business (one table
 * in `cli/exit-codes.ts`).
 */

/** Closed set of error codes. A new code is a compile error until the CLI maps it to an exit code. */
export type PortolanErrorCode =
  // What the user asked for
  | 'INVALID_VALUE' // a flag, plan key or argument has a malformed or out-of-range value
  | 'CONFLICTING_OPTIONS' // two options that cannot be used together
  | 'MISSING_OPTION' // an option needs another one (--dns-server needs --domain)
  | 'NOTHING_TO_CHECK' // no role, service or port named
  | 'NO_TARGETS' // no host named and no domain to discover
  | 'UNKNOWN_ID' // a role or service id the catalog does not have
  | 'RESPONDER_TOKEN_MISSING' // responder mode without the shared token
  // Files portolan reads
  | 'CATALOG_INVALID' // a catalog file is malformed or inconsistent
  | 'PLAN_INVALID' // a plan file is malformed
  | 'CONFIG_INVALID' // an exporter modules file or web config file is malformed
  | 'RESULT_INVALID' // a saved JSON result is not JSON or not a portolan result
  | 'RESULT_TOO_LARGE' // a saved JSON result is larger than one string can hold
  | 'FILE_UNREADABLE' // a file could not be read
  | 'FILE_UNWRITABLE' // a report or result could not be written
  // After the run: portolan's own failure, not the user's (exit 70)
  | 'REPORT_FAILED' // a report could not be rendered or written after probing; the others were written
  // Targets
  | 'DISCOVERY_FAILED' // SRV discovery of a domain's controllers failed or found none
  // Run history
  | 'HISTORY_MISSING' // the database does not exist (read-only commands)
  | 'HISTORY_LOCKED' // another process holds the database longer than the busy timeout
  | 'HISTORY_UNREADABLE' // not a database, or SQLite or PostgreSQL failed
  | 'HISTORY_UNREACHABLE' // the PostgreSQL server did not answer or dropped the connection
  | 'HISTORY_NEWER_SCHEMA' // written by a newer portolan
  | 'HISTORY_NO_RUN' // the run asked for is not recorded
  // The responder could not serve a port (`portolan listen`)
  | 'PORT_IN_USE' // another program holds the port
  | 'PORT_PRIVILEGED' // below 1024 without the capability
  | 'ADDRESS_NOT_LOCAL' // --bind is not an address of this host
  | 'PORT_UNAVAILABLE' // any other reason the socket could not be opened
  // Inside a probe: never reach a report (the engine turns them into evidence)
  | 'MALFORMED_BYTES' // a codec read past a field or found a value the format forbids
  | 'STREAM_TIMEOUT' // no complete reply before the conversation's deadline
  | 'REPLY_TOO_LARGE'; // a peer sent more than a module's bound

export interface ErrorDetails {
  /**
   * Field names the message mentions, first the one it is about (`timeoutMs`, `rpcRange`,
   * a plan key). The CLI replaces them with flags; other callers show them as they are.
   */
  fields?: string[];
  /** Where the problem is: "checks/services/kdc.yaml:12:5", or a file path. Prefixed to the message. */
  location?: string;
  cause?: unknown;
}

export class PortolanError extends Error {
  readonly code: PortolanErrorCode;
  readonly fields: readonly string[];
  readonly location: string | null;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(code: PortolanErrorCode, detail: string, details: ErrorDetails = {}) {
    super(details.location ? `${details.location}: ${detail}` : detail, { cause: details.cause });
    this.name = 'PortolanError';
    this.code = code;
    this.detail = detail;
    this.fields = details.fields ?? [];
    this.location = details.location ?? null;
  }

  /**
   * The same error with its field names spelled another way (the CLI passes flags:
   * `timeoutMs` -> `--timeout`). Names without a spelling stay as they are.
   */
  renamed(spelling: (field: string) => string | undefined): PortolanError {
    let detail = this.detail;
    const fields = this.fields.map((field) => {
      const name = spelling(field);
      if (name === undefined || name === field) return field;
      detail = detail.replace(new RegExp(`(?<![\\w-])${escapeRegExp(field)}(?![\\w-])`, 'g'), name);
      return name;
    });
    return new PortolanError(this.code, detail, {
      fields,
      ...(this.location ? { location: this.location } : {}),
      cause: this.cause,
    });
  }
}

/** True when `err` is a PortolanError, with `code` when given. */
export function isPortolanError(err: unknown, code?: PortolanErrorCode): err is PortolanError {
  return err instanceof PortolanError && (code === undefined || err.code === code);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
