/**
 * What `--dry-run` prints: the targets (this shard's), the checks with their port counts, the
 * vantage point and the options a run would use, in a few plain lines on stdout. The caller
 * validated everything first (src/check/dry-run.ts); nothing was sent, resolved or written.
 */
import { hostname } from 'node:os';
import { namesList } from '../analyze/describe.js';
import type { DryRunCheck } from '../check/dry-run.js';
import { parseHistoryLocation } from '../history/location.js';
import type { DryRunJob } from '../plan/dry-run.js';
import type { Plan } from '../plan/types.js';
import { terminalText } from '../printable.js';
import { siteLabels } from '../run-options.js';

/** Target names shown before "and N more". */
const NAMES_SHOWN = 20;

export const DRY_RUN_HEADING = 'Dry run: nothing was sent, looked up or written.';

/** The lines of one check (a `check`, or one job of a plan), each indented by `indent`. */
export function dryRunLines(d: DryRunCheck, indent = ''): string[] {
  const s = d.settings;
  const shard = s.shard ? ` (shard ${s.shard.index}/${s.shard.count} of ${d.named} named)` : '';
  const names = d.targets.map((t) => t.name);
  const shown =
    names.slice(0, NAMES_SHOWN).join(', ') +
    (names.length > NAMES_SHOWN ? ` and ${names.length - NAMES_SHOWN} more` : '');
  const lines = [`Targets: ${names.length}${shard}${names.length ? `: ${shown}` : ''}`];
  if (d.domain) {
    const server = d.domain.dnsServer ? ` asked of ${d.domain.dnsServer}` : '';
    lines.push(
      `  and the domain controllers of ${d.domain.name} (SRV records${server}, looked up when the run starts${s.shard ? ', then sharded' : ''})`,
    );
  }
  const scope = [
    ...d.scope.roles.map((r) => `role ${r}`),
    ...d.scope.services.map((x) => `service ${x}`),
    ...d.scope.ports.map((p) => `port ${p}`),
  ];
  const p = d.ports;
  const perTarget = [
    p.tcp ? `${p.tcp} TCP port${p.tcp === 1 ? '' : 's'}` : '',
    p.udp ? `${p.udp} UDP port${p.udp === 1 ? '' : 's'}` : '',
    p.icmp ? 'ICMP echo' : '',
    p.ip ? `${p.ip} IP protocol${p.ip === 1 ? '' : 's'} (not probed)` : '',
    p.ranges.length
      ? `ranges ${p.ranges.join(', ')} (${s.rpcMode}, ${s.rpcMode === 'sweep' ? 'every port' : `sample ${s.rpcSample}`})`
      : '',
  ].filter(Boolean);
  lines.push(`Checks: ${namesList(scope, 6)}: ${d.rows} port rows; per target ${perTarget.join(', ')}`);
  const labels = Object.entries(siteLabels(s.site)).map(([k, v]) => `${k}=${v}`);
  lines.push(
    `Source: ${s.sourceName ?? `${hostname()} (the host name)`}${labels.length ? ` [${labels.join(', ')}]` : ''}` +
      `${s.source ? `, probes from ${s.source}` : ''}`,
  );
  lines.push(
    `Options: expect ${s.expect}, timeout ${s.timeoutMs} ms, ${s.retries} UDP retries, ` +
      `${s.concurrency} probes at once (${s.perHost} per address)${s.with.length ? `, with ${s.with.join(',')}` : ''}` +
      `${s.appProbes ? '' : ', no protocol conversations'}${s.responder ? ', responder' : ''}`,
  );
  return lines.map((line) => terminalText(`${indent}${line}`));
}

/** What `run --dry-run` (and `agent --dry-run`) prints: the plan's jobs, its reports and its history. */
export function planDryRunText(
  plan: Plan,
  jobs: DryRunJob[],
  where: { outputDir: string; history: string | null },
): string {
  const lines = [DRY_RUN_HEADING, `Plan ${plan.name} (${plan.file}): ${plan.groups.length} group(s)`];
  for (const job of jobs) {
    lines.push(terminalText(`Group ${job.group.name}${job.blocked ? ', ports that must be blocked' : ''}:`));
    lines.push(...dryRunLines(job.check, '  '));
  }
  const formats = plan.outputs.formats;
  lines.push(
    terminalText(
      formats.length
        ? `Reports: ${formats.join(', ')} into ${where.outputDir} (not written in a dry run)`
        : 'Reports: none',
    ),
    terminalText(
      where.history
        ? `History: ${parseHistoryLocation(where.history).display} (not opened in a dry run)`
        : 'History: none (--no-history)',
    ),
  );
  return `${lines.join('\n')}\n`;
}
