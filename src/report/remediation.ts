/**
 * Remediation from root causes: one allow rule per (target, protocol, port) that a required
 * row needs (named conditions the user turned on make rows required), grouped per target as
 * one script whose header says what it opens and why. A Windows Firewall script
 * (`New-NetFirewallRule`) and an nftables script for a Linux host or firewall on the path. Only
 * real source addresses (never link-local or loopback; of the target's address family) go in
 * the rules. Ports a plan requires blocked, optional rows and notices get no rule: these
 * scripts OPEN ports, so every report that shows them says they must be reviewed.
 */
import { isIP } from 'node:net';
import type { Expectation, RunResult } from '../model.js';
import { powershellQuote } from './escape.js';
import { expectationIndex, type Finding, readFindings } from './findings.js';

/** One port to open on one target. */
export interface RemediationRule {
  protocol: 'tcp' | 'udp' | 'icmp' | 'ip';
  /** "445", "49152-65535"; null for icmp and ip. */
  ports: string | null;
  ipProtocol: number | null;
  /** "445/tcp SMB". */
  label: string;
  /** Required services that need it. */
  services: string[];
  /** What came back: filtered (blocked on the path) or closed (refused at the host). */
  observed: string;
}

export interface RemediationScript {
  target: string;
  targetAddresses: string[];
  /** Source addresses the rules allow; empty when the result knows none (a placeholder is used). */
  sources: string[];
  rules: RemediationRule[];
  /** Nothing on the target answered: check the host before opening anything. */
  silentHost: boolean;
  /** Comment lines: what the script opens and why (without comment markers). */
  header: string[];
  powershell: string;
  nftables: string;
}

export const REVIEW_WARNING =
  'These rules OPEN ports. Review every line against your security policy before applying it; ' +
  'apply them on the target server (or translate them for the firewall in the path).';

/** Placeholder shown when the result knows no usable source address. */
export const UNKNOWN_SOURCE = '<source address>';

/** Per target, the rules its outages call for, in the order the report lists targets. */
export function remediationScripts(result: RunResult, findings = readFindings(result)): RemediationScript[] {
  const byKey = expectationIndex(result);
  const perTarget = new Map<string, { rules: Map<string, RemediationRule>; silent: boolean }>();
  for (const f of findings.outages) {
    // Close an exposed port, do not open it; and no rule helps where no host is at the address.
    if (f.cause.exposed || f.cause.host === 'unreachable') continue;
    const entry = perTarget.get(f.cause.target) ?? { rules: new Map(), silent: false };
    perTarget.set(f.cause.target, entry);
    if (f.cause.host === 'no-answer') entry.silent = true;
    for (const rule of rulesOf(f, byKey)) {
      const key = `${rule.protocol}/${rule.ports ?? rule.ipProtocol ?? ''}`;
      const prior = entry.rules.get(key);
      if (prior) prior.services = [...new Set([...prior.services, ...rule.services])];
      else entry.rules.set(key, rule);
    }
  }
  return result.targets
    .filter((t) => (perTarget.get(t.name)?.rules.size ?? 0) > 0)
    .map((t) => {
      const entry = perTarget.get(t.name) as { rules: Map<string, RemediationRule>; silent: boolean };
      const rules = [...entry.rules.values()];
      const sources = sourceAddresses(result, t.addresses);
      return script(t.name, t.addresses, sources, rules, entry.silent);
    });
}

/** The required rows a finding breaks, as rules (a host that answered nothing: every such row's port). */
function rulesOf(f: Finding, byKey: Map<string, Expectation>): RemediationRule[] {
  const required = f.cause.affects.filter((a) => a.requirement === 'required' && a.status === 'fail' && !a.absent);
  const rules: RemediationRule[] = [];
  for (const a of required) {
    const e = byKey.get(a.expectation);
    if (!e) continue;
    rules.push({
      protocol: e.protocol,
      ports: e.protocol === 'tcp' || e.protocol === 'udp' ? String(e.port ?? e.range) : null,
      ipProtocol: e.protocol === 'ip' ? e.ipProtocol : null,
      label: ruleLabel(e),
      services: [a.serviceName],
      observed: f.cause.host === 'no-answer' ? 'no answer' : (f.cause.state ?? 'not probed'),
    });
  }
  return rules;
}

