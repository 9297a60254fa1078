/**
 * `--dry-run`: everything a check does before its first packet, and nothing after. The run
 * options, the responder token, `--source`, the catalog and the roles, services and ports are
 * checked as a run checks them (same errors, same exit code 2); target names are checked for
 * syntax only, since looking one up would send a DNS query; prefixes and targets files are
 * expanded and the shard is applied. What comes
 * back says what the run would probe. No name is resolved, no SRV record asked for, no file
 * written.
 */
import { type CheckScope, expandScope } from '../catalog/expand.js';
import { loadCatalog } from '../catalog/load.js';
import { PortolanError } from '../errors.js';
import type { RunNote } from '../model.js';
import { type RunSettings, resolveRunSettings } from '../run-options.js';
import { looksLikeCidr } from '../targets/cidr.js';
import { openTargets, type TargetRequest } from '../targets/index.js';
import { checkSourceAddress } from '../targets/source.js';
import { isTargetName } from '../targets/syntax.js';
import { type CheckRequest, responderModules } from './run-check.js';

/** What one check would probe, per target. */
export interface DryRunCheck {
  settings: RunSettings;
  scope: CheckScope;
  /** The targets this run (this shard) would probe, as named: nothing is resolved. */
  targets: TargetRequest[];
  /** Targets named in all, before the shard. */
  named: number;
  /** Domain controllers SRV discovery would add (not asked for in a dry run). */
  domain: { name: string; dnsServer?: string } | null;
  /** Port rows the scope expands to. */
  rows: number;
  /** Distinct single ports per target by transport, and the ranges (sampled, discovered or swept). */
  ports: { tcp: number; udp: number; icmp: number; ip: number; ranges: string[] };
  notes: RunNote[];
}

export async function dryRunCheck(req: CheckRequest): Promise<DryRunCheck> {
  const settings = resolveRunSettings(req.options);
  responderModules(settings, req.responderToken);
  checkSourceAddress(settings.source);
  const catalog = await loadCatalog({ dirs: req.catalogDirs ?? [] });
  const expectations = expandScope(catalog, req, settings);
  for (const name of [...req.targets.map((t) => t.name), ...(req.domain ? [req.domain.name] : [])]) {
    // A prefix is checked (syntax and size) with the targets files below.
    if (!isTargetName(name) && !looksLikeCidr(name)) {
      throw new PortolanError('INVALID_VALUE', `target "${name.slice(0, 120)}": expected a host name or an IP address`);
    }
  }
  const selected =
    req.targets.length === 0 && !req.targetsFiles?.length && req.domain
      ? { targets: [], named: 0, notes: [] }
      : await selectedTargets(req, settings);
  const ports = { tcp: new Set<number>(), udp: new Set<number>(), icmp: 0, ip: new Set<number>() };
  const ranges = new Set<string>();
  for (const e of expectations) {
    if (e.protocol === 'icmp') ports.icmp = 1;
    else if (e.protocol === 'ip') ports.ip.add(e.ipProtocol ?? -1);
    else if (e.port !== null) ports[e.protocol].add(e.port);
    else ranges.add(`${e.range}/${e.protocol}`);
  }
  return {
    settings,
    scope: { roles: req.roles, services: req.services, ports: req.ports },
    targets: selected.targets,
    named: selected.named,
    domain: req.domain ?? null,
    rows: expectations.length,
    ports: { tcp: ports.tcp.size, udp: ports.udp.size, icmp: ports.icmp, ip: ports.ip.size, ranges: [...ranges] },
    notes: selected.notes,
  };
}

/** The targets the run would take (prefixes expanded, files read, the shard applied), none resolved. */
async function selectedTargets(
  req: CheckRequest,
  settings: RunSettings,
): Promise<{ targets: TargetRequest[]; named: number; notes: RunNote[] }> {
  const stream = await openTargets({
    targets: req.targets,
    files: req.targetsFiles ?? [],
    allAddresses: settings.allAddresses,
    source: settings.source,
    timeoutMs: settings.timeoutMs,
    cidrLimit: settings.cidrLimit,
    shard: settings.shard,
  });
  try {
    const targets: TargetRequest[] = [];
    for await (const t of stream.requests()) targets.push(t);
    return { targets, named: stream.named, notes: stream.notes };
  } finally {
    stream.close();
  }
}
