import type { RunResult } from '../model.js';

/** Output formats, looked up by name (`--format`). */
export type Format = 'table' | 'json' | 'junit' | 'md' | 'html';

export interface RenderOptions {
  /** ANSI colours in the terminal table; the CLI decides from TTY and NO_COLOR. @default false */
  color?: boolean;
  /** The time printed as "rendered at"; injected by tests so output is reproducible. @default new Date() */
  now?: Date;
  /** The terminal table lists every row, not only root causes, inconclusive points and notices. @default false */
  verbose?: boolean;
  /**
   * Set when the result is a large run's report view (src/report/report-view.ts), not the
   * whole run: what it left out, which the renderers say. Absent: the result is whole.
   */
  omitted?: ReportOmissions;
}

/** What a large run's report view left out of the result the renderers see. */
export interface ReportOmissions {
  /** Failing or inconclusive targets whose root causes and failing rows were kept, in the order they finished. */
  detailed: string[];
  /** Failing or inconclusive targets past those: kept with their verdicts only. */
  summarisedFailing: number;
  /** Rows (expectation verdicts) left out: every row of a summarised target, passing and surplus rows of detailed ones. */
  rows: number;
  /** Root causes left out (of summarised targets, and past the cap of detailed ones). */
  rootCauses: number;
}

/** A renderer is a pure function of the result: same input, same output. */
export type Renderer = (result: RunResult, opts?: RenderOptions) => string;
