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
    [
      'unresolvable target',
      ['check', '--port', '445/tcp', 'nosuchhost.invalid'],
      /"nosuchhost\.invalid" did not resolve/,
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
