/**
 * `portolan agent PLAN.yaml --every 15m`: the plan on a schedule, for a host that lives
 * in the network segment the checks must run from. SIGTERM or Ctrl-C finishes the
 * current run, records it, and exits 0.
 */
import { type Command, Option } from 'commander';
import { runAgent } from '../../agent/agent.js';
import type { LogFormat } from '../../agent/log.js';
import { runCheck } from '../../check/run-check.js';
import { parseDuration } from '../../duration.js';
import { PortolanError } from '../../errors.js';
import { parseListenAddress } from '../../exporter/http-server.js';
import { serveLatestResult } from '../../exporter/latest-result.js';
import { loadWebConfig, PLAIN_HTTP } from '../../exporter/web-config.js';
import { historyFrom } from '../../history/location.js';
import { historyOptions } from '../history-flags.js';

interface AgentFlags {
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
    .option('--web.config.file <file>', 'TLS and basic auth for --metrics-listen (Prometheus exporter-toolkit format)');
  historyOptions(cmd).addHelpText(
    'after',
    `
Example:
  portolan agent checks/plans/nightly-staging.yaml --every 15m --webhook https://hooks.example/portolan --log-format json
  portolan agent checks/plans/nightly-staging.yaml --every 5m --metrics-listen 127.0.0.1:10089
`,
  );
  cmd.action(async (planPath: string, flags: AgentFlags) => {
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
        ...(metrics ? { onResult: (result) => metrics.update(result) } : {}),
      });
    } finally {
      await metrics?.close();
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
    }
  });
}
