/**
 * One lab per mocha run, shared by every lab test file: the root hooks start it once and stop
 * it at the end; tests read it with `currentLab()`.
 */
import type { Lab } from './lab.js';

let lab: Lab | null = null;
let stopped: Promise<{ stopMs: number; leftovers: string[] }> | null = null;

export function setLab(value: Lab): void {
  lab = value;
  stopped = null;
}

export function currentLab(): Lab {
  if (lab === null) throw new Error('the lab is not running (the root hook did not start it)');
  return lab;
}

/** Stops the lab once; later calls get the same outcome. */
export function stopLab(): Promise<{ stopMs: number; leftovers: string[] }> {
  if (lab === null) return Promise.resolve({ stopMs: 0, leftovers: [] });
  stopped ??= lab.stop();
  return stopped;
}
