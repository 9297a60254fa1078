import { hostname } from 'node:os';
import { expect } from 'chai';
import { runCheck } from '../../src/check/run-check.js';
import { validateResult } from '../../src/report/validate-result.js';

describe('every result names its vantage point', () => {
  // Port 1 on loopback is closed: a refused port needs no listener and sends nothing off-host.
  const request = {
    targets: [{ name: '127.0.0.1', origin: 'test' }],
    roles: [],
    services: [],
    ports: ['1/tcp'],
    options: { appProbes: false, timeoutMs: 500, retries: 0 },
    commandLine: ['portolan', 'check'],
  };

  it('by default the host name, with no labels', async () => {
    const result = await runCheck(request);
    expect(result.run.source).to.deep.include({ hostname: hostname(), name: hostname(), labels: {} });
    expect(validateResult(JSON.parse(JSON.stringify(result))).ok).to.equal(true);
  });

  it('or the name and labels the run options give (--source-name, --site)', async () => {
    const options = { ...request.options, sourceName: 'vlan-20-probe', site: ['site=branch-12', 'vlan=20'] };
    const result = await runCheck({ ...request, options });
    expect(result.run.source).to.deep.include({ name: 'vlan-20-probe', labels: { site: 'branch-12', vlan: '20' } });
    expect(validateResult(JSON.parse(JSON.stringify(result))).ok).to.equal(true);
  });
});
