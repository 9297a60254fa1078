/** Loading the hand-written result fixtures in test/fixtures/results/. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../../src/model.js';

export const RESULTS_DIR = join(import.meta.dirname, '../fixtures/results');
export const GOLDEN_DIR = join(import.meta.dirname, '../golden');
export const JUNIT_XSD = join(import.meta.dirname, '../fixtures/junit.xsd');

/** Fixed render time so golden files do not change with the clock. */
export const NOW = new Date('2026-11-26T12:00:00.000Z');

export function fixtureNames(): string[] {
  return readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function loadFixture(name: string): RunResult {
  return JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8')) as RunResult;
}
