/** The report fixtures by name (built by the real analyzer in scenarios.ts), and where golden files live. */
import { join } from 'node:path';
import type { RunResult } from '../../src/model.js';
import { oneDcResult, threeTargetResult } from './catalog-scenarios.js';
import { SCENARIOS as HAND_WRITTEN } from './scenarios.js';

/** Every fixture: the hand-written small catalog's, and the real catalog's one-DC and three-target runs. */
const SCENARIOS: Record<string, () => RunResult> = {
  ...HAND_WRITTEN,
  'one-dc': oneDcResult,
  'three-targets': threeTargetResult,
};

export const GOLDEN_DIR = join(import.meta.dirname, '../golden');
export const JUNIT_XSD = join(import.meta.dirname, '../fixtures/junit.xsd');

/** Fixed render time so golden files do not change with the clock. */
export const NOW = new Date('2026-11-26T12:00:00.000Z');

export function fixtureNames(): string[] {
  return Object.keys(SCENARIOS).sort();
}

/** A fresh copy each time: tests may damage it. */
export function loadFixture(name: string): RunResult {
  const make = SCENARIOS[name];
  if (!make) throw new Error(`no report fixture "${name}"`);
  return structuredClone(make());
}

/** The saved JSON result of a fixture, as `portolan report` reads one (its golden JSON). */
export function fixtureFile(name: string): string {
  return join(GOLDEN_DIR, name, 'report.json');
}
