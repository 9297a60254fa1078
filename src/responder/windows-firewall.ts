/**
 * Windows Defender Firewall and `portolan listen`: does the host's own firewall let clients
 * reach the ports the responder serves? Windows opens a role's ports when the role is
 * installed; before that, inbound connections to a new server are dropped by the server
 * itself, and clients would blame the network. Pure: the PowerShell to run is text, its JSON
 * answer is parsed here, and the running is injected (firewall-session.ts).
 *
 * What counts (the effective policy, `-PolicyStore ActiveStore`, so Group Policy rules too):
 * - an enabled inbound Block rule that matches wins over any Allow rule;
 * - an Allow rule matches when its protocol and local ports cover the port, its program is
 *   Any or this Node executable, its service is Any, and it applies to an active profile;
 * - a profile whose firewall is off, or whose default inbound action is Allow, lets it in.
 * Remote-address restrictions are reported, not judged (the clients' addresses are unknown).
 * Caveats: interface-type and local-address filters, IPsec rules and third-party firewalls
 * are not read.
 */

/** One port the responder serves. */
export interface ServedPortKey {
  transport: 'tcp' | 'udp';
  port: number;
}

export type FirewallProfile = 'Domain' | 'Private' | 'Public';
const PROFILES: FirewallProfile[] = ['Domain', 'Private', 'Public'];

export interface FirewallRule {
  name: string;
  displayName: string;
  action: 'Allow' | 'Block';
  /** Profiles the rule applies to. */
  profiles: FirewallProfile[];
  /** `TCP`, `UDP`, `Any`, or another protocol name or number. */
  protocol: string;
  /** `Any`, ports, ranges (`49152-65535`) or keywords (`RPC`, `RPC-EPMap` ...). */
  localPorts: string[];
  /** `Any` or a full path (environment variables expanded by the query). */
  program: string;
  /** `Any` or a Windows service name. */
  service: string;
  /** `Any`, `LocalSubnet`, addresses or ranges. */
  remoteAddresses: string[];
}

export interface FirewallState {
  profiles: { name: FirewallProfile; enabled: boolean; defaultInboundAllow: boolean }[];
  /** Profiles of the connected networks (`Get-NetConnectionProfile`); all three when none is known. */
  active: FirewallProfile[];
  rules: FirewallRule[];
}

export type PortAccess =
  | { status: 'allowed'; rules: FirewallRule[] }
  | { status: 'firewall-off' | 'default-allow' }
  | { status: 'blocked'; rules: FirewallRule[] }
  | { status: 'no-rule' };

export interface PortCoverage {
  port: ServedPortKey;
  access: PortAccess;
}

/** The session's own rules: names that say who made them, one per transport. */
export interface TemporaryRules {
  /** Unique per session, so removing them never touches another session's rules. */
  sessionId: string;
  /** Full path of the program the rules admit (this Node executable). */
  program: string;
}

export const RULE_GROUP = 'portolan listen';

/**
 * The PowerShell that reads the effective inbound policy as JSON. Filters are read once with
 * `-All` and joined on InstanceID, which is much faster than one `Get-NetFirewall*Filter`
 * per rule on a server with hundreds of rules. Enums are cast to strings, since Windows
 * PowerShell 5.1's ConvertTo-Json writes them as numbers.
 */
