/**
 * The ICMP probe end to end through a stand-in `ping` (a shell script that prints a recorded
 * sample and exits as the real one would), with the platform injected: the bytes of a German
 * or Japanese Windows ping go through the same decoding and decision as on Windows.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ping } from '../../src/probe/icmp.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/ping/', import.meta.url));

describe('ICMP probe through a stand-in ping', () => {
  let dir = '';

  before(function () {
    if (process.platform === 'win32') {
      console.log('      (skipped: the stand-in ping is a POSIX shell script; Linux and macOS CI run it)');
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'portolan-ping-'));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function standIn(sample: string, exitCode: number): string {
    const file = join(dir, `${sample}-${exitCode}.sh`);
    writeFileSync(file, `#!/bin/sh\ncat '${join(FIXTURES, `${sample}.txt`)}'\nexit ${exitCode}\n`);
    chmodSync(file, 0o755);
    return file;
  }

  const run = (binary: string, address: string, platform: NodeJS.Platform) =>
    ping({ address, count: 2, timeoutMs: 1000, signal: new AbortController().signal, binary, platform });

  it('a German and a Japanese Windows reply are open, with the RTT', async () => {
    for (const lang of ['de', 'ja']) {
      const r = await run(standIn(`windows-${lang}-reply`, 0), '10.0.0.5', 'win32');
      expect(r, lang).to.include({ state: 'open', reason: 'reply', rttMs: 1, attempts: 2 });
    }
  });

  it("a router's unreachable (exit 0 on Windows) is filtered, naming the router", async () => {
    const r = await run(standIn('windows-fr-unreachable', 0), '10.0.9.9', 'win32');
    expect(r).to.include({ state: 'filtered', reason: 'icmp-unreachable' });
    expect(r.evidence[0]).to.match(/^10\.0\.0\.1 answered with an ICMP error/);
  });

  it('silence is filtered on Windows (exit 1) and macOS (exit 2)', async () => {
    expect(await run(standIn('windows-es-timeout', 1), '10.0.0.7', 'win32')).to.include({ state: 'filtered' });
    expect(await run(standIn('darwin-timeout', 2), '10.0.0.7', 'darwin')).to.include({
      state: 'filtered',
      reason: 'no-reply',
    });
  });
});
