/**
 * The one set of constructors for `Recognition` values, so every module (UDP, TCP, custom,
 * the responder's) reports success and failure the same way.
 */
import type { DiscoveredEndpoint, Recognition, Recognized, Rejected } from './types.js';

/** A reply that passed the module's recognition rule; `warnings` is left out when empty. */
export function recognized(
  evidence: string[],
  warnings: readonly string[] = [],
  extra: { endpoints?: DiscoveredEndpoint[]; responderShedding?: true } = {},
): Recognized {
  return {
    valid: true,
    evidence,
    ...(warnings.length ? { warnings: [...warnings] } : {}),
    ...(extra.endpoints ? { endpoints: extra.endpoints } : {}),
    ...(extra.responderShedding ? { responderShedding: true } : {}),
  };
}

/** A reply that did not pass; `reason` says why in words. Facts that still hold go in `evidence`. */
export function rejected(
  reason: string,
  more: { evidence?: string[]; warnings?: readonly string[]; responder?: Rejected['responder'] } = {},
): Rejected {
  return {
    valid: false,
    evidence: more.evidence ?? [],
    reason,
    ...(more.warnings?.length ? { warnings: [...more.warnings] } : {}),
    ...(more.responder ? { responder: more.responder } : {}),
  };
}

/** `r` with more facts after its own (a TLS certificate's evidence and warnings after the protocol's). */
export function withFacts<R extends Recognition>(r: R, more: { evidence: string[]; warnings: string[] }): R {
  const warnings = [...(r.warnings ?? []), ...more.warnings];
  const { warnings: _dropped, ...rest } = r;
  return { ...rest, evidence: [...r.evidence, ...more.evidence], ...(warnings.length ? { warnings } : {}) } as R;
}
