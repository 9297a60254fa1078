/**
 * The process exit codes (DESIGN.md), shared by the verdict summary (which computes a run's
 * code once) and the CLI (which maps errors to codes): 0 compliant, 1 non-compliant,
 * 2 usage, catalog or plan error, 3 only inconclusive results, 70 internal failure.
 *
 * 70 (sysexits' EX_SOFTWARE) says portolan itself failed, never the user's input: a report
 * it could not render or write after the probing was done (the others were written, and
 * stderr lists what was and what was not), or a bug. It is kept apart from 2 so that a
 * pipeline never reads "fix your flags" when the run's result exists but did not arrive whole.
 */
export const EXIT = { compliant: 0, nonCompliant: 1, usage: 2, inconclusive: 3, internal: 70 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