export const FIREWALL_QUERY = `$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [Text.Encoding]::UTF8
$store = 'ActiveStore'
$ports = @{}; foreach ($f in Get-NetFirewallPortFilter -All -PolicyStore $store) { $ports[$f.InstanceID] = $f }
$apps = @{}; foreach ($f in Get-NetFirewallApplicationFilter -All -PolicyStore $store) { $apps[$f.InstanceID] = $f }
$services = @{}; foreach ($f in Get-NetFirewallServiceFilter -All -PolicyStore $store) { $services[$f.InstanceID] = $f }
$addresses = @{}; foreach ($f in Get-NetFirewallAddressFilter -All -PolicyStore $store) { $addresses[$f.InstanceID] = $f }
$rules = foreach ($r in Get-NetFirewallRule -Direction Inbound -Enabled True -PolicyStore $store) {
  $id = $r.InstanceID
  [pscustomobject]@{
    Name = [string]$r.Name; DisplayName = [string]$r.DisplayName
    Action = [string]$r.Action; Profile = [string]$r.Profile
    Protocol = [string]$ports[$id].Protocol; LocalPort = @($ports[$id].LocalPort | ForEach-Object { [string]$_ })
    Program = [Environment]::ExpandEnvironmentVariables([string]$apps[$id].Program)
    Service = [string]$services[$id].Service
    RemoteAddress = @($addresses[$id].RemoteAddress | ForEach-Object { [string]$_ })
  }
}
$profiles = foreach ($p in Get-NetFirewallProfile -PolicyStore $store) {
  [pscustomobject]@{ Name = [string]$p.Name; Enabled = [string]$p.Enabled; DefaultInboundAction = [string]$p.DefaultInboundAction }
}
$active = @(Get-NetConnectionProfile -ErrorAction SilentlyContinue | ForEach-Object { [string]$_.NetworkCategory })
[pscustomobject]@{ Profiles = @($profiles); ActiveCategories = $active; Rules = @($rules) } | ConvertTo-Json -Depth 4`;

/** At most this many rules are read: more than any real policy, fewer than a hostile answer. */
const MAX_RULES = 20_000;

/** Parses the query's JSON; a clear reason instead of a throw for anything else. */
export function parseFirewallAnswer(text: string): { ok: true; state: FirewallState } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { ok: false, reason: `the firewall query did not answer JSON (${(err as Error).message})` };
  }
  if (!isObject(raw) || raw.Rules === undefined || raw.Profiles === undefined) {
    return { ok: false, reason: 'the firewall query answered JSON without Rules and Profiles' };
  }
  const profiles = listOf(raw.Profiles)
    .filter(isObject)
    .map((p) => ({
      name: profileName(p.Name),
      enabled: String(p.Enabled) !== 'False',
      defaultInboundAllow: String(p.DefaultInboundAction) === 'Allow',
    }))
    .filter((p): p is FirewallState['profiles'][number] => p.name !== null);
  const active = [
    ...new Set(
      listOf(raw.ActiveCategories)
        .map((c) => (String(c) === 'DomainAuthenticated' ? 'Domain' : profileName(c)))
        .filter((p): p is FirewallProfile => p !== null),
    ),
  ];
  const rules = listOf(raw.Rules)
    .slice(0, MAX_RULES)
    .filter(isObject)
    .filter((r) => r.Action === 'Allow' || r.Action === 'Block')
    .map(
      (r): FirewallRule => ({
        name: String(r.Name ?? ''),
        displayName: String(r.DisplayName ?? r.Name ?? ''),
        action: r.Action === 'Block' ? 'Block' : 'Allow',
        profiles: ruleProfiles(String(r.Profile ?? 'Any')),
        protocol: String(r.Protocol || 'Any'),
        localPorts: strings(r.LocalPort, 'Any'),
        program: String(r.Program || 'Any'),
        service: String(r.Service || 'Any'),
        remoteAddresses: strings(r.RemoteAddress, 'Any'),
      }),
    );
  return { ok: true, state: { profiles, active: active.length ? active : PROFILES, rules } };
}

/** For each served port: allowed (by which rules), blocked (by which), or no rule at all. */
export function coverage(state: FirewallState, ports: ServedPortKey[], program: string): PortCoverage[] {
  return ports.map((port) => ({ port, access: accessFor(state, port, program) }));
}

const RANK: Record<PortAccess['status'], number> = {
  blocked: 4,
  'no-rule': 3,
  allowed: 2,
  'default-allow': 1,
  'firewall-off': 0,
};

