import type { RunResult } from '../model.js';

/** The JSON result itself: portolan's public API (checks/schema/result.schema.json). */
export function renderJson(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
