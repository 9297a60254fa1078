// A synthetic RunResult of any size, for history benchmarks and scale tests: `targets` hosts x
// `rows` port rows of a domain-controller-like role, each row with one or two observations
// (UDP rows get a plain datagram and a protocol request), evidence on open ports, one service
// per four rows. Deterministic: `variant` shifts which rows fail, so two variants differ in a
// known way (a diff between them has changes). No probing, no catalog: plain data.

const SERVICES = ['dns', 'kdc', 'ldap', 'lsa', 'netlogon', 'smb', 'rpc', 'w32time', 'dfsr', 'adws'];

/**
 * @param {{ targets: number, rows?: number, variant?: number, startedAt?: string, plan?: string }} spec
 */
export function syntheticRun({ targets, rows = 40, variant = 0, startedAt = '2026-11-26T02:00:00.000Z' }) {
  const role = 'domain-controller';
  const expectations = Array.from({ length: rows }, (_, r) => {
    const protocol = r % 3 === 2 ? 'udp' : 'tcp';
    const port = 1000 + r;
    const service = SERVICES[Math.floor(r / 4) % SERVICES.length];
    return {
      key: `${role}/${service}/${protocol}/${port}`,
      role,
      service,
      serviceName: `Service ${service}`,
      impact: `clients cannot use ${service}`,
      protocol,
      port,
      range: null,
      portSet: null,
      ipProtocol: null,
      application: service.toUpperCase(),
      requirement: r % 5 === 4 ? 'optional' : 'required',
      condition: null,
      footnote: null,
      note: null,
      source: { table: 'section', section: `Service ${service}` },
    };
  });
  const targetInfos = [];
  const observations = [];
  const verdicts = { expectations: [], services: [], targets: [] };
  const counts = { pass: 0, fail: 0, inconclusive: 0, waived: 0, untestable: 0 };
  for (let t = 0; t < targets; t++) {
    const name = `host${String(t).padStart(5, '0')}.corp.example`;
    const address = `10.${(t >> 16) & 255}.${(t >> 8) & 255}.${t & 255}`;
    targetInfos.push({ name, addresses: [address], origin: 'plan synthetic, group all', error: null });
    let failed = 0;
    const serviceStatus = new Map();
    for (const [r, e] of expectations.entries()) {
      const fails = (t * 7 + r * 3 + variant) % 23 === 0;
      const first = observations.length;
      if (e.protocol === 'udp') {
        observations.push(observation(name, address, e, fails ? 'open|filtered' : 'open', null));
      }
      observations.push(observation(name, address, e, fails ? 'filtered' : 'open', e.service));
      const ids = Array.from({ length: observations.length - first }, (_, i) => first + i);
      const status = fails ? 'fail' : 'pass';
      counts[status]++;
      if (fails) failed++;
      verdicts.expectations.push({
        target: name,
        expectation: e.key,
        role,
        service: e.service,
        observations: ids,
        status,
        explanation: fails
          ? `${e.serviceName} ${e.port}/${e.protocol} on ${name} (${address}) is filtered: no answer within 1500 ms; a firewall drops it.`
          : `${e.serviceName} (${e.port}/${e.protocol}) answered.`,
        caveat: null,
      });
      if (fails) serviceStatus.set(e.service, e.requirement === 'required' ? 'broken' : 'degraded');
      else if (!serviceStatus.has(e.service)) serviceStatus.set(e.service, 'ok');
    }
    for (const [service, status] of serviceStatus) {
      verdicts.services.push({
        target: name,
        role,
        service,
        serviceName: `Service ${service}`,
        status,
        explanations: [status === 'ok' ? `Service ${service}: every port answered.` : `Service ${service}: ${status}.`],
      });
    }
    verdicts.targets.push({
      target: name,
      role,
      status: failed > 0 ? 'non-compliant' : 'compliant',
      summary: failed > 0 ? `${failed} port row(s) blocked.` : `Every required port of ${role} is answering.`,
    });
  }
  const failing = verdicts.targets.filter((v) => v.status === 'non-compliant').length;
  return {
    schemaVersion: 1,
    tool: { name: 'portolan', version: '0.1.0' },
    catalog: { digest: `sha256:${'0'.repeat(64)}`, sources: ['checks'] },
    run: {
      startedAt,
      endedAt: new Date(Date.parse(startedAt) + 600_000).toISOString(),
      durationMs: 600_000,
      source: { hostname: 'agent1.corp.example', addresses: ['192.0.2.50'], bind: null, name: 'agent1', labels: {} },
      commandLine: ['portolan', 'run', 'synthetic.yaml'],
      options: {
        roles: [role],
        services: [],
        ports: [],
        expect: 'listening',
        profile: 'modern',
        rpcRange: null,
        rpcSample: 16,
        rpcMode: 'discover',
        os: null,
        clientOs: null,
        timeoutMs: 1500,
        retries: 2,
        concurrency: 256,
        perHost: 32,
        source: null,
        allAddresses: false,
        appProbes: true,
        failOn: 'fail',
        responder: false,
      },
      incomplete: false,
      incompleteReason: null,
      notes: [],
    },
    targets: targetInfos,
    expectations,
    observations,
    verdicts,
    summary: {
      status: failing > 0 ? 'non-compliant' : 'compliant',
      counts,
      exitCode: failing > 0 ? 1 : 0,
      headline: `${failing} of ${targets} target(s) non-compliant.`,
    },
  };
}

function observation(target, address, e, state, module) {
  const open = state === 'open';
  return {
    target,
    address,
    protocol: e.protocol,
    port: e.port,
    state,
    reason: open ? (e.protocol === 'tcp' ? 'syn-ack' : 'reply') : state === 'filtered' ? 'timeout' : 'no-reply',
    rttMs: open ? 1.25 : null,
    attempts: open ? 1 : 3,
    evidence: open && module ? [`${e.application}: answered as ${target}, protocol version 3`] : [],
    warnings: [],
    module: e.protocol === 'udp' || open ? module : null,
    confirmed: open && module !== null,
    error: null,
  };
}
