/**
 * `portolan run PLAN.yaml`: run a plan file (checks as code), write its reports, record
 * the run in the history database and print what changed since the plan's last run.
 */
import { type Command, Option } from 'commander';
import { loadCatalog } from '../../catalog/load.js';
import { runCheck } from '../../check/run-check.js';
import { parseDuration } from '../../duration.js';
import { PortolanError } from '../../errors.js';
import { describeDiff } from '../../history/describe-diff.js';
import { historyFrom } from '../../history/location.js';
import { dryRunPlan } from '../../plan/dry-run.js';
import { executePlan } from '../../plan/execute.js';
import { loadPlan } from '../../plan/load.js';
import { withOverrides } from '../../plan/overrides.js';
import { pathProblem } from '../../platform/file-names.js';
import { terminalText } from '../../printable.js';
import { renderers } from '../../report/index.js';
import type { FailOn, RunOptionKey } from '../../run-options.js';
import { planDryRunText } from '../dry-run.js';
import { historyOptions } from '../history-flags.js';
import { keepJson, notDelivered, verdictLine } from '../output.js';
import { progressEnabled, startProgress } from '../progress.js';
import { addRunOptions, runSettingsFrom } from '../run-option-flags.js';

/** Run options the command line sets over the plan's (plan/overrides.ts). */
export const PLAN_OVERRIDES = ['sourceName', 'site', 'shard'] as const satisfies readonly RunOptionKey[];

interface RunFlags {
  dryRun?: boolean;
  history?: string | boolean;
  includeIncomplete?: boolean;
  waitUntilPass?: string;
  failOn?: FailOn[];
  outputDir?: string;
  checks?: string[];
  print: 'table' | 'md' | 'none';
  quiet?: boolean;
}

