/**
 * Progress on stderr with ora: targets done of the run's total, probes per second and the
 * time left, and the host probed last. Silent when stderr is not a TTY, under CI, with
 * --quiet, or on a terminal that reports no width (ora loops forever on a 0-column TTY;
 * see toolchain.md).
 */
import ora, { type Ora } from 'ora';
import { formatDuration } from '../duration.js';
import { printableText } from '../printable.js';

export interface Progress {
  /** The run's target count, once the targets are checked. */
  start: (targets: number) => void;
  /** A probe finished (the engine's hook): `done` of the `total` known so far, on `host`. */
  update: (done: number, total: number, host: string) => void;
  /** A target finished. */
  target: () => void;
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

/** What the line says: `targets 120/10,000 · 850 probes/s · about 3 min 20 s left — host`. */
export function progressText(p: {
  targetsDone: number;
  targets: number | null;
  probes: number;
  elapsedMs: number;
  host: string;
}): string {
  const seconds = Math.max(p.elapsedMs / 1000, 0.001);
  const rate = Math.round(p.probes / seconds);
  // Without a target count (a plan's groups), the probes done say how far it got.
  const done =
    p.targets === null
      ? `${p.probes.toLocaleString('en-US')} probes`
      : `targets ${p.targetsDone.toLocaleString('en-US')}/${p.targets.toLocaleString('en-US')}`;
  const left =
    p.targets !== null && p.targetsDone > 0 && p.targetsDone < p.targets
      ? ` \u00b7 about ${formatDuration(((p.targets - p.targetsDone) * p.elapsedMs) / p.targetsDone)} left`
      : '';
  return `${done} \u00b7 ${rate.toLocaleString('en-US')} probes/s${left} \u2014 ${printableText(p.host, 60)}`;
}

export function startProgress(opts: { quiet: boolean }): Progress {
  const off = { start: () => {}, update: () => {}, target: () => {}, stop: () => {} };
  if (!progressEnabled(opts.quiet)) return off;
  const spinner: Ora = ora({ text: 'resolving targets', stream: process.stderr, discardStdin: false }).start();
  const began = Date.now();
  const state = { targetsDone: 0, targets: null as number | null, probes: 0, host: '' };
  let last = 0;
  const paint = (force: boolean) => {
    // Redraw at most every 100 ms: a 10,000-target run must not spend its time painting.
    const now = Date.now();
    if (now - last < 100 && !force) return;
    last = now;
    spinner.text = progressText({ ...state, elapsedMs: now - began });
  };
  return {
    start(targets) {
      state.targets = targets;
      paint(true);
    },
    update(done, _total, host) {
      state.probes = done;
      state.host = host;
      paint(false);
    },
    target() {
      state.targetsDone++;
      paint(state.targetsDone === state.targets);
    },
    stop(finalText) {
      if (finalText) spinner.stopAndPersist({ symbol: '\u2022', text: printableText(finalText) });
      else spinner.stop();
    },
  };
}
