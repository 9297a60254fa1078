import { expect } from 'chai';
import type { RunResult } from '../../src/model.js';
import { validateResult } from '../../src/report/validate-result.js';
import { runCli } from '../support/cli.js';
import { closedTcpPort, tcpListener } from '../support/fake-servers.js';

describe('portolan check: bad input exits 2 with a clear message', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'unknown role',
      ['check', '--role', 'domain-controler', '127.0.0.1'],
      /unknown role "domain-controler".*Did you mean "domain-controller"/,
    ],
    ['invalid port', ['check', '--port', '70000/tcp', '127.0.0.1'], /--port "70000\/tcp": expected PORT\/tcp/],
    [
      'timeout 0',
      ['check', '--port', '445/tcp', '--timeout', '0', '127.0.0.1'],
      /--timeout 0: expected a whole number from 1/,
    ],
    [
      'negative timeout',
      ['check', '--port', '445/tcp', '--timeout', '-5', '127.0.0.1'],
      /--timeout -5: expected a whole number from 1/,
    ],
    ['nothing to check', ['check', '127.0.0.1'], /nothing to check/],
    ['no targets', ['check', '--port', '445/tcp'], /no targets/],
    [
      '--rpc-range with --profile',
      ['check', '--role', 'domain-controller', '--profile', 'legacy', '--rpc-range', '5000-5100', '127.0.0.1'],
      /--rpc-range and --profile conflict/,
    ],
    [
      '--token without --responder',
      ['check', '--port', '445/tcp', '--token', 'x', '127.0.0.1'],
      /--token goes with --responder/,
    ],
    [
      '--responder without a token',
      ['check', '--port', '445/tcp', '--responder', '127.0.0.1'],
      /--responder needs --token: the shared secret `portolan listen` printed/,
    ],
    [
      '--per-host above --concurrency',
      ['check', '--port', '445/tcp', '--per-host', '64', '--concurrency', '32', '127.0.0.1'],
      /--per-host 64 is larger than --concurrency 32/,
    ],
    [
      '--dns-server without --domain',
      ['check', '--port', '445/tcp', '--dns-server', '127.0.0.1', '127.0.0.1'],
      /--dns-server needs --domain/,
    ],
    [
      'two formats without a directory',
      ['check', '--port', '445/tcp', '--format', 'json,html', '127.0.0.1'],
      /need --output-dir/,
    ],
    ['unknown format', ['check', '--port', '445/tcp', '--format', 'pdf', '127.0.0.1'], /--format "pdf"/],
    [
      '--source not local',
      ['check', '--port', '445/tcp', '--source', '192.0.2.77', '127.0.0.1'],
      /--source 192\.0\.2\.77 is not an address of this machine/,
    ],
    [
      'a named condition the catalog does not know',
      ['check', '--role', 'domain-controller', '--with', 'gc', '--with', 'gcc', '127.0.0.1'],
      /--with "gcc": no such named condition; expected one of .*gc/,
    ],
    [
      'bad --expect',
      ['check', '--port', '445/tcp', '--expect', 'open', '127.0.0.1'],
      /--expect.*open.*invalid|Allowed choices/i,
    ],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const run = await runCli(args);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.match(message);
      expect(run.stdout).to.equal('');
    });
  }
});

describe('portolan check against 127.0.0.1', () => {
  it('writes only a schema-valid JSON result to stdout and exits 1 when a required port is closed', async () => {
    const listener = await tcpListener();
    const closed = await closedTcpPort();
    try {
      const run = await runCli([
        'check',
        '--port',
        `${listener.port}/tcp`,
        '--port',
        `${closed}/tcp`,
        '--format',
        'json',
        '-q',
        '127.0.0.1',
      ]);
      expect(run.code).to.equal(1);
      const result = JSON.parse(run.stdout) as RunResult;
      const validation = validateResult(result);
      expect(validation.ok, JSON.stringify(validation)).to.equal(true);
      expect(result.schemaVersion).to.equal(1);
      expect(result.summary.status).to.equal('non-compliant');
      const states = Object.fromEntries(result.observations.map((o) => [o.port, o.state]));
      expect(states).to.deep.equal({ [listener.port]: 'open', [closed]: 'closed' });
      expect(result.catalog.digest).to.match(/^sha256:[0-9a-f]{64}$/);
      expect(result.run.commandLine[0]).to.equal('portolan');
      // a port asked for by number gets a neutral name, not a guess at the service there
      expect(result.expectations.map((e) => e.application)).to.deep.equal(['Requested port', 'Requested port']);
    } finally {
      await listener.close();
    }
  });

  it('a target that does not resolve is error (resolve-failed), the rest is checked, and the run is not compliant', async () => {
    const listener = await tcpListener();
    try {
      const hostile = 'gone\u001b[31mRED.invalid';
      const run = await runCli([
        'check',
        '--port',
        `${listener.port}/tcp`,
        '--format',
        'json',
        '-q',
        '127.0.0.1',
        'nosuchhost.invalid',
        hostile,
      ]);
      // Not a usage error: the run went on, and a target it could not check leaves it inconclusive.
      expect(run.code, run.stderr).to.equal(3);
      const result = JSON.parse(run.stdout) as RunResult;
      expect(validateResult(result).ok).to.equal(true);
      expect(result.summary.status).to.equal('inconclusive');
      const byTarget = (name: string) => result.observations.filter((o) => o.target === name);
      expect(byTarget('127.0.0.1').map((o) => o.state)).to.deep.equal(['open']);
      for (const name of ['nosuchhost.invalid', hostile]) {
        expect(
          byTarget(name).map((o) => [o.state, o.reason]),
          name,
        ).to.deep.equal([['error', 'resolve-failed']]);
        expect(result.targets.find((t) => t.name === name)?.error, name).to.match(/did not resolve \(E[A-Z_]+\)/);
        expect(result.verdicts.targets.find((t) => t.target === name)?.status, name).to.equal('inconclusive');
      }
      // The resolver's words, with no control character left in them.
      expect(byTarget('nosuchhost.invalid')[0]?.error).to.match(/^getaddrinfo E[A-Z_]+ nosuchhost\.invalid$/);
      const words = [byTarget(hostile)[0]?.error, result.targets.find((t) => t.name === hostile)?.error].join(' ');
      expect(words).to.include('gone\\x1b[31mRED').and.not.to.include('\u001b');
    } finally {
      await listener.close();
    }
  });

  it('exits 0 and says compliant when every port answers', async () => {
    const listener = await tcpListener();
    try {
      const run = await runCli(['check', '--port', `${listener.port}/tcp`, '--format', 'table', '127.0.0.1']);
      expect(run.code).to.equal(0);
      expect(run.stdout).to.match(/COMPLIANT/);
      expect(run.stdout).not.to.include('\u001b['); // no colour when stdout is not a TTY
    } finally {
      await listener.close();
    }
  });
});

