/**
 * Symbolic port sets, resolved per run. `rpc-dynamic` is Windows' dynamic RPC range:
 * 49152-65535 since Windows Server 2008/Vista (`modern`), 1025-5000 before (`legacy`),
 * or both in a mixed estate. An admin who pinned RPC to a fixed range or list passes
 * `rpcRange` ("5000-5100" or "5001,5002"), which overrides the profile.
 * `ftp-passive` is the range IIS FTP picks passive data ports from: Windows' dynamic range
 * of the same generation until an administrator configures one (`ftpPassiveRange`). It is
 * not RPC, so `rpcRange` never touches it.
 */
import { PortolanError } from '../errors.js';
import type { PortSetId, RpcProfile } from '../model.js';

export interface PortRange {
  first: number;
  last: number;
}

const PROFILES: Record<RpcProfile, PortRange[]> = {
  modern: [{ first: 49152, last: 65535 }],
  legacy: [{ first: 1025, last: 5000 }],
  both: [
    { first: 1025, last: 5000 },
    { first: 49152, last: 65535 },
  ],
};

export function resolveRpcDynamic(profile: RpcProfile, rpcRange: string | null = null): PortRange[] {
  return rpcRange ? parsePortList(rpcRange, 'rpcRange') : PROFILES[profile];
}

/** The ranges a port set stands for in a run: its own pinned ranges, else the profile's. */
export function resolvePortSet(
  set: PortSetId,
  opts: { profile: RpcProfile; rpcRange: PortRange[] | null; ftpPassiveRange: PortRange[] | null },
): PortRange[] {
  const pinned = set === 'rpc-dynamic' ? opts.rpcRange : opts.ftpPassiveRange;
  return pinned ?? PROFILES[opts.profile];
}

/** "5000-5100", "5001,5002" or "5001,6000-6010" -> ranges; throws INVALID_VALUE naming `field` on bad input. */
export function parsePortList(text: string, field: string): PortRange[] {
  return text.split(',').map((part) => {
    const m = /^\s*(\d{1,5})(?:\s*-\s*(\d{1,5}))?\s*$/.exec(part);
    const first = Number(m?.[1]);
    const last = m?.[2] === undefined ? first : Number(m[2]);
    if (!m || first < 1 || last > 65535 || first > last) {
      throw new PortolanError(
        'INVALID_VALUE',
        `${field}: "${part.trim()}" is not a port or ascending range within 1-65535`,
        { fields: [field] },
      );
    }
    return { first, last };
  });
}

export function formatRange(r: PortRange): string {
  return r.first === r.last ? String(r.first) : `${r.first}-${r.last}`;
}

export function parseRange(text: string): PortRange {
  const [first, last] = text.split('-').map(Number) as [number, number];
  return { first, last: last ?? first };
}