/** The worst answer over the active profiles: a port must be reachable on every connected network. */
function accessFor(state: FirewallState, port: ServedPortKey, program: string): PortAccess {
  const matching = state.rules.filter((r) => ruleMatches(r, port, program));
  let worst: PortAccess | null = null;
  for (const profile of state.active) {
    const p = state.profiles.find((x) => x.name === profile);
    const inProfile = matching.filter((r) => r.profiles.includes(profile));
    const block = inProfile.filter((r) => r.action === 'Block');
    const allow = inProfile.filter((r) => r.action === 'Allow');
    const access: PortAccess =
      p && !p.enabled
        ? { status: 'firewall-off' }
        : block.length
          ? { status: 'blocked', rules: block }
          : allow.length
            ? { status: 'allowed', rules: allow }
            : p?.defaultInboundAllow
              ? { status: 'default-allow' }
              : { status: 'no-rule' };
    if (!worst || RANK[access.status] > RANK[worst.status]) worst = access;
  }
  return worst ?? { status: 'no-rule' };
}

function ruleMatches(rule: FirewallRule, port: ServedPortKey, program: string): boolean {
  const protocol = rule.protocol.toUpperCase();
  const wanted = port.transport === 'tcp' ? ['TCP', '6'] : ['UDP', '17'];
  if (protocol !== 'ANY' && !wanted.includes(protocol)) return false;
  if (rule.service.toLowerCase() !== 'any') return false;
  if (rule.program.toLowerCase() !== 'any' && !samePath(rule.program, program)) return false;
  return rule.localPorts.some((spec) => portInSpec(port.port, spec));
}

/** `Any`, `445`, `49152-65535`; keywords such as `RPC` or `IPHTTPSIn` never admit our listener. */
function portInSpec(port: number, spec: string): boolean {
  if (spec.toLowerCase() === 'any') return true;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(spec.trim());
  if (!m) return false;
  const first = Number(m[1]);
  const last = m[2] === undefined ? first : Number(m[2]);
  return port >= first && port <= last;
}

function samePath(a: string, b: string): boolean {
  const norm = (p: string) => p.replaceAll('/', '\\').replace(/\\+$/, '').toLowerCase();
  return norm(a) === norm(b);
}

/** Quote for PowerShell: single quotes, doubled inside. */
export function psQuote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The names of the session's rules, one per transport. */
export function temporaryRuleName(t: TemporaryRules, transport: 'tcp' | 'udp'): string {
  return `portolan-listen-${t.sessionId}-${transport}`;
}

/** `New-NetFirewallRule` lines that admit `ports` for this program only, one rule per transport. */
export function addRulesScript(ports: ServedPortKey[], t: TemporaryRules): string[] {
  return (['tcp', 'udp'] as const).flatMap((transport) => {
    const list = ports.filter((p) => p.transport === transport).map((p) => p.port);
    if (list.length === 0) return [];
    const name = temporaryRuleName(t, transport);
    return [
      `New-NetFirewallRule -Name ${psQuote(name)} -DisplayName ${psQuote(`portolan listen (temporary, ${transport.toUpperCase()})`)} ` +
        `-Group ${psQuote(RULE_GROUP)} -Direction Inbound -Action Allow -Protocol ${transport.toUpperCase()} ` +
        `-LocalPort ${[...new Set(list)].sort((a, b) => a - b).join(',')} -Program ${psQuote(t.program)} -Profile Any`,
    ];
  });
}

/** The `Remove-NetFirewallRule` line for what `addRulesScript` added. */
export function removeRulesScript(ports: ServedPortKey[], t: TemporaryRules): string[] {
  const names = (['tcp', 'udp'] as const)
    .filter((transport) => ports.some((p) => p.transport === transport))
    .map((transport) => psQuote(temporaryRuleName(t, transport)));
  return names.length ? [`Remove-NetFirewallRule -Name ${names.join(',')}`] : [];
}

const keyOf = (p: ServedPortKey) => `${p.port}/${p.transport}`;

function ruleWords(r: FirewallRule): string {
  const remote = r.remoteAddresses.filter((a) => a.toLowerCase() !== 'any');
  return `${r.displayName}${remote.length ? ` (from ${remote.join(', ')} only)` : ''}`;
}