describe('portolan check --with: named conditions make their rows required', () => {
  async function gcRow(extra: string[]) {
    const run = await runCli([
      'check',
      '--service',
      'lsass',
      '--rpc',
      'sample',
      '--rpc-sample',
      '2',
      '--timeout',
      '300',
      '--retries',
      '0',
      ...extra,
      '--format',
      'json',
      '-q',
      '127.0.0.1',
    ]);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(validateResult(result).ok).to.equal(true);
    const row = result.expectations.find((e) => e.port === 3268 && e.protocol === 'tcp');
    const cause = result.verdicts.rootCauses?.find((c) => c.id === '127.0.0.1 tcp/3268');
    return { result, row, cause };
  }

  it('without --with gc, a refused 3268/tcp is a notice; with it, a root cause of the run', async function () {
    this.timeout(30_000);
    const off = await gcRow([]);
    expect(off.row?.requirement).to.equal('conditional');
    expect(off.row?.switches).to.deep.equal([{ name: 'gc', on: false }]);
    expect(off.cause?.severity).to.equal('notice');
    expect(off.cause?.affects[0]?.switchesOff).to.deep.equal(['gc']);
    expect(off.result.run.options.with).to.deep.equal([]);
    const on = await gcRow(['--with', 'GC']);
    expect(on.row?.requirement).to.equal('required');
    expect(on.row?.switches).to.deep.equal([{ name: 'gc', on: true }]);
    expect(on.cause?.severity).to.equal('outage');
    expect(on.result.run.options.with).to.deep.equal(['gc']);
  });
});

describe('portolan check: interrupt and addresses', () => {
  it('Ctrl-C stops promptly and still prints the partial result, marked incomplete', async function () {
    this.timeout(30_000);
    if (process.platform === 'win32') {
      console.log('      (skipped: Windows cannot send SIGINT to another process; kill() ends it at once)');
      this.skip();
    }
    const { spawn } = await import('node:child_process');
    const { udpServer } = await import('../support/fake-servers.js');
    const silent = await udpServer(null);
    try {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli/bin.ts',
          'check',
          '--port',
          `${silent.port}/udp`,
          '--timeout',
          '10000',
          '--format',
          'json',
          '127.0.0.1',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } },
      );
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c));
      // Wait until the probe is in flight (the silent server received our datagram), then interrupt.
      const deadline = Date.now() + 15_000;
      while (silent.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const interruptedAt = Date.now();
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(Date.now() - interruptedAt).to.be.lessThan(3000);
      const result = JSON.parse(stdout) as RunResult;
      expect(result.run.incomplete).to.equal(true);
      expect(result.observations[0]).to.include({ state: 'error', reason: 'aborted' });
      expect(code).to.equal(3);
    } finally {
      await silent.close();
    }
  });

  it('--all-addresses probes every address a name resolves to', async () => {
    const { lookup } = await import('node:dns/promises');
    const addresses = (await lookup('localhost', { all: true })).map((a) => a.address);
    const listener = await tcpListener();
    try {
      const run = await runCli([
        'check',
        '--port',
        `${listener.port}/tcp`,
        '--all-addresses',
        '--format',
        'json',
        '-q',
        'localhost',
      ]);
      const result = JSON.parse(run.stdout) as RunResult;
      expect(result.targets[0]?.addresses).to.deep.equal([...new Set(addresses)]);
      expect(result.observations.map((o) => o.address)).to.have.members([...new Set(addresses)]);
    } finally {
      await listener.close();
    }
  });
});
