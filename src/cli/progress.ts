/**
 * Progress on stderr with ora: done/total and the current host. Silent when stderr is
 * not a TTY, under CI, with --quiet, or on a terminal that reports no width (ora loops
 * forever on a 0-column TTY; see toolchain.md).
 */
import ora, { type Ora } from 'ora';
import { printableText } from '../printable.js';

export interface Progress {
  update: (done: number, total: number, host: string) => void;
  stop: (finalText: string | null) => void;
}

export function progressEnabled(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): boolean {
  return (
    !quiet &&
    Boolean(stream.isTTY) &&
    (stream.columns ?? 0) > 0 &&
    !('CI' in process.env) &&
    process.env.TERM !== 'dumb'
  );
}

export function startProgress(opts: { quiet: boolean }): Progress {
  if (!progressEnabled(opts.quiet)) return { update: () => {}, stop: () => {} };
  const spinner: Ora = ora({ text: 'resolving targets', stream: process.stderr, discardStdin: false }).start();
  let last = 0;
  return {
    update(done, total, host) {
      // Redraw at most every 100 ms: a 10,000-probe run must not spend its time painting.
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      spinner.text = `probing ${done}/${total} \u2014 ${printableText(host, 80)}`;
    },
    stop(finalText) {
      if (finalText) spinner.stopAndPersist({ symbol: '\u2022', text: printableText(finalText) });
      else spinner.stop();
    },
  };
}