function ruleLabel(e: Expectation): string {
  if (e.protocol === 'icmp') return 'ICMP echo';
  if (e.protocol === 'ip') return `IP protocol ${e.ipProtocol} (${e.application})`;
  return `${e.port ?? e.range}/${e.protocol} ${e.application}`;
}

/** Link-local (fe80::/10, 169.254/16) and loopback addresses never reach another host: no rule names them. */
export function isUsableSource(address: string): boolean {
  const a = address.toLowerCase();
  if (isIP(a) === 4) return !a.startsWith('169.254.') && !a.startsWith('127.');
  if (isIP(a) === 6) return !/^fe[89ab]/.test(a) && a !== '::1';
  return false;
}

/** The run's usable source addresses, of the families the target was probed on. */
function sourceAddresses(result: RunResult, targetAddresses: string[]): string[] {
  const usable = result.run.source.addresses.filter(isUsableSource);
  const families = new Set(targetAddresses.map((a) => isIP(a)).filter((f) => f !== 0));
  const matching = families.size ? usable.filter((a) => families.has(isIP(a))) : usable;
  return matching.length ? matching : usable;
}

function script(
  target: string,
  targetAddresses: string[],
  sources: string[],
  rules: RemediationRule[],
  silentHost: boolean,
): RemediationScript {
  const from = sources.length ? sources.join(', ') : UNKNOWN_SOURCE;
  const width = Math.max(...rules.map((r) => r.label.length));
  const header = [
    `portolan remediation for ${target}${targetAddresses.length ? ` (${targetAddresses.join(', ')})` : ''}:`,
    `opens ${rules.length} port${rules.length === 1 ? '' : 's'} that required rows need, to ${from} only.`,
    ...rules.map((r) => `  ${r.label.padEnd(width)}  for ${r.services.join(', ')}`),
    ...(silentHost
      ? ['Nothing on this host answered: check that it is up and that its name points at it before opening anything.']
      : []),
    ...(rules.some((r) => r.observed === 'closed')
      ? [
          'A closed port was refused by the host: nothing listens there. Start the service first; a rule helps only if a host firewall resets.',
        ]
      : []),
    'Review every line against your security policy before running it.',
  ];
  return {
    target,
    targetAddresses,
    sources,
    rules,
    silentHost,
    header,
    powershell: powershellScript(header, rules, sources),
    nftables: nftablesScript(target, header, rules, sources),
  };
}

function powershellScript(header: string[], rules: RemediationRule[], sources: string[]): string {
  const remote = (sources.length ? sources : [UNKNOWN_SOURCE]).map(powershellQuote).join(',');
  const lines = rules.map((r) => {
    const name = powershellQuote(`portolan: ${r.label}`);
    const what =
      r.protocol === 'icmp'
        ? '-Protocol ICMPv4 -IcmpType 8'
        : r.protocol === 'ip'
          ? `-Protocol ${r.ipProtocol}`
          : `-Protocol ${r.protocol.toUpperCase()} -LocalPort ${r.ports}`;
    return `New-NetFirewallRule -DisplayName ${name} -Direction Inbound ${what} -RemoteAddress ${remote} -Action Allow`;
  });
  return [...header.map((h) => `# ${h}`), '# Run in an elevated PowerShell on the target.', ...lines, ''].join('\n');
}

function nftablesScript(target: string, header: string[], rules: RemediationRule[], sources: string[]): string {
  const list = sources.length ? sources : [UNKNOWN_SOURCE];
  const lines: string[] = [];
  for (const source of list) {
    const family = isIP(source) === 6 ? 'ip6' : 'ip';
    for (const r of rules) {
      const match =
        r.protocol === 'icmp'
          ? family === 'ip6'
            ? 'icmpv6 type echo-request'
            : 'icmp type echo-request'
          : r.protocol === 'ip'
            ? `meta l4proto ${r.ipProtocol}`
            : `${r.protocol} dport ${r.ports}`;
      lines.push(`nft add rule inet filter input ${family} saddr ${source} ${match} accept`);
    }
  }
  return [
    ...header.map((h) => `# ${h}`),
    `# For a Linux host (e.g. Samba on ${target}) or a Linux firewall on the path; assumes the usual`,
    '# "inet filter" table and "input" chain (use "forward" on a router): adjust the names to yours.',
    ...lines,
    '',
  ].join('\n');
}
