/**
 * `portolan exporter`: serve role checks to Prometheus the way blackbox_exporter serves
 * probes (`/probe?target=HOST&module=NAME`), with the exporter convention's flags. Runs until
 * SIGTERM or Ctrl-C. `--hash-password` prints a bcrypt hash for the web config and exits.
 */
import type { Command } from 'commander';
import { loadCatalog } from '../../catalog/load.js';
import { runCheck } from '../../check/run-check.js';
import { PortolanError } from '../../errors.js';
import { parseAllowList } from '../../exporter/allow-list.js';
import { hashPassword } from '../../exporter/basic-auth.js';
import { DEFAULT_LISTEN_ADDRESS, startExporter } from '../../exporter/exporter.js';
import { parseListenAddress } from '../../exporter/http-server.js';
import { loadModules, NO_MODULES } from '../../exporter/modules.js';
import { loadWebConfig, PLAIN_HTTP } from '../../exporter/web-config.js';
import type { PlanOptions } from '../../plan/types.js';
import type { RunOptionKey } from '../../run-options.js';
import { addRunOptions, flagged, runSettingsFrom } from '../run-option-flags.js';

interface ExporterFlags {
  'web.listenAddress': string;
  'web.config.file'?: string;
  config?: string;
  allowTarget?: string[];
  timeoutOffset: string;
  maxConcurrentProbes: string;
  checks?: string[];
  hashPassword?: boolean;
}

const collect = (value: string, prev: string[] = []) => [...prev, value];

/** Scrapes that may wait for a slot, per probe slot. */
const QUEUED_PER_SLOT = 4;

/** Run options the exporter takes for every probe: its vantage point. */
const VANTAGE = ['sourceName', 'site'] as const satisfies readonly RunOptionKey[];

export function registerExporter(program: Command): void {
  const cmd = program
    .command('exporter')
    .description(
      'serve role checks to Prometheus as blackbox_exporter serves probes: GET /probe?target=HOST&module=NAME\n' +
        'checks HOST now and answers with metrics; /metrics has the exporter\u2019s own',
    )
    .option(
      '--web.listen-address <address>',
      'where to serve: HOST:PORT, [IPv6]:PORT, or :PORT for every address',
      DEFAULT_LISTEN_ADDRESS,
    )
    .option('--web.config.file <file>', 'TLS and basic auth, in the format of Prometheus\u2019 exporter-toolkit')
    .option(
      '--config <file>',
      'modules (YAML, checks/schema/exporter.schema.json): name -> roles, services, ports, options, waivers',
    )
    .option(
      '--allow-target <pattern>',
      'targets that may be probed: an address, a CIDR range or a name glob (repeatable or comma-separated); others get 403',
      collect,
    )
    .option('--timeout-offset <seconds>', 'end each check this long before Prometheus\u2019 scrape timeout', '0.5')
    .option(
      '--max-concurrent-probes <n>',
      `checks at once; ${QUEUED_PER_SLOT}x as many scrapes may wait, more get 503`,
      '4',
    )
    .option('--checks <dir>', 'also load services/ and roles/ from DIR (repeatable)', collect)
    .option('--hash-password', 'read a password on stdin, print its bcrypt hash for basic_auth_users, and exit');
  addRunOptions(cmd, VANTAGE, {
    sourceName:
      'this exporter\u2019s vantage point, e.g. vlan-20: in each result and, as the source label, on every series',
    site: 'a label of the vantage point (repeatable), e.g. site=branch-12: on every series and in each result',
  })
    .addHelpText(
      'after',
      `
Without --allow-target nothing may be probed. Targets are checked as written: addresses
against the ranges, names against the globs. The check of one probe ends
--timeout-offset before the X-Prometheus-Scrape-Timeout-Seconds header says Prometheus
stops waiting (120 s without the header), and answers with what it found by then.
Metrics and labels: README, "Monitoring with Prometheus". Example Prometheus
configuration, alert rules and a Grafana dashboard: checks/prometheus/.

Examples:
  portolan exporter --allow-target 10.0.0.0/8 --allow-target '*.corp.example'
  curl 'http://127.0.0.1:10088/probe?target=dc1.corp.example&role=domain-controller'
  curl 'http://127.0.0.1:10088/probe?target=dc1.corp.example&port=88/udp&port=88/tcp'
  portolan exporter --config checks/prometheus/exporter.yml --allow-target 10.1.0.0/16 --web.listen-address :10088
  portolan exporter --allow-target 10.1.0.0/16 --source-name vlan-20 --site site=branch-12   (labelled series)
  printf '%s' "$PASSWORD" | portolan exporter --hash-password
`,
    )
    .action(
      flagged(async (flags: ExporterFlags, command: Command) => {
        if (flags.hashPassword) {
          process.stdout.write(`${await hashPassword(await readPassword())}\n`);
          return;
        }
        const vantage = runSettingsFrom(command, flags as unknown as Record<string, unknown>, VANTAGE);
        await serveUntilStopped(flags, vantage);
      }),
    );
}

