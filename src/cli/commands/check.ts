/**
 * `portolan check`: parse flags into a CheckRequest, run it with progress on stderr,
 * render the result, and set the exit code from the verdict. The run options come from
 * the option table (`run-options.ts`).
 */
import type { Command } from 'commander';
import { dryRunCheck } from '../../check/dry-run.js';
import type { CheckRequest } from '../../check/run-check.js';
import { PortolanError } from '../../errors.js';
import type { RunOptionKey } from '../../run-options.js';
import { checkDeliveryOptions, runAndDeliver } from '../check-delivery.js';
import { DRY_RUN_HEADING, dryRunLines } from '../dry-run.js';
import { checkOutputSyntax, type OutputOptions, outputOptions } from '../output.js';
import { addRunOptions, runSettingsFrom, withFlagNames } from '../run-option-flags.js';

const collect = (value: string, prev: string[] = []) => [...prev, value];

/** The run options `check` takes, in the order `--help` lists them. */
const CHECK_OPTIONS = [
  'expect',
  'profile',
  'rpcRange',
  'rpcMode',
  'rpcSample',
  'ftpPassiveRange',
  'with',
  'os',
  'clientOs',
  'timeoutMs',
  'retries',
  'concurrency',
  'perHost',
  'targetsInFlight',
  'source',
  'allAddresses',
  'cidrLimit',
  'appProbes',
  'failOn',
  'responder',
  'sourceName',
  'site',
  'shard',
] as const satisfies readonly RunOptionKey[];

interface CheckFlags extends OutputOptions {
  targetsFile?: string[];
  role?: string[];
  service?: string[];
  port?: string[];
  domain?: string;
  dnsServer?: string;
  rpcRange?: string;
  checks?: string[];
  snmpCommunity: string;
  quiet?: boolean;
  responder?: boolean;
  token?: string;
  dryRun?: boolean;
}

