/**
 * `tcpProbe` as the engine records it: the probe's finding made into its observation by
 * `buildObservation`, so a test of the probe also holds what a user is shown (state,
 * `confirmed`, evidence), not an intermediate the engine might still change.
 */
import type { Observation } from '../../src/model.js';
import { buildObservation } from '../../src/probe/observation.js';
import { type TcpProbeOptions, tcpProbe } from '../../src/probe/tcp-probe.js';
import type { DiscoveredEndpoint } from '../../src/protocols/types.js';

export async function observeTcp(
  opts: TcpProbeOptions,
): Promise<{ observation: Observation; endpoints: DiscoveredEndpoint[] | null }> {
  const { finding, endpoints } = await tcpProbe(opts);
  const observation = buildObservation(finding.site, finding.exchange, finding.conversation, finding.facts);
  return { observation, endpoints };
}