const collect = (value: string, prev: string[] = []) => [...prev, value];

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('run a plan file: target groups, the roles they must serve or block, waivers, outputs')
    .argument('<plan>', 'plan file (YAML, checks/schema/plan.schema.json)')
    .option(
      '--wait-until-pass <duration>',
      're-run failing targets with backoff until they pass or DURATION ends (e.g. 10m)',
    )
    .option('--output-dir <dir>', "write the plan's report formats here instead of its outputs.directory")
    .option('--checks <dir>', 'also load services/ and roles/ from DIR (repeatable)', collect)
    .addOption(
      new Option('--print <format>', 'what to print on stdout').choices(['table', 'md', 'none']).default('table'),
    )
    .option('-q, --quiet', 'no progress on stderr')
    .option(
      '--dry-run',
      'check the plan, its catalog ids and target names and print what would be probed; send nothing',
    );
  addRunOptions(cmd, ['failOn', ...PLAN_OVERRIDES], {
    failOn: "also exit 1 on: inconclusive, waived-expiring (comma-separated; adds to the plan's failOn)",
    sourceName: "the vantage point's name (default: the plan's sourceName, else the host name)",
    site: "a label of the vantage point (repeatable), e.g. vlan=20; replaces the plan's site labels",
  });
  historyOptions(cmd).addHelpText(
    'after',
    `
Exit codes: 0 compliant, 1 non-compliant (or an expired waiver), 2 usage or plan error (a
report folder that cannot be written is one, found before probing), 3 inconclusive only
(1 with --fail-on inconclusive), 70 internal failure: a report could not be rendered or
written after probing (the others were written and the run recorded; stderr says which).

Examples:
  portolan run checks/plans/nightly-staging.yaml
  STAGING_DC=dc1.staging.example portolan run checks/plans/nightly-staging.yaml --print md
  portolan run checks/plans/new-dc-predeployment.yaml --wait-until-pass 15m
  portolan run fleet.yaml --source-name vlan-20 --site site=branch-12 --history postgres://portolan@db.corp.example/portolan
  portolan run fleet.yaml --shard 2/4 --source-name core    (worker 2 of 4; \`portolan matrix\` joins the shards)
  portolan run checks/plans/nightly-staging.yaml --dry-run   (what would be probed; nothing is sent)
`,
  );
  cmd.action(async (planPath: string, flags: RunFlags, command: Command) => {
    const waitUntilPassMs = flags.waitUntilPass ? parseDuration(flags.waitUntilPass, '--wait-until-pass') : 0;
    const catalog = await loadCatalog({ dirs: flags.checks ?? [] });
    const loaded = await loadPlan(planPath, { catalog });
    const overrides = runSettingsFrom(command, flags as unknown as Record<string, unknown>, PLAN_OVERRIDES);
    const plan = withOverrides(
      { ...loaded, failOn: [...new Set([...loaded.failOn, ...(flags.failOn ?? [])])] },
      overrides,
    );
    if (flags.dryRun) {
      const problem = flags.outputDir === undefined ? null : pathProblem(flags.outputDir, process.platform);
      if (problem) throw new PortolanError('INVALID_VALUE', `--output-dir "${flags.outputDir}": ${problem}`);
      const jobs = await dryRunPlan(plan, {
        commandLine: ['portolan', ...process.argv.slice(2)],
        ...(flags.checks ? { catalogDirs: flags.checks } : {}),
        ...(process.env.PORTOLAN_RESPONDER_TOKEN ? { responderToken: process.env.PORTOLAN_RESPONDER_TOKEN } : {}),
      });
      const where = { outputDir: flags.outputDir ?? plan.outputs.directory, history: historyFrom(flags.history) };
      process.stdout.write(planDryRunText(plan, jobs, where));
      return;
    }
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    const progress = startProgress({ quiet: Boolean(flags.quiet) });
    try {
      const done = await executePlan(plan, runCheck, {
        commandLine: ['portolan', ...process.argv.slice(2)],
        historyPath: historyFrom(flags.history),
        includeIncomplete: !!flags.includeIncomplete,
        waitUntilPassMs,
        ...(process.env.PORTOLAN_RESPONDER_TOKEN ? { responderToken: process.env.PORTOLAN_RESPONDER_TOKEN } : {}),
        signal: controller.signal,
        onProgress: progress.update,
        ...(flags.checks ? { catalogDirs: flags.checks } : {}),
        ...(flags.outputDir ? { outputDir: flags.outputDir } : {}),
      });
      progress.stop(`${done.result.summary.status}: ${done.result.summary.headline}`);
      process.exitCode = done.result.summary.exitCode;
      const failed = [...done.failedReports];
      if (flags.print !== 'none') {
        try {
          process.stdout.write(`${renderers[flags.print](done.result, { color: false })}\n`);
        } catch (err) {
          failed.push({ format: flags.print, path: 'stdout', error: err as Error });
        }
      }
      // Off a TTY with nothing printed, the log would say only "wrote ...": say the verdict.
      if (flags.print === 'none' && !progressEnabled(Boolean(flags.quiet)))
        process.stderr.write(`${verdictLine(done.result)}\n`);
      for (const file of done.written) process.stderr.write(`wrote ${terminalText(file)}\n`);
      const recorded = done.recorded;
      if (recorded?.error) process.stderr.write(`portolan: warning: run not recorded: ${recorded.error.message}\n`);
      if (recorded?.diff && recorded.previous) {
        process.stderr.write(`since run ${recorded.previous.id} (${recorded.previous.startedAt}):\n`);
        process.stderr.write(`${describeDiff(recorded.diff)}\n`);
      }
      if (failed.length > 0) {
        const inHistory = recorded !== null && !recorded.error;
        const hasJson = done.written.some((file) => file.endsWith('.json'));
        const kept = inHistory || hasJson ? null : keepJson(done.result, [flags.outputDir ?? plan.outputs.directory]);
        throw notDelivered(failed, done.written, kept, inHistory ? `the run is recorded in ${flags.history}` : null);
      }
    } catch (err) {
      progress.stop(null);
      throw err;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  });
}
