/**
 * Write a plan's reports: `<directory>/<plan name>.<ext>` per format, replaced each run
 * (the agent keeps them current; history keeps the past). Atomic, so a browser or CI step
 * reading a report never sees half of one.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PortolanError } from '../cli/errors.js';
import type { RunResult } from '../model.js';
import { portableStem } from '../platform/file-names.js';
import { EXTENSIONS, renderers } from '../report/index.js';
import { writeFileAtomic } from '../report/write.js';
import type { PlanOutputs } from './types.js';

/** Paths written, in format order. */
export function writeOutputs(result: RunResult, baseName: string, outputs: PlanOutputs): string[] {
  return outputs.formats.map((format) => {
    const file = join(outputs.directory, `${portableStem(baseName)}.${EXTENSIONS[format]}`);
    try {
      mkdirSync(outputs.directory, { recursive: true });
      writeFileAtomic(file, renderers[format](result, { color: false }));
    } catch (err) {
      throw new PortolanError('IO', `cannot write the ${format} report: ${(err as Error).message}`, file);
    }
    return file;
  });
}
