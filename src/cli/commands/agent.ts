/**
 * `portolan agent PLAN.yaml --every 15m`: the plan on a schedule, for a host that lives
 * in the network segment the checks must run from. SIGTERM or Ctrl-C finishes the
 * current run, records it, and exits 0.
 */
import { type Command, Option } from 'commander';
import { runAgent } from '../../agent/agent.js';
import type { LogFormat } from '../../agent/log.js';
import { loadCatalog } from '../../catalog/load.js';
import { runCheck } from '../../check/run-check.js';
import { formatDuration, parseDuration } from '../../duration.js';
import { PortolanError } from '../../errors.js';
import { parseListenAddress } from '../../exporter/http-server.js';
import { serveLatestResult } from '../../exporter/latest-result.js';
import { vantageLabels } from '../../exporter/probe-metrics.js';
import { loadWebConfig, PLAIN_HTTP } from '../../exporter/web-config.js';
import { historyFrom } from '../../history/location.js';
import { dryRunPlan } from '../../plan/dry-run.js';
import { loadPlan } from '../../plan/load.js';
import { withOverrides } from '../../plan/overrides.js';
import type { RunOptionKey } from '../../run-options.js';
import { planDryRunText } from '../dry-run.js';
import { historyOptions } from '../history-flags.js';
import { addRunOptions, runSettingsFrom } from '../run-option-flags.js';

/** Run options the command line sets over the plan's (plan/overrides.ts). */
const AGENT_OVERRIDES = ['sourceName', 'site'] as const satisfies readonly RunOptionKey[];

interface AgentFlags {
  dryRun?: boolean;
  every: string;
  jitter: string;
  webhook?: string;
  logFormat: LogFormat;
  history?: string | boolean;
  includeIncomplete?: boolean;
  outputDir?: string;
  maxRuns?: string;
  metricsListen?: string;
  'web.config.file'?: string;
}

export function registerAgent(program: Command): void {
  const cmd = program
    .command('agent')
    .description('run a plan on a schedule: history, current reports, a webhook when the verdict changes')
    .argument('<plan>', 'plan file (YAML); re-read before every run')
    .requiredOption('--every <duration>', 'interval between runs, e.g. 15m, 1h or 720h (1s to 366d)')
    .option('--jitter <fraction>', 'vary each interval by up to this fraction of it', '0.1')
    .option('--webhook <url>', 'POST a JSON summary here when the verdict changes')
    .addOption(new Option('--log-format <format>', 'one line per run').choices(['text', 'json']).default('text'))
    .option('--output-dir <dir>', "write the plan's reports here instead of its outputs.directory")
    .option('--max-runs <n>', 'stop after N runs (default: until SIGTERM)')
    .option(
      '--metrics-listen <address>',
      'serve the latest run as Prometheus metrics on http://ADDRESS/metrics (e.g. 127.0.0.1:10089); scrapes never probe',
    )
    .option('--web.config.file <file>', 'TLS and basic auth for --metrics-listen (Prometheus exporter-toolkit format)')
    .option('--dry-run', 'check the flags and the plan and print what the first run would probe; send nothing');
  addRunOptions(cmd, AGENT_OVERRIDES, {
    sourceName:
      "the vantage point's name (default: the plan's sourceName, else the host name); the source label of --metrics-listen",
    site: "a label of the vantage point (repeatable), e.g. vlan=20; replaces the plan's; on every --metrics-listen series",
  });
  historyOptions(cmd).addHelpText(
    'after',
    `
Example:
  portolan agent checks/plans/nightly-staging.yaml --every 15m --webhook https://hooks.example/portolan --log-format json
  portolan agent checks/plans/nightly-staging.yaml --every 5m --metrics-listen 127.0.0.1:10089
  portolan agent fleet.yaml --every 15m --source-name vlan-20 --site site=branch-12 --history postgres://portolan@db.corp.example/portolan
  portolan agent fleet.yaml --every 15m --dry-run       (check it all, probe nothing)
`,
  );
  cmd.action(async (planPath: string, flags: AgentFlags, command: Command) => {
    // Below a second the agent would only spin; past 24.8 days Node's timers need steps (sleep() takes them).
    const everyMs = parseDuration(flags.every, '--every', { minMs: 1000 });
    const jitter = Number(flags.jitter);
    if (!(jitter >= 0 && jitter < 1))
      throw new PortolanError('INVALID_VALUE', `--jitter "${flags.jitter}": expected 0 to 0.99`);
    const maxRuns = flags.maxRuns === undefined ? undefined : Number(flags.maxRuns);
    if (maxRuns !== undefined && !(Number.isInteger(maxRuns) && maxRuns > 0)) {
      throw new PortolanError('INVALID_VALUE', `--max-runs "${flags.maxRuns}": expected a positive whole number`);
    }
    if (flags.webhook && !/^https?:\/\//.test(flags.webhook)) {
      throw new PortolanError('INVALID_VALUE', `--webhook "${flags.webhook}": expected an http:// or https:// URL`);
    }
    if (flags['web.config.file'] && !flags.metricsListen) {
      throw new PortolanError('MISSING_OPTION', '--web.config.file goes with --metrics-listen');
    }
    const overrides = runSettingsFrom(command, flags as unknown as Record<string, unknown>, AGENT_OVERRIDES);
    if (flags.dryRun) {
      if (flags.metricsListen) parseListenAddress(flags.metricsListen, '--metrics-listen');
      const plan = withOverrides(await loadPlan(planPath, { catalog: await loadCatalog() }), overrides);
      const jobs = await dryRunPlan(plan, {
        commandLine: ['portolan', ...process.argv.slice(2)],
        ...(process.env.PORTOLAN_RESPONDER_TOKEN ? { responderToken: process.env.PORTOLAN_RESPONDER_TOKEN } : {}),
      });
      const where = { outputDir: flags.outputDir ?? plan.outputs.directory, history: historyFrom(flags.history) };
      process.stdout.write(planDryRunText(plan, jobs, where));
      process.stdout.write(
        `Every ${formatDuration(everyMs)}, each wait varied by up to ${Math.round(jitter * 100)}%\n`,
      );
      return;
    }
    const metrics = flags.metricsListen
      ? await serveLatestResult(
          parseListenAddress(flags.metricsListen, '--metrics-listen'),
          flags['web.config.file'] ? await loadWebConfig(flags['web.config.file']) : PLAIN_HTTP,
        )
      : null;
    if (metrics) process.stderr.write(`portolan agent: metrics on ${metrics.scheme}://${metrics.address}/metrics\n`);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
      await runAgent({
        planPath,
        everyMs,
        jitter,
        webhook: flags.webhook ?? null,
        logFormat: flags.logFormat,
        historyPath: historyFrom(flags.history),
        includeIncomplete: !!flags.includeIncomplete,
        ...(flags.outputDir ? { outputDir: flags.outputDir } : {}),
        ...(maxRuns ? { maxRuns } : {}),
        runCheck,
        stop: stop.signal,
        log: (line) => process.stdout.write(`${line}\n`),
        commandLine: ['portolan', ...process.argv.slice(2)],
        overrides,
        ...(metrics ? { onResult: (result, plan) => metrics.update(result, vantageLabels(plan.options)) } : {}),
      });
    } finally {
      await metrics?.close();
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
    }
  });
}
