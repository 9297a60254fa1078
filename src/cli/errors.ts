/**
 * portolan's own errors carry a stable `code`; the CLI maps them to exit codes once.
 * Tests assert codes, not message text.
 */
export type PortolanErrorCode =
  | 'USAGE' // bad flags or arguments
  | 'CATALOG' // a catalog file is malformed or inconsistent
  | 'PLAN' // a plan file is malformed
  | 'TARGET' // a target cannot be used (e.g. did not resolve)
  | 'IO'; // a file could not be read or written

export class PortolanError extends Error {
  readonly code: PortolanErrorCode;
  /** Where the problem is, e.g. "checks/services/kdc.yaml:12:5". */
  readonly location: string | null;

  constructor(code: PortolanErrorCode, message: string, location: string | null = null) {
    super(location ? `${location}: ${message}` : message);
    this.name = 'PortolanError';
    this.code = code;
    this.location = location;
  }
}

/** Exit codes (DESIGN.md): 0 compliant, 1 non-compliant, 2 usage/catalog/plan error, 3 inconclusive only. */
export const EXIT = { compliant: 0, nonCompliant: 1, usage: 2, inconclusive: 3 } as const;
