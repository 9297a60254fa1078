import type { RunResult } from '../model.js';
import { jsonChunks } from './json-stream.js';

/**
 * The JSON result in chunks (`json-stream.ts`), as files and stdout receive it: however
 * large the run, no single string holds it. Ends with a newline.
 */
export function* jsonResultChunks(result: RunResult): Generator<string, void, undefined> {
  yield* jsonChunks(result);
  yield '\n';
}

/** The JSON result itself as one string: portolan's public API (checks/schema/result.schema.json). */
export function renderJson(result: RunResult): string {
  return [...jsonResultChunks(result)].join('');
}
