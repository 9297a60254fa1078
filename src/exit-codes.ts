/**
 * The process exit codes (DESIGN.md), shared by the verdict summary (which computes a run's
 * code once) and the CLI (which maps errors to 2): 0 compliant, 1 non-compliant,
 * 2 usage, catalog or plan error, 3 only inconclusive results.
 */
export const EXIT = { compliant: 0, nonCompliant: 1, usage: 2, inconclusive: 3 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
