/**
 * HTTP basic auth against bcrypt hashes, as exporter-toolkit checks `basic_auth_users`.
 * bcrypt is slow on purpose (about 50 ms per check at cost 10), and Prometheus sends the
 * same credentials every scrape, so a verified (user, password, hash) is remembered by
 * its SHA-256 in a small cache, as exporter-toolkit does. An unknown user still costs one
 * bcrypt comparison, so response times do not tell which user names exist.
 */
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';

const CACHE_LIMIT = 100;
/** A valid bcrypt hash of a random string: unknown users are compared against it. */
const DECOY_HASH = '$2b$10$yPxn01VO236q1FvtALfTb.mLGX3GcBhwPKaYJ7oyOsStu/B6jEmkG';

export interface BasicAuth {
  /** True when the request's Authorization header names a user whose password matches. */
  check(authorization: string | undefined): Promise<boolean>;
}

export function basicAuth(users: ReadonlyMap<string, string>): BasicAuth {
  const verified = new Set<string>();
  return {
    async check(authorization) {
      const credentials = parseBasic(authorization);
      if (!credentials) return false;
      const hash = users.get(credentials.user);
      const key = createHash('sha256')
        .update(`${credentials.user}\0${credentials.password}\0${hash ?? ''}`)
        .digest('hex');
      if (hash !== undefined && verified.has(key)) return true;
      const ok = await bcrypt.compare(credentials.password, hash ?? DECOY_HASH);
      if (!ok || hash === undefined) return false;
      if (verified.size >= CACHE_LIMIT) verified.clear();
      verified.add(key);
      return true;
    },
  };
}

/** `Basic base64(user:password)`, or null when the header is absent or not that. */
function parseBasic(header: string | undefined): { user: string; password: string } | null {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** A bcrypt hash for `basic_auth_users` (cost 10, as exporter-toolkit's documentation uses). */
export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, 10);
}
