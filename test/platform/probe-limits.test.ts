/**
 * What a Windows prober cannot see, tested on any OS by injecting the platform: UDP silence
 * carries the platform limit (libuv issue 5242), and TCP connects outlast Windows' retries
 * after a reset so closed ports do not read as filtered.
 */
import { expect } from 'chai';
import { describeNote, observationFacts } from '../../src/analyze/describe.js';
import { runCheck } from '../../src/check/run-check.js';
import type { Expectation, Observation, RunNote } from '../../src/model.js';
import {
  tcpConnectTimeoutMs,
  tcpTimeoutNote,
  udpSilenceLimit,
  WINDOWS_TCP_FLOOR_MS,
} from '../../src/platform/probe-limits.js';
import { validateResult } from '../../src/report/validate-result.js';
import { runEngine } from '../support/engine.js';
import { closedTcpPort, udpServer } from '../support/fake-servers.js';

function udpExpectation(port: number): Expectation {
  return {
    key: `t/udp/${port}`,
    role: null,
    service: 'test',
    serviceName: 'Test',
    impact: 'Test breaks',
    protocol: 'udp',
    port,
    range: null,
    portSet: null,
    ipProtocol: null,
    application: 'Test',
    requirement: 'required',
    condition: null,
    footnote: null,
    note: null,
    source: { table: 'section', section: 'test' },
  };
}

const ENGINE = {
  timeoutMs: 150,
  retries: 0,
  concurrency: 8,
  perHost: 8,
  appProbes: true,
  rpcMode: 'sample' as const,
  rpcSample: 4,
};

describe('platform limits of the prober', () => {
  it('only Windows hides ICMP port unreachable from UDP, and raises the TCP connect timeout', () => {
    expect(udpSilenceLimit('win32')).to.equal('icmp-port-unreachable-unseen');
    for (const platform of ['linux', 'darwin', 'freebsd'] as const) {
      expect(udpSilenceLimit(platform), platform).to.equal(null);
      expect(tcpConnectTimeoutMs(1500, platform)).to.equal(1500);
      expect(tcpTimeoutNote(1500, platform)).to.equal(null);
    }
    expect(tcpConnectTimeoutMs(1500, 'win32')).to.equal(WINDOWS_TCP_FLOOR_MS);
    expect(tcpConnectTimeoutMs(10_000, 'win32')).to.equal(10_000);
    expect(describeNote(tcpTimeoutNote(1500, 'win32') as RunNote)).to.match(
      /^TCP connects waited 3000 ms instead of 1500 ms: Windows retries/,
    );
    expect(tcpTimeoutNote(5000, 'win32')).to.equal(null);
  });

  it('UDP silence probed "from Windows" carries the limit and says it; from Linux it does not', async () => {
    const silent = await udpServer(null);
    try {
      const target = [{ name: 'lo', addresses: ['127.0.0.1'] }];
      const [windows] = (await runEngine([udpExpectation(silent.port)], target, { ...ENGINE, platform: 'win32' }))
        .observations;
      expect(windows).to.include({ state: 'open|filtered', platformLimit: 'icmp-port-unreachable-unseen' });
      expect(observationFacts(windows as Observation).join(' ')).to.include('libuv issue 5242');
      const [linux] = (await runEngine([udpExpectation(silent.port)], target, { ...ENGINE, platform: 'linux' }))
        .observations;
      expect(linux?.state).to.equal('open|filtered');
      expect(linux?.platformLimit).to.equal(undefined);
      expect(observationFacts(linux as Observation).join(' ')).to.not.include('cannot see');
    } finally {
      await silent.close();
    }
  });

  it('a run "on Windows" notes the longer TCP wait, and its result with the limit is schema-valid', async () => {
    const port = await closedTcpPort();
    const silent = await udpServer(null);
    const result = await runCheck(
      {
        targets: [{ name: '127.0.0.1', origin: 'argument' }],
        roles: [],
        services: [],
        ports: [`${port}/tcp`, `${silent.port}/udp`],
        options: { timeoutMs: 500, retries: 0 },
        commandLine: ['check'],
      },
      { platform: 'win32' },
    ).finally(() => silent.close());
    expect(result.run.notes.join(' ')).to.include('TCP connects waited 3000 ms instead of 500 ms');
    // Linux refused at once: the longer wait costs nothing when the answer comes.
    expect(result.observations[0]).to.include({ state: 'closed', reason: 'rst' });
    expect(result.run.options.timeoutMs).to.equal(500);
    expect(result.observations[1]?.platformLimit).to.equal('icmp-port-unreachable-unseen');
    const checked = validateResult(JSON.parse(JSON.stringify(result)));
    expect(checked.ok, JSON.stringify(checked.ok ? null : checked.problems)).to.equal(true);
    expect(result.verdicts.expectations[1]?.explanation).to.include('from a Linux or macOS agent');
  });
});
