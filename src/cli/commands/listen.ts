/**
 * `portolan listen`: stand in for a server that does not exist yet. Opens a TCP listener
 * and a UDP responder on every port of a role, so `portolan check --responder` from the
 * clients can prove each path end to end before the role is installed.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { expandRole } from '../../catalog/expand.js';
import { loadCatalog } from '../../catalog/load.js';
import { parseDuration } from '../../duration.js';
import { PortolanError } from '../../errors.js';
import { powerShell } from '../../platform/powershell.js';
import { advertisedAddress, checkCommand } from '../../responder/client-command.js';
import { type HostFirewall, windowsFirewall } from '../../responder/firewall-session.js';
import { portsForExpectations } from '../../responder/ports.js';
import { runListen } from '../../responder/session.js';
import { RUN_OPTIONS, type RunOptionKey, resolveRunSettings } from '../../run-options.js';
import { addRunOptions, flagFor, runSettingsFrom, withFlagNames } from '../run-option-flags.js';

interface ListenOpts {
  role: string;
  bind?: string;
  duration: string;
  token?: string;
  format: string;
  checks?: string[];
  addFirewallRules?: boolean;
  firewallCheck: boolean;
}

const TOKEN_ENV = 'PORTOLAN_RESPONDER_TOKEN';
const FIREWALL_FLAG = '--add-firewall-rules';

/** Windows: the session checks (and with the flag opens) the host's own firewall. */
function hostFirewall(opts: ListenOpts): HostFirewall | undefined {
  if (process.platform !== 'win32') {
    if (opts.addFirewallRules) process.stderr.write(`${FIREWALL_FLAG} is for Windows only: ignored here.\n`);
    return undefined;
  }
  if (!opts.firewallCheck) return undefined;
  return windowsFirewall({
    run: powerShell(),
    addRules: Boolean(opts.addFirewallRules),
    rules: { sessionId: randomBytes(4).toString('hex'), program: process.execPath },
    flag: FIREWALL_FLAG,
  });
}
const collect = (value: string, prev: string[] = []) => [...prev, value];

/** The run options that decide which ports a role has: the client's `check` must use the same. */
const LISTEN_OPTIONS = [
  'profile',
  'rpcRange',
  'rpcSample',
  'os',
  'clientOs',
] as const satisfies readonly RunOptionKey[];

/** Each served port of a range is a listening socket: serve at most this many per range. */
const MAX_SERVED_SAMPLE = 1024;

export function registerListen(program: Command): void {
  const cmd = program
    .command('listen')
    .description(
      'stand in for a server that does not exist yet: answer portolan probes on every port of a role,\n' +
        'so `portolan check --responder` from the clients proves each path before the role is installed',
    )
    .requiredOption('--role <role>', 'the role this host will have (see `portolan catalog roles`)')
    .option('--bind <address>', 'local address to listen on (default: all IPv4 addresses)')
    .option('--duration <time>', 'stop after this long: 90s, 30m, 1h (up to 366d)', '30m')
    .option('--token <secret>', `shared secret for the probes (default: $${TOKEN_ENV}, or a random one)`)
    .option('--format <format>', 'table, or json (one JSON line per hit on stdout)', 'table')
    .option('--checks <dir>', 'also load services/ and roles/ from DIR (repeatable)', collect)
    .option(
      FIREWALL_FLAG,
      'Windows: add temporary inbound firewall rules for the ports no rule allows, and remove them when listen stops (elevated prompt)',
    )
    .option('--no-firewall-check', 'Windows: do not read the inbound firewall rules (no PowerShell is run)');
  addRunOptions(cmd, LISTEN_OPTIONS, {
    rpcRange: 'the fixed RPC range the servers are configured with, e.g. 5000-5100',
    rpcSample: `how many ports of each range to serve, as check probes (at most ${MAX_SERVED_SAMPLE})`,
    os: 'the OS this host will run (2008, 2016 ...) for rows that apply to some OS only',
  })
    .addHelpText(
      'after',
      `
Ports below 1024 need root or CAP_NET_BIND_SERVICE on Linux and root on macOS; Windows needs no
rights for them. Every reply is smaller than the probe, UDP replies are rate-limited per source,
replies to a wrong token draw from a budget of their own (a spoofed flood cannot spend what your
clients need; when verified replies must be refused, the clients are told and report UDP silence
as inconclusive), TCP connections are capped per address and must deliver their probe within 5 s,
and anything that is not a portolan probe gets no answer.

On Windows, listen reads the inbound Windows Defender Firewall rules (PowerShell) and says which
served ports they let in; for the rest it prints the New-NetFirewallRule and Remove-NetFirewallRule
lines to run, or with ${FIREWALL_FLAG} adds the rules itself and removes them when it stops.

Examples:
  sudo portolan listen --role domain-controller --duration 1h
  portolan listen --role file-server --bind 192.0.2.10 --token "$TOKEN" --format json
  portolan listen --role domain-controller --add-firewall-rules      # Windows, elevated PowerShell
`,
    )
    .action(async (opts: ListenOpts, command: Command) => {
      try {
        process.exitCode = await listen(opts, command);
      } catch (err) {
        throw withFlagNames(err);
      }
    });
}

