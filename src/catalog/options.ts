/**
 * The options that shape an expansion, checked and normalised in one place. They live in the
 * catalog layer so that every way in (check, plans, listen, `catalog show`, the library) rejects
 * the same bad values with the same one-line message, instead of letting rows silently vanish
 * (`--os 2008R2` used to match nothing). Errors name the option's key (`os`); the CLI shows its flag.
 */
import { PortolanError } from '../errors.js';
import type { Catalog, RpcProfile } from '../model.js';
import { OS_VALUES } from './load.js';
import { type PortRange, parsePortList } from './port-sets.js';
import { switchNames } from './switches.js';

export interface ExpandOptions {
  /** Windows' dynamic port range generation: modern 49152-65535, legacy 1025-5000, or both. @default 'modern' */
  profile?: RpcProfile | string;
  /** Pins the `rpc-dynamic` set: "5000-5100" or a list. Never touches `ftp-passive`. */
  rpcRange?: string | null;
  /** Pins the `ftp-passive` set (IIS FTP passive data ports), e.g. "50000-50100". */
  ftpPassiveRange?: string | null;
  /** The target server's OS (2008, 2008r2, 2016 ..., any case). @default the newest the catalog knows */
  os?: string | null;
  /** The clients' OS (xp, 2003, 10 ..., any case). @default the newest the catalog knows */
  clientOs?: string | null;
  /** Named conditions to turn on (`gc`, `dfsr-sysvol` ...): their rows become required. */
  with?: readonly string[];
}

/** Expansion options after validation: the form the planner works with. */
export interface ResolvedExpandOptions {
  profile: RpcProfile;
  rpcRange: PortRange[] | null;
  ftpPassiveRange: PortRange[] | null;
  os: string;
  clientOs: string;
  with: ReadonlySet<string>;
}

export const RPC_PROFILES: readonly RpcProfile[] = ['modern', 'legacy', 'both'];
/** The profile of every Windows Server since 2008: 49152-65535. */
export const DEFAULT_RPC_PROFILE: RpcProfile = 'modern';

export function resolveExpandOptions(catalog: Catalog, opts: ExpandOptions = {}): ResolvedExpandOptions {
  return {
    profile: parseProfile(opts.profile ?? DEFAULT_RPC_PROFILE),
    rpcRange: opts.rpcRange ? parsePortList(opts.rpcRange, 'rpcRange') : null,
    ftpPassiveRange: opts.ftpPassiveRange ? parsePortList(opts.ftpPassiveRange, 'ftpPassiveRange') : null,
    os: opts.os ? parseOs(opts.os, 'server') : defaultOs('server'),
    clientOs: opts.clientOs ? parseOs(opts.clientOs, 'client') : defaultOs('client'),
    with: new Set(parseSwitches(catalog, opts.with ?? [])),
  };
}

/** "Modern" and "modern" both name the modern profile; anything else is a usage error. */
export function parseProfile(value: string): RpcProfile {
  const profile = value.trim().toLowerCase();
  if ((RPC_PROFILES as readonly string[]).includes(profile)) return profile as RpcProfile;
  throw new PortolanError('INVALID_VALUE', `profile "${value}": expected ${RPC_PROFILES.join(', ')}`, {
    fields: ['profile'],
  });
}

/** An OS token of the catalog's list (checks/schema/service.schema.json), compared without case. */
export function parseOs(value: string, kind: 'server' | 'client'): string {
  const os = value.trim().toLowerCase();
  const known = OS_VALUES[kind];
  if (known.includes(os)) return os;
  const field = kind === 'server' ? 'os' : 'clientOs';
  throw new PortolanError('INVALID_VALUE', `${field} "${value}": expected one of ${known.join(', ')} (any case)`, {
    fields: [field],
  });
}

/** The OS a run assumes when it names none: the newest of the catalog's list. */
export function defaultOs(kind: 'server' | 'client'): string {
  return OS_VALUES[kind][OS_VALUES[kind].length - 1] as string;
}

/** Named conditions, given repeated or comma-separated; every name must exist in the catalog. */
export function parseSwitches(catalog: Catalog, values: readonly string[]): string[] {
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase());
  const known = switchNames(catalog);
  for (const name of names) {
    if (!known.includes(name)) {
      throw new PortolanError(
        'INVALID_VALUE',
        `with "${name}": no such named condition; expected one of ${known.join(', ')} (see \`portolan catalog switches\`)`,
        { fields: ['with'] },
      );
    }
  }
  return [...new Set(names)];
}
