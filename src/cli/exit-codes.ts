/**
 * The one place where portolan's error codes become process exit codes. Bad input or a file
 * the user must fix maps to 2 (DESIGN.md); a report portolan could not deliver after the run
 * maps to 70 (`exit-codes.ts`). The exhaustive Record makes a new code a compile error until
 * it is placed.
 */
import type { PortolanErrorCode } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

export const EXIT_CODE_OF: Record<PortolanErrorCode, ExitCode> = {
  INVALID_VALUE: EXIT.usage,
  CONFLICTING_OPTIONS: EXIT.usage,
  MISSING_OPTION: EXIT.usage,
  NOTHING_TO_CHECK: EXIT.usage,
  NO_TARGETS: EXIT.usage,
  UNKNOWN_ID: EXIT.usage,
  RESPONDER_TOKEN_MISSING: EXIT.usage,
  CATALOG_INVALID: EXIT.usage,
  PLAN_INVALID: EXIT.usage,
  CONFIG_INVALID: EXIT.usage,
  RESULT_INVALID: EXIT.usage,
  RESULT_TOO_LARGE: EXIT.usage,
  FILE_UNREADABLE: EXIT.usage,
  FILE_UNWRITABLE: EXIT.usage,
  REPORT_FAILED: EXIT.internal,
  DISCOVERY_FAILED: EXIT.usage,
  HISTORY_MISSING: EXIT.usage,
  HISTORY_LOCKED: EXIT.usage,
  HISTORY_UNREADABLE: EXIT.usage,
  HISTORY_UNREACHABLE: EXIT.usage,
  HISTORY_NEWER_SCHEMA: EXIT.usage,
  HISTORY_NO_RUN: EXIT.usage,
  PORT_IN_USE: EXIT.usage,
  PORT_PRIVILEGED: EXIT.usage,
  ADDRESS_NOT_LOCAL: EXIT.usage,
  PORT_UNAVAILABLE: EXIT.usage,
  // Raised inside probes and turned into evidence there; reaching the CLI is a bug.
  MALFORMED_BYTES: EXIT.usage,
  STREAM_TIMEOUT: EXIT.usage,
  REPLY_TOO_LARGE: EXIT.usage,
};
