/**
 * Which targets the exporter may probe. Anyone who reaches `/probe` can make it send
 * traffic, so the default is nothing at all: `--allow-target` names address ranges (CIDR:
 * 10.0.0.0/8, fd00::/8, or one address) and name globs (`*.corp.example`, `dc?.corp.example`).
 * A target is checked as written: a name against the globs, an address against the
 * ranges. A name is not resolved here, so an allowed glob is a statement about names
 * (DNS decides where they lead), the way blackbox_exporter users restrict by name.
 */
import { BlockList, isIP } from 'node:net';
import { PortolanError } from '../errors.js';

export interface AllowList {
  /** True when `target` (a host name or an address, no port) may be probed. */
  allows(target: string): boolean;
  /** The patterns as given, for the start-up line. */
  readonly patterns: readonly string[];
}

/** Letters, digits, '-', '.', and the wildcards '*' (any run of characters) and '?' (one). */
const NAME_GLOB = /^[A-Za-z0-9*?]([A-Za-z0-9*?.-]*[A-Za-z0-9*?])?$/;

/**
 * An allow list from `--allow-target` values (repeatable or comma-separated).
 * @throws PortolanError INVALID_VALUE naming `--allow-target` and the bad pattern.
 */
export function parseAllowList(values: readonly string[]): AllowList {
  const patterns = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const ranges = new BlockList();
  const globs: RegExp[] = [];
  for (const pattern of patterns) {
    const cidr = parseCidr(pattern);
    if (cidr) {
      ranges.addSubnet(cidr.address, cidr.prefix, cidr.family);
    } else if (NAME_GLOB.test(pattern) && !/^[\d.*?]+$/.test(pattern)) {
      globs.push(globToRegExp(pattern));
    } else {
      throw new PortolanError(
        'INVALID_VALUE',
        `--allow-target "${pattern}": expected an address, a CIDR range (10.0.0.0/8) or a name glob (*.corp.example)`,
      );
    }
  }
  return {
    patterns,
    allows(target: string): boolean {
      const family = isIP(target);
      if (family !== 0) return ranges.check(target, family === 4 ? 'ipv4' : 'ipv6');
      const name = target.toLowerCase().replace(/\.$/, '');
      if (!NAME_GLOB.test(name) || /[*?]/.test(name)) return false;
      return globs.some((g) => g.test(name));
    },
  };
}

function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText, extra] = text.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return null;
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Whole-name match without case; a '*' may span dots (`*.corp.example` allows `a.b.corp.example`). */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\-]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${body}$`);
}
