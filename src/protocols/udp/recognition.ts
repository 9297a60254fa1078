/**
 * Small constructors for `Recognition` values, so every UDP module reports success and
 * failure the same way.
 */
import type { Recognition } from '../types.js';

/** A reply that passed the module's recognition rule. */
export function recognized(evidence: string[], warnings: string[] = []): Recognition {
  return warnings.length ? { valid: true, evidence, warnings } : { valid: true, evidence };
}

/** A reply that did not pass; `reason` says why in words. */
export function rejected(reason: string): Recognition {
  return { valid: false, evidence: [], reason };
}
