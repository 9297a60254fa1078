import { expect } from 'chai';
import { Command } from 'commander';
import { buildProgram } from '../src/cli/main.js';
import { addRunOptions, flagFor, runSettingsFrom } from '../src/cli/run-option-flags.js';
import { isPortolanError, type PortolanError } from '../src/errors.js';
import {
  defaultRunSettings,
  RUN_OPTIONS,
  type RunOptionKey,
  resolveRunSettings,
  resultOptions,
} from '../src/run-options.js';
import { runCli } from './support/cli.js';

function thrown(fn: () => unknown): PortolanError {
  try {
    fn();
  } catch (err) {
    expect(isPortolanError(err), String(err)).to.equal(true);
    return err as PortolanError;
  }
  throw new Error('expected an error');
}

describe('the run option table', () => {
  it('holds every default once', () => {
    const d = defaultRunSettings();
    expect(d).to.deep.include({ expect: 'listening', rpcMode: 'discover', rpcSample: 16, timeoutMs: 1500 });
    expect(d).to.deep.include({ retries: 2, concurrency: 256, perHost: 32, appProbes: true, failOn: [] });
    expect(resolveRunSettings({})).to.deep.equal(d);
  });

  it('checks values by key and names the key; the rules across options too', () => {
    const bad = thrown(() => resolveRunSettings({ timeoutMs: 0 }));
    expect(bad.code).to.equal('INVALID_VALUE');
    expect(bad.message).to.equal('timeoutMs 0: expected a whole number from 1 to 600000');
    expect(bad.fields).to.deep.equal(['timeoutMs']);
    expect(thrown(() => resolveRunSettings({ rpcRange: '9-1' })).message).to.match(/^rpcRange: "9-1"/);
    const across = thrown(() => resolveRunSettings({ perHost: 64, concurrency: 32 }));
    expect(across.fields).to.deep.equal(['perHost', 'concurrency']);
  });

  it('parses command-line text with the same checks', () => {
    expect(RUN_OPTIONS.timeoutMs.parse('800', 'timeoutMs')).to.equal(800);
    expect(thrown(() => RUN_OPTIONS.timeoutMs.parse('-5', 'timeoutMs')).message).to.match(/-5: expected a whole/);
    expect(thrown(() => RUN_OPTIONS.retries.parse('two', 'retries')).message).to.match(/^retries "two"/);
  });

  it('gives --fail-on one shape: conditions, comma-separated; "fail" adds none', () => {
    const p = (t: string) => RUN_OPTIONS.failOn.parse(t, 'failOn');
    expect(p('inconclusive')).to.deep.equal(['inconclusive']);
    expect(p('inconclusive, waived-expiring')).to.deep.equal(['inconclusive', 'waived-expiring']);
    expect(p('fail')).to.deep.equal([]);
    expect(thrown(() => p('never')).message).to.match(/^failOn "never": expected inconclusive, waived-expiring/);
    // The JSON result (schemaVersion 1) keeps one word for it.
    const asked = { roles: [], services: [], ports: [] };
    const s = (failOn: ('inconclusive' | 'waived-expiring')[]) => ({ ...defaultRunSettings(), failOn });
    expect(resultOptions(s(['inconclusive', 'waived-expiring']), asked).failOn).to.equal('inconclusive');
    expect(resultOptions(s(['waived-expiring']), asked).failOn).to.equal('fail');
  });

  it('derives the CLI flags: check offers every run option, under the flag the table names', () => {
    const check = buildProgram().commands.find((c) => c.name() === 'check') as Command;
    const flags = check.options.map((o) => o.flags);
    for (const spec of Object.values(RUN_OPTIONS)) expect(flags, spec.flag).to.include(spec.flag);
    const timeout = check.options.find((o) => o.flags === RUN_OPTIONS.timeoutMs.flag);
    expect(timeout?.defaultValue).to.equal(1500);
    expect(flagFor('timeoutMs')).to.equal('--timeout');
    expect(flagFor('rpcMode')).to.equal('--rpc');
    expect(flagFor('ports')).to.equal('--port');
  });

  it('reads flags back by option key', () => {
    const keys: RunOptionKey[] = ['timeoutMs', 'appProbes', 'failOn', 'rpcMode'];
    const cmd = addRunOptions(new Command('x').exitOverride(), keys);
    cmd.parse(['--timeout', '900', '--no-app-probes', '--fail-on', 'inconclusive', '--rpc', 'sweep'], {
      from: 'user',
    });
    expect(runSettingsFrom(cmd, cmd.opts(), keys)).to.deep.equal({
      timeoutMs: 900,
      appProbes: false,
      failOn: ['inconclusive'],
      rpcMode: 'sweep',
    });
  });

  it('check and run take --fail-on the same way', async () => {
    for (const args of [
      ['check', '--port', '445/tcp', '--fail-on', 'sometimes', '127.0.0.1'],
      ['run', 'no-such-plan.yaml', '--fail-on', 'sometimes'],
    ]) {
      const run = await runCli(args);
      expect(run.code, args[0]).to.equal(2);
      expect(run.stderr, args[0]).to.match(/--fail-on "sometimes": expected inconclusive, waived-expiring/);
    }
  });
});
