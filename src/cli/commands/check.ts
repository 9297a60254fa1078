/**
 * `portolan check`: parse flags into a CheckRequest, run it with progress on stderr,
 * render the result, and set the exit code from the verdict.
 */
import { type Command, Option } from 'commander';
import { type CheckRequest, runCheck } from '../../check/run-check.js';
import type { RunOptions, RunResult } from '../../model.js';
import { DEFAULT_RPC_SAMPLE } from '../../probe/rpc-sample.js';
import { responderTcpModule, responderUdpModule } from '../../responder/modules.js';
import { PortolanError } from '../errors.js';
import { checkOutputOptions, emitResult, type OutputOptions, outputOptions } from '../output.js';
import { startProgress } from '../progress.js';

const collect = (value: string, prev: string[] = []) => [...prev, value];

function integer(flag: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new PortolanError('USAGE', `${flag} "${value}": expected a whole number`);
    return Number(value);
  };
}

interface CheckFlags extends OutputOptions {
  role?: string[];
  service?: string[];
  port?: string[];
  domain?: string;
  dnsServer?: string;
  expect: RunOptions['expect'];
  profile: RunOptions['profile'];
  rpc: RunOptions['rpcMode'];
  rpcSample: number;
  rpcRange?: string;
  os?: string;
  clientOs?: string;
  timeout: number;
  retries: number;
  concurrency: number;
  perHost: number;
  source?: string;
  allAddresses?: boolean;
  appProbes: boolean;
  failOn: RunOptions['failOn'];
  checks?: string[];
  snmpCommunity: string;
  quiet?: boolean;
  responder?: boolean;
  token?: string;
}

export function registerCheck(program: Command): void {
  const cmd = program
    .command('check')
    .description('probe the ports a role (or service, or port) needs on each target and judge them')
    .argument('[targets...]', 'host names or addresses to check')
    .option('-r, --role <role>', 'a server role the targets run (repeatable); see `portolan catalog roles`', collect)
    .option(
      '-s, --service <service>',
      'a single catalog service (repeatable); see `portolan catalog services`',
      collect,
    )
    .option('-p, --port <spec>', 'an ad-hoc port: 445/tcp, 53/udp, 5000-5010/tcp or icmp (repeatable)', collect)
    .option('--domain <domain>', 'add the domain controllers of DOMAIN (SRV _ldap._tcp.dc._msdcs.DOMAIN)')
    .option('--dns-server <address>', 'DNS server to ask for --domain (default: the system resolver)')
    .addOption(
      new Option('--expect <mode>', 'listening: the service must answer; reachable: pre-deployment, closed passes too')
        .choices(['listening', 'reachable'])
        .default('listening'),
    )
    .addOption(
      new Option('--profile <profile>', 'dynamic RPC range: modern 49152-65535, legacy 1025-5000, or both')
        .choices(['modern', 'legacy', 'both'])
        .default('modern'),
    )
    .option(
      '--rpc-range <ports>',
      'the dynamic RPC range your servers are pinned to, e.g. 5000-5100 (overrides --profile)',
    )
    .addOption(
      new Option(
        '--rpc <mode>',
        'dynamic ports: discover them via the endpoint mapper (falls back to a sample), sample K, or sweep all',
      )
        .choices(['discover', 'sample', 'sweep'])
        .default('discover'),
    )
    .option('--rpc-sample <k>', 'ports to sample from a range', integer('--rpc-sample'), DEFAULT_RPC_SAMPLE)
    .option('--os <os>', 'target OS (2003, 2008, 2008r2, 2012 ... 2025) for OS-specific rows such as DFSR 5722/tcp')
    .option('--client-os <os>', 'clients\u2019 OS (xp, 2003 ...) for rows that only old clients need')
    .option(
      '--timeout <ms>',
      'TCP connect timeout (at least 3000 on Windows) and UDP wait per datagram',
      integer('--timeout'),
      1500,
    )
    .option('--retries <n>', 'UDP retransmissions after the first datagram', integer('--retries'), 2)
    .option('--concurrency <n>', 'probes in flight in the whole run', integer('--concurrency'), 256)
    .option('--per-host <n>', 'probes in flight per target address', integer('--per-host'), 32)
    .option('--source <address>', 'bind every probe to this local address (multi-homed agents)')
    .option('--all-addresses', 'probe every address a name resolves to, not only the first')
    .option('--no-app-probes', 'plain TCP connects: no protocol conversation after the handshake')
    .addOption(
      new Option('--fail-on <what>', 'exit 1 on failures only (inconclusive exits 3), or on inconclusive results too')
        .choices(['fail', 'inconclusive'])
        .default('fail'),
    )
    .option('--responder', 'pre-deployment: talk to `portolan listen` on the target; every port must answer it')
    .option('--token <secret>', 'the responder\u2019s shared token (or $PORTOLAN_RESPONDER_TOKEN)')
    .option('--snmp-community <name>', 'SNMP v2c community for the sysDescr evidence', 'public')
    .option('--checks <dir>', 'also load services/ and roles/ from DIR (repeatable)', collect)
    .option('-q, --quiet', 'no progress on stderr');
  outputOptions(cmd);
  cmd.addHelpText(
    'after',
    `
States (PortQry words in brackets): open [LISTENING], closed [NOT LISTENING], filtered [FILTERED],
open|filtered [LISTENING or FILTERED], error, untestable.
Exit codes: 0 compliant, 1 non-compliant, 2 usage/catalog error, 3 inconclusive only.

Examples:
  portolan check --role domain-controller dc1.corp.example dc2.corp.example
  portolan check --role domain-client --domain corp.example --dns-server 192.0.2.53
  portolan check --port 445/tcp --port 53/udp --port icmp fs1.corp.example
  portolan check --role file-server --expect reachable new-fs.corp.example     (before deployment)
  portolan check --role domain-controller dc1.corp.example --format json --output reports/dc1.json
  portolan check --role domain-controller new-dc.corp.example --responder --token SECRET   (with portolan listen there)
`,
  );
  cmd.action(async (targets: string[], flags: CheckFlags, command: Command) => {
    const request = toRequest(targets, flags, command);
    checkOutputOptions(flags);
    const result = await runWithProgress(request, flags);
    emitResult(result, flags);
    process.exitCode = result.summary.exitCode;
  });
}