async function serveUntilStopped(
  flags: ExporterFlags,
  vantage: Pick<PlanOptions, 'sourceName' | 'site'>,
): Promise<void> {
  const listen = parseListenAddress(flags['web.listenAddress'], '--web.listen-address');
  const allow = parseAllowList(flags.allowTarget ?? []);
  const timeoutOffsetMs = seconds(flags.timeoutOffset, '--timeout-offset') * 1000;
  const maxConcurrentProbes = wholeNumber(flags.maxConcurrentProbes, '--max-concurrent-probes');
  const catalogDirs = flags.checks ?? [];
  const catalog = await loadCatalog({ dirs: catalogDirs });
  const modules = flags.config ? await loadModules(flags.config, catalog) : NO_MODULES;
  const web = flags['web.config.file'] ? await loadWebConfig(flags['web.config.file']) : PLAIN_HTTP;
  const responderToken = process.env.PORTOLAN_RESPONDER_TOKEN;
  const needsToken = [...modules.modules.values()].filter((m) => m.options.responder).map((m) => m.name);
  if (needsToken.length > 0 && !responderToken) {
    throw new PortolanError(
      'RESPONDER_TOKEN_MISSING',
      `module ${needsToken.join(', ')} has responder: true; set $PORTOLAN_RESPONDER_TOKEN to the token \`portolan listen\` printed`,
    );
  }
  const exporter = await startExporter({
    listen,
    web,
    modules,
    catalog,
    catalogDirs,
    allow,
    timeoutOffsetMs,
    maxConcurrentProbes,
    maxQueuedProbes: maxConcurrentProbes * QUEUED_PER_SLOT,
    runCheck,
    ...(responderToken ? { responderToken } : {}),
    vantage,
  });
  process.stderr.write(
    `portolan exporter on ${exporter.scheme}://${exporter.address}/probe` +
      ` (modules: ${[...modules.modules.keys()].join(', ') || 'none, query parameters only'};` +
      ` allowed targets: ${allow.patterns.join(', ') || 'none, see --allow-target'})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.removeListener('SIGTERM', stop);
      process.removeListener('SIGINT', stop);
      void exporter.close().then(resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

function seconds(text: string, flag: string): number {
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(value >= 0 && value <= 60)) {
    throw new PortolanError('INVALID_VALUE', `${flag} "${text}": expected seconds from 0 to 60, e.g. 0.5`);
  }
  return value;
}

function wholeNumber(text: string, flag: string): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= 1000)) {
    throw new PortolanError('INVALID_VALUE', `${flag} "${text}": expected a whole number from 1 to 1000`);
  }
  return value;
}

/** The password from stdin, without the final line break a shell's echo adds. */
async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '') throw new PortolanError('INVALID_VALUE', '--hash-password: expected a password on stdin');
  return password;
}
