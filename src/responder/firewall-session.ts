/**
 * The host firewall during one `portolan listen` session on Windows: after the ports are
 * open, read the inbound rules and say which served ports they let in; print the exact
 * PowerShell that opens the rest for the session and closes them again, or (with the flag)
 * run it: add the rules before the clients are told to start, remove them when listen stops.
 * The summary says which rules were in place. PowerShell is injected (tests replay recorded
 * answers).
 */
import type { PowerShellRunner } from '../platform/powershell.js';
import {
  addRulesScript,
  adviceText,
  blockingRules,
  coverage,
  describeCoverage,
  FIREWALL_QUERY,
  type PortCoverage,
  parseFirewallAnswer,
  portsWithoutRule,
  removeRulesScript,
  type ServedPortKey,
  type TemporaryRules,
  temporaryRuleName,
} from './windows-firewall.js';

/** Text for the operator and one JSON event for `--format json`. */
export interface FirewallStep {
  text: string;
  json: Record<string, unknown>;
}

/** What a listen session asks of the host firewall. */
export interface HostFirewall {
  /** Once the ports are open, before clients are told to start. */
  prepare(ports: ServedPortKey[]): Promise<FirewallStep>;
  /** After the responder closed: undo what `prepare` added, and sum up. */
  finish(): Promise<FirewallStep>;
}

export interface WindowsFirewallOptions {
  run: PowerShellRunner;
  /** Add temporary allow rules for the ports no rule admits, and remove them at the end. */
  addRules: boolean;
  rules: TemporaryRules;
  /** The command-line flag that turns `addRules` on, for the advice. */
  flag: string;
}

const keyOf = (p: ServedPortKey) => `${p.port}/${p.transport}`;
const firstLine = (s: string) => s.trim().split(/\r?\n/)[0] ?? '';

export function windowsFirewall(o: WindowsFirewallOptions): HostFirewall {
  let found: PortCoverage[] | null = null;
  let added: ServedPortKey[] = [];
  let readError: string | null = null;

  return {
    async prepare(ports) {
      const answer = await o.run(FIREWALL_QUERY);
      const parsed =
        answer.exitCode === 0
          ? parseFirewallAnswer(answer.stdout)
          : { ok: false as const, reason: firstLine(answer.stderr) || `exit ${answer.exitCode}` };
      if (!parsed.ok) {
        readError = parsed.reason;
        // Unknown rules: advise as if none admitted any port, so the operator still has the commands.
        const unknown = ports.map((port): PortCoverage => ({ port, access: { status: 'no-rule' } }));
        const lines = [`Could not read the Windows Defender Firewall rules: ${parsed.reason}.`];
        lines.push('If clients cannot reach this host, its own firewall may be the reason.');
        lines.push(...adviceText(unknown, o.rules, o.flag));
        return { text: `${lines.join('\n')}\n\n`, json: { event: 'firewall', error: parsed.reason } };
      }
      found = coverage(parsed.state, ports, o.rules.program);
      const lines = describeCoverage(found, parsed.state);
      const missing = portsWithoutRule(found);
      if (o.addRules && missing.length) {
        const outcome = await o.run(
          ['$ErrorActionPreference = "Stop"', ...addRulesScript(missing, o.rules)].join('\n'),
        );
        if (outcome.exitCode === 0) {
          added = missing;
          lines.push(
            '',
            `Added temporary allow rules for ${missing.map(keyOf).join(' ')} (${names(added, o.rules).join(', ')}); listen removes them when it stops.`,
          );
          if (blockingRules(found).length) lines.push(...adviceText(blockedOnly(found), o.rules, o.flag));
        } else {
          lines.push(
            '',
            `Could not add the rules (${firstLine(outcome.stderr) || `exit ${outcome.exitCode}`}): run listen from an elevated prompt, or add them by hand.`,
          );
          lines.push(...adviceText(found, o.rules, o.flag));
        }
      } else {
        lines.push(...adviceText(found, o.rules, o.flag));
      }
      return {
        text: `${lines.join('\n')}\n\n`,
        json: {
          event: 'firewall',
          activeProfiles: parsed.state.active,
          ports: found.map((c) => ({
            port: keyOf(c.port),
            access: c.access.status,
            rules: 'rules' in c.access ? c.access.rules.map((r) => r.name) : [],
          })),
          added: names(added, o.rules),
        },
      };
    },

    async finish() {
      const lines = ['Windows Defender Firewall during this session:'];
      if (readError) lines.push(`  the rules could not be read (${readError}).`);
      for (const c of found ?? []) {
        if (c.access.status === 'allowed') {
          lines.push(
            `  ${keyOf(c.port).padEnd(11)} rules in place: ${c.access.rules.map((r) => r.displayName).join('; ')}`,
          );
        }
      }
      const others = (status: PortCoverage['access']['status']) =>
        (found ?? []).filter((c) => c.access.status === status).map((c) => keyOf(c.port));
      const open = [...others('firewall-off'), ...others('default-allow')];
      if (open.length) lines.push(`  allowed without a rule (firewall off or default Allow): ${open.join(' ')}`);
      if (others('blocked').length) lines.push(`  blocked by a rule: ${others('blocked').join(' ')}`);
      const json: Record<string, unknown> = { event: 'firewall-summary', added: names(added, o.rules) };
      if (added.length) {
        const outcome = await o.run(
          ['$ErrorActionPreference = "Stop"', ...removeRulesScript(added, o.rules)].join('\n'),
        );
        json.removed = outcome.exitCode === 0;
        lines.push(
          outcome.exitCode === 0
            ? `  added for this session and removed again: ${names(added, o.rules).join(', ')} (${added.map(keyOf).join(' ')})`
            : `  added for this session but NOT removed (${firstLine(outcome.stderr) || `exit ${outcome.exitCode}`}); remove them with:\n    ${removeRulesScript(added, o.rules).join('\n    ')}`,
        );
      } else if (others('no-rule').length) {
        lines.push(`  no rule admitted: ${others('no-rule').join(' ')}`);
      }
      return { text: `${lines.join('\n')}\n`, json };
    },
  };
}

/** The session's rule names for the transports of `ports`. */
function names(ports: ServedPortKey[], rules: TemporaryRules): string[] {
  return (['tcp', 'udp'] as const)
    .filter((t) => ports.some((p) => p.transport === t))
    .map((t) => temporaryRuleName(rules, t));
}

/** Only the blocked ports: what is left to advise on once the allow rules were added. */
function blockedOnly(items: PortCoverage[]): PortCoverage[] {
  return items.filter((c) => c.access.status === 'blocked');
}