export function registerCheck(program: Command): void {
  const cmd = program
    .command('check')
    .description('probe the ports a role (or service, or port) needs on each target and judge them')
    .argument('[targets...]', 'host names, addresses or CIDR prefixes (10.0.4.0/22, 2001:db8::/120) to check')
    .option(
      '-T, --targets-file <file>',
      'more targets, one name, address or prefix per line, # comments; - reads standard input (repeatable)',
      collect,
    )
    .option('-r, --role <role>', 'a server role the targets run (repeatable); see `portolan catalog roles`', collect)
    .option(
      '-s, --service <service>',
      'a single catalog service (repeatable); see `portolan catalog services`',
      collect,
    )
    .option('-p, --port <spec>', 'an ad-hoc port: 445/tcp, 53/udp, 5000-5010/tcp or icmp (repeatable)', collect)
    .option('--domain <domain>', 'add the domain controllers of DOMAIN (SRV _ldap._tcp.dc._msdcs.DOMAIN)')
    .option('--dns-server <address>', 'DNS server to ask for --domain (default: the system resolver)');
  addRunOptions(cmd, CHECK_OPTIONS)
    .option('--token <secret>', 'the responder\u2019s shared token (or $PORTOLAN_RESPONDER_TOKEN)')
    .option('--snmp-community <name>', 'SNMP v2c community for the sysDescr evidence', 'public')
    .option('--checks <dir>', 'also load services/ and roles/ from DIR (repeatable)', collect)
    .option('-q, --quiet', 'no progress on stderr')
    .option('--dry-run', 'check the arguments, catalog and target names and print what would be probed; send nothing');
  outputOptions(cmd);
  cmd.addHelpText(
    'after',
    `
States (PortQry words in brackets): open [LISTENING], closed [NOT LISTENING], filtered [FILTERED],
open|filtered [LISTENING or FILTERED], error, untestable.
Exit codes: 0 compliant, 1 non-compliant, 2 usage/catalog error (a folder --output-dir cannot
write is one, found before probing), 3 inconclusive only (1 with --fail-on inconclusive),
70 internal failure: a report could not be rendered or written after probing (the others
were written and the JSON result kept; stderr says where).

Many targets: --targets-file FILE (one name, address or prefix a line, # comments, - for stdin)
and prefixes (10.0.4.0/22, 2001:db8::/120; --cidr-limit guards the size). Only
--targets-in-flight targets are held at once. --format ndjson (check only) streams a JSON line
per target as it finishes, then one run line (checks/schema/ndjson.schema.json); the JSON result
is written record by record. Past 1,000 targets table, html, junit and md render from a bounded
view (root causes and failing rows of the first 100 failing targets, every target's verdict;
README: large runs); the JSON has everything. Beyond one agent: --shard I/N.

Examples:
  portolan check --role domain-controller dc1.corp.example dc2.corp.example
  portolan check --role domain-controller --with gc,dfsr-sysvol dc1.corp.example   (GCs with DFSR SYSVOL)
  portolan check --role domain-client --domain corp.example --dns-server 192.0.2.53
  portolan check --port 445/tcp --port 53/udp --port icmp fs1.corp.example
  portolan check --role domain-client --targets-file members.txt --format ndjson | jq -c 'select(.kind == "target")'
  portolan check --role domain-client --targets-file - --format json --output members.json < members.txt
  portolan check --role file-server 10.0.4.0/22                               (1,022 addresses)
  portolan check --role file-server --expect reachable new-fs.corp.example     (before deployment)
  portolan check --role domain-controller dc1.corp.example --format json --output reports/dc1.json
  portolan check --role domain-controller new-dc.corp.example --responder --token SECRET   (with portolan listen there)
  portolan check --role domain-controller --source-name vlan-20 --site site=branch-12 dc1.corp.example   (a named vantage point)
  portolan check --role domain-controller --shard 0/4 dc1.corp.example dc2.corp.example ...   (worker 0 of 4; merge the 4 results)
  portolan check --role domain-controller --dry-run dc1.corp.example     (what would be probed; nothing is sent)
`,
  );
  cmd.action(async (targets: string[], flags: CheckFlags, command: Command) => {
    try {
      const request = toRequest(targets, flags, command);
      if (flags.dryRun) {
        checkOutputSyntax(flags);
        const plan = await dryRunCheck(request);
        process.stdout.write(`${[DRY_RUN_HEADING, ...dryRunLines(plan)].join('\n')}\n`);
        return;
      }
      checkDeliveryOptions(flags);
      const header = await runAndDeliver(request, flags);
      process.exitCode = header.summary.exitCode;
    } catch (err) {
      // The library names fields by key (timeoutMs); here they were flags (--timeout).
      throw withFlagNames(err);
    }
  });
}

function toRequest(targets: string[], f: CheckFlags, command: Command): CheckRequest {
  if (f.dnsServer && !f.domain) throw new PortolanError('MISSING_OPTION', '--dns-server needs --domain');
  if (f.rpcRange !== undefined && command.getOptionValueSource('profile') === 'cli') {
    throw new PortolanError(
      'CONFLICTING_OPTIONS',
      '--rpc-range and --profile conflict: a pinned range replaces the profile',
    );
  }
  if (f.token && !f.responder) throw new PortolanError('MISSING_OPTION', '--token goes with --responder');
  const token = f.token ?? process.env.PORTOLAN_RESPONDER_TOKEN;
  return {
    targets: targets.map((name) => ({ name, origin: 'command line' })),
    targetsFiles: f.targetsFile ?? [],
    roles: f.role ?? [],
    services: f.service ?? [],
    ports: f.port ?? [],
    ...(f.domain ? { domain: { name: f.domain, ...(f.dnsServer ? { dnsServer: f.dnsServer } : {}) } } : {}),
    catalogDirs: f.checks ?? [],
    snmpCommunity: f.snmpCommunity,
    ...(f.responder && token ? { responderToken: token } : {}),
    commandLine: ['portolan', ...process.argv.slice(2)],
    options: runSettingsFrom(command, f as unknown as Record<string, unknown>, CHECK_OPTIONS),
  };
}
