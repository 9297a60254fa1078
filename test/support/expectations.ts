/** Hand-made expectations for engine tests: one port (or range) of a made-up required service. */
import type { Expectation } from '../../src/model.js';

export function portExpectation(
  protocol: Expectation['protocol'],
  port: number | null,
  over: Partial<Expectation> = {},
): Expectation {
  return {
    key: `${protocol}/${port ?? over.range ?? ''}`,
    role: null,
    service: 't',
    serviceName: 'T',
    impact: 'T breaks',
    protocol,
    port,
    range: null,
    portSet: null,
    ipProtocol: null,
    application: 'T',
    requirement: 'required',
    condition: null,
    footnote: null,
    note: null,
    source: { table: 'section', section: 't' },
    ...over,
  };
}