function parseOptions(opts: ListenOpts, command: Command) {
  if (opts.format !== 'table' && opts.format !== 'json') {
    throw new PortolanError('INVALID_VALUE', `--format "${opts.format}": expected table or json`);
  }
  const settings = resolveRunSettings(
    runSettingsFrom(command, opts as unknown as Record<string, unknown>, LISTEN_OPTIONS),
  );
  if (settings.rpcSample > MAX_SERVED_SAMPLE) {
    throw new PortolanError(
      'INVALID_VALUE',
      `rpcSample ${settings.rpcSample}: expected a whole number from 1 to ${MAX_SERVED_SAMPLE} (each is a listening socket)`,
      { fields: ['rpcSample'] },
    );
  }
  const given = opts.token ?? process.env[TOKEN_ENV];
  if (given === '') throw new PortolanError('INVALID_VALUE', '--token: the token must not be empty');
  return {
    format: opts.format as 'table' | 'json',
    settings,
    durationMs: parseDuration(opts.duration, '--duration'),
    token: given ?? randomBytes(18).toString('base64url'),
    generatedToken: given === undefined,
  };
}

async function listen(opts: ListenOpts, command: Command): Promise<number> {
  const o = parseOptions(opts, command);
  const s = o.settings;
  const catalog = await loadCatalog({ dirs: opts.checks ?? [] });
  const expectations = expandRole(catalog, opts.role, s);
  const plan = portsForExpectations(expectations, s.rpcSample);
  // The same range options on the client, so both sides sample the same ports (a pinned range replaces the profile).
  const passed = LISTEN_OPTIONS.filter(
    (k) => s[k] !== RUN_OPTIONS[k].default && !(k === 'profile' && s.rpcRange !== null),
  );
  const clientCommand = checkCommand({
    role: opts.role,
    address: advertisedAddress(opts.bind),
    token: o.token,
    passThrough: [
      ...(opts.checks ?? []).map((dir): [string, string] => ['--checks', dir]),
      ...passed.map((k): [string, string] => [flagFor(k) as string, String(s[k])]),
    ],
  });

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => stop.abort(signal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const outcome = await runListen({
      responder: { token: o.token, bind: opts.bind, ports: plan.ports },
      notServed: plan.notServed,
      durationMs: o.durationMs,
      format: o.format,
      clientCommand,
      generatedToken: o.generatedToken,
      stdout: process.stdout,
      stderr: process.stderr,
      signal: stop.signal,
      firewall: hostFirewall(opts),
    });
    return outcome.exitCode;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
