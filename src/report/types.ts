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
}

/** A renderer is a pure function of the result: same input, same output. */
export type Renderer = (result: RunResult, opts?: RenderOptions) => string;
