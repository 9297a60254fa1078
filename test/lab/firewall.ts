/**
 * The lab's packet filters as data. The same rule list renders the nftables ruleset loaded
 * into a namespace and answers "what does this packet meet?" for the ground truth, so the
 * expectations can never drift from what the kernel enforces.
 */
import type { Transport } from '../../src/model.js';

/** drop: silence; reset: TCP RST (looks like closed); reject-icmp: ICMP admin-prohibited. */
export type FilterAction = 'drop' | 'reset' | 'reject-icmp';

export interface FilterRule {
  /** Only packets from this source address; absent = any source. */
  from?: string;
  protocol: Extract<Transport, 'tcp' | 'udp'>;
  first: number;
  last: number;
  action: FilterAction;
  why: string;
}

export interface Firewall {
  /** What happens to a packet no rule matches. */
  policy: 'accept' | 'drop';
  rules: FilterRule[];
}

const TABLE = 'plab';

function nftAction(action: FilterAction): string {
  if (action === 'drop') return 'drop';
  if (action === 'reset') return 'reject with tcp reset';
  return 'reject with icmpx type admin-prohibited';
}

function nftRule(rule: FilterRule): string {
  const from = rule.from === undefined ? '' : `ip saddr ${rule.from} `;
  const ports = rule.first === rule.last ? `${rule.first}` : `${rule.first}-${rule.last}`;
  return `${from}${rule.protocol} dport ${ports} ${nftAction(rule.action)} comment "${rule.why}"`;
}

/** The ruleset text for `nft -f -`: one inet table with an input chain. */
export function renderNft(firewall: Firewall): string {
  const lines = [
    `table inet ${TABLE} {`,
    '  chain input {',
    `    type filter hook input priority 0; policy ${firewall.policy};`,
    '    iif "lo" accept',
    ...firewall.rules.map((rule) => `    ${nftRule(rule)}`),
    '  }',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

export type FilterVerdict = { kind: 'accept' } | { kind: FilterAction; why: string };

/** What the ruleset does to a packet from `source` to `protocol/port` (first match wins, as in nft). */
export function evaluate(firewall: Firewall, source: string, protocol: Transport, port: number | null): FilterVerdict {
  for (const rule of firewall.rules) {
    if (rule.from !== undefined && rule.from !== source) continue;
    if (rule.protocol !== protocol || port === null) continue;
    if (port >= rule.first && port <= rule.last) return { kind: rule.action, why: rule.why };
  }
  if (firewall.policy === 'drop') return { kind: 'drop', why: 'input policy drop' };
  return { kind: 'accept' };
}