function toRequest(targets: string[], f: CheckFlags, command: Command): CheckRequest {
  if (f.dnsServer && !f.domain) throw new PortolanError('USAGE', '--dns-server needs --domain');
  if (f.rpcRange && command.getOptionValueSource('profile') === 'cli') {
    throw new PortolanError('USAGE', '--rpc-range and --profile conflict: a pinned range replaces the profile');
  }
  const token = f.token ?? process.env.PORTOLAN_RESPONDER_TOKEN;
  if (f.token && !f.responder) throw new PortolanError('USAGE', '--token goes with --responder');
  if (f.responder && !token) {
    throw new PortolanError(
      'USAGE',
      '--responder needs --token SECRET (printed by `portolan listen`) or $PORTOLAN_RESPONDER_TOKEN',
    );
  }
  if (!f.role && !f.service && !f.port) {
    throw new PortolanError('USAGE', 'nothing to check: name at least one --role, --service or --port');
  }
  return {
    targets: targets.map((name) => ({ name, origin: 'command line' })),
    roles: f.role ?? [],
    services: f.service ?? [],
    ports: f.port ?? [],
    domain: f.domain ? { name: f.domain, dnsServer: f.dnsServer } : undefined,
    catalogDirs: f.checks ?? [],
    snmpCommunity: f.snmpCommunity,
    responder: f.responder && token ? { tcp: responderTcpModule(token), udp: responderUdpModule(token) } : undefined,
    commandLine: ['portolan', ...process.argv.slice(2)],
    options: {
      expect: f.expect,
      profile: f.profile,
      rpcRange: f.rpcRange ?? null,
      rpcMode: f.rpc,
      rpcSample: f.rpcSample,
      os: f.os ?? null,
      clientOs: f.clientOs ?? null,
      timeoutMs: f.timeout,
      retries: f.retries,
      concurrency: f.concurrency,
      perHost: f.perHost,
      source: f.source ?? null,
      allAddresses: Boolean(f.allAddresses),
      appProbes: f.appProbes,
      failOn: f.failOn,
    },
  };
}

/** Ctrl-C stops the run but still emits the partial result; a second Ctrl-C exits at once. */
async function runWithProgress(request: CheckRequest, flags: CheckFlags): Promise<RunResult> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\nportolan: stopping; the partial result follows (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = startProgress({ quiet: Boolean(flags.quiet) });
  try {
    const result = await runCheck(request, { signal: controller.signal, onProgress: progress.update });
    progress.stop(`${result.summary.status}: ${result.summary.headline}`);
    return result;
  } catch (err) {
    progress.stop(null);
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
