/**
 * Timers that never outrun the network's answer. Node runs expired timers before it polls for
 * I/O in the same turn of the event loop, so when the loop was busy (thousands of probes set
 * up, a slow report, a loaded machine) a timeout callback can fire while the reset or ICMP
 * error that beat it sits unread in the kernel. A deadline set with `afterIo` runs in the check
 * phase (setImmediate), after the poll phase has read whatever arrived: a probe is only called
 * silent when nothing came back, never because the prober was busy.
 */

/** Calls `fn` once `ms` have passed and the I/O that arrived meanwhile has been read; returns a cancel function. */
export function afterIo(ms: number, fn: () => void): () => void {
  let immediate: NodeJS.Immediate | null = null;
  const timer = setTimeout(
    () => {
      immediate = setImmediate(fn);
    },
    Math.max(0, ms),
  );
  return () => {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}
