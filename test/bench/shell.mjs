// The bench's short commands (ip, nft, sysctl, nmap): synchronous, bounded, output captured.
import { execFileSync } from 'node:child_process';

/** Runs a command; throws on failure or after 20 s unless `opts.timeout` says otherwise. */
export const sh = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000, ...opts });

/** Runs a command whose failure does not matter (removing what may not exist). */
export const quiet = (cmd, args) => {
  try {
    sh(cmd, args);
  } catch {}
};