/** Lines that group the ports by access, with the rules that decided. */
export function describeCoverage(items: PortCoverage[], state: FirewallState): string[] {
  const lines = [`Windows Defender Firewall (active profile: ${state.active.join(', ')}), inbound:`];
  const allowed = items.filter((c) => c.access.status === 'allowed');
  if (allowed.length) {
    lines.push('  allowed by rules in place:');
    for (const c of allowed) {
      if (c.access.status === 'allowed') {
        lines.push(`    ${keyOf(c.port).padEnd(11)} ${c.access.rules.map(ruleWords).join('; ')}`);
      }
    }
  }
  const open = items.filter((c) => c.access.status === 'firewall-off' || c.access.status === 'default-allow');
  if (open.length) {
    lines.push(
      `  allowed (firewall off, or default inbound action Allow): ${open.map((c) => keyOf(c.port)).join(' ')}`,
    );
  }
  const blocked = items.filter((c) => c.access.status === 'blocked');
  for (const c of blocked) {
    if (c.access.status === 'blocked') {
      lines.push(
        `  BLOCKED ${keyOf(c.port)} by ${c.access.rules.map((r) => `${r.displayName} [${r.name}]`).join('; ')}`,
      );
    }
  }
  const none = items.filter((c) => c.access.status === 'no-rule');
  if (none.length)
    lines.push(`  NOT ALLOWED (no inbound rule admits them): ${none.map((c) => keyOf(c.port)).join(' ')}`);
  return lines;
}

/** Ports no rule admits: the ones temporary allow rules would open. */
export function portsWithoutRule(items: PortCoverage[]): ServedPortKey[] {
  return items.filter((c) => c.access.status === 'no-rule').map((c) => c.port);
}

/** Block rules that stop served ports (an allow rule cannot override them). */
export function blockingRules(items: PortCoverage[]): FirewallRule[] {
  const found = new Map<string, FirewallRule>();
  for (const c of items) if (c.access.status === 'blocked') for (const r of c.access.rules) found.set(r.name, r);
  return [...found.values()];
}

/**
 * What to run by hand: the exact PowerShell that opens the ports for this session and the
 * one that closes them again; for block rules, disabling and re-enabling them.
 */
export function adviceText(items: PortCoverage[], t: TemporaryRules, flag: string): string[] {
  const missing = portsWithoutRule(items);
  const blocking = blockingRules(items);
  if (missing.length === 0 && blocking.length === 0) return [];
  const lines = [
    '',
    'Clients cannot reach the ports above that are not allowed, whatever the network does. To open',
    'them for this session, run in an elevated PowerShell:',
    '',
  ];
  for (const line of addRulesScript(missing, t)) lines.push(`  ${line}`);
  for (const r of blocking) lines.push(`  Disable-NetFirewallRule -Name ${psQuote(r.name)}`);
  lines.push('', 'and afterwards, to remove them again:', '');
  for (const line of removeRulesScript(missing, t)) lines.push(`  ${line}`);
  for (const r of blocking) lines.push(`  Enable-NetFirewallRule -Name ${psQuote(r.name)}`);
  if (blocking.length) {
    lines.push('', 'A block rule that comes from Group Policy cannot be disabled here: change the GPO instead.');
  }
  if (missing.length) lines.push('', `Or let portolan add and remove the allow rules itself: add ${flag} (elevated).`);
  return lines;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Windows PowerShell 5.1 sometimes wraps arrays as {"value": [...], "Count": n}; a lone item may be a scalar. */
function listOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObject(v) && Array.isArray(v.value)) return v.value;
  return v === undefined || v === null ? [] : [v];
}

function strings(v: unknown, fallback: string): string[] {
  const list = listOf(v)
    .map(String)
    .filter((s) => s.length > 0);
  return list.length ? list : [fallback];
}

function profileName(v: unknown): FirewallProfile | null {
  return PROFILES.find((p) => p === String(v)) ?? null;
}

/** "Any", "Domain, Private" (the flags enum as a string), or a number from an older serialiser. */
function ruleProfiles(text: string): FirewallProfile[] {
  if (/^\d+$/.test(text)) {
    const bits = Number(text);
    return bits === 0 ? PROFILES : PROFILES.filter((_, i) => bits & (1 << i));
  }
  if (text.toLowerCase() === 'any') return PROFILES;
  const named = text.split(/[,\s]+/).map(profileName);
  return named.filter((p): p is FirewallProfile => p !== null);
}
