/**
 * Remediation for failed rows: a ready-to-paste Windows Firewall rule per row and a neutral
 * "allow SOURCE -> TARGET proto/port" line for any other firewall. These open ports, so every
 * report that shows them says they must be reviewed before use.
 */
import type { RunResult } from '../model.js';
import { powershellQuote } from './escape.js';
import { allRows, portLabel, type ReportRow, requirementRank, type TargetGroup } from './rows.js';

export interface RemediationItem {
  target: string;
  /** Addresses the target was probed on (where the rule must let traffic in). */
  targetAddresses: string[];
  service: string;
  serviceName: string;
  requirement: string;
  /** "389/tcp". */
  port: string;
  /** Why it failed, in one word: filtered (blocked on the path) or closed (refused at the host). */
  observed: string;
  /** `allow 192.0.2.10 -> dc1.corp.example tcp/389` */
  neutral: string;
  /** `New-NetFirewallRule ...` to run on the target, or null where Windows Firewall has no rule for it. */
  powershell: string | null;
}

export const REVIEW_WARNING =
  'These rules OPEN ports. Review every line against your security policy before applying it; ' +
  'apply them on the target server (or translate the neutral lines for the firewall in the path).';

/** Placeholder shown when the result does not know the source addresses. */
export const UNKNOWN_SOURCE = '<source address>';

function protocolArgs(row: ReportRow): string | null {
  const e = row.expectation;
  if (!e) return null;
  if (e.protocol === 'icmp') return '-Protocol ICMPv4 -IcmpType 8';
  if (e.protocol === 'ip') return e.ipProtocol === null ? null : `-Protocol ${e.ipProtocol}`;
  const port = e.port ?? e.range;
  if (port === null || !/^\d+(-\d+)?$/.test(String(port))) return null;
  return `-Protocol ${e.protocol.toUpperCase()} -LocalPort ${port}`;
}

function neutralProto(row: ReportRow): string {
  const e = row.expectation;
  if (!e) return '?';
  if (e.protocol === 'icmp') return 'icmp echo';
  if (e.protocol === 'ip') return `ip proto ${e.ipProtocol ?? '?'}`;
  return `${e.protocol}/${e.port ?? e.range ?? '?'}`;
}

/** Every failed row, required before optional, target by target. */
export function remediationItems(result: RunResult, groups: TargetGroup[]): RemediationItem[] {
  const sources = result.run.source.addresses;
  const sourceText = sources.length > 0 ? sources.join(', ') : UNKNOWN_SOURCE;
  const remote = sources.length > 0 ? sources.map(powershellQuote).join(',') : powershellQuote(UNKNOWN_SOURCE);
  const failed = allRows(groups).filter(({ row }) => row.verdict.status === 'fail');
  const targetIndex = new Map(groups.map((g, i) => [g, i]));
  failed.sort(
    (a, b) =>
      (targetIndex.get(a.target) ?? 0) - (targetIndex.get(b.target) ?? 0) ||
      requirementRank(a.row) - requirementRank(b.row),
  );
  return failed.map(({ target, service, row }) => {
    const port = portLabel(row.expectation);
    const args = protocolArgs(row);
    const name = powershellQuote(`portolan: ${service.service} ${port}`);
    return {
      target: target.target,
      targetAddresses: target.info?.addresses ?? [],
      service: service.service,
      serviceName: service.serviceName,
      requirement: row.expectation?.requirement ?? 'required',
      port,
      observed: row.primary?.state ?? 'not probed',
      neutral: `allow ${sourceText} -> ${target.target} ${neutralProto(row)}`,
      powershell: args
        ? `New-NetFirewallRule -DisplayName ${name} -Direction Inbound ${args} -RemoteAddress ${remote} -Action Allow`
        : null,
    };
  });
}
