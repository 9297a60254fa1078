/**
 * A network namespace for one test file, joined to this one by a veth pair on a subnet of its
 * own: traffic to its addresses stays on the machine (no route leaves it). Names carry the
 * test process's id, so parallel runs do not meet (see BRIEF: namespaces in new tests).
 */
import { existsSync } from 'node:fs';
import { run } from '../lab/run.js';

/**
 * Skips the suite (saying why) where namespaces cannot be made: not Linux, not root, or a
 * program missing (`needs`: path and the Debian package that brings it). CI runs it as root.
 */
export function skipWithoutNamespaces(ctx: Mocha.Context, needs: [path: string, pkg: string][]): void {
  const missing = needs.find(([path]) => !existsSync(path) && !existsSync(path.replace('/usr', '')));
  const reason =
    process.platform !== 'linux'
      ? `network namespaces exist only on Linux (this is ${process.platform})`
      : process.getuid?.() !== 0
        ? 'not root'
        : missing
          ? `${missing[0]} missing (apt-get install ${missing[1]})`
          : null;
  if (!reason) return;
  console.log(`      (skipped: ${reason}; these tests need root on Linux to create a network namespace; CI runs them)`);
  ctx.skip();
}

export interface VethNamespace {
  ns: string;
  /** The veth end in this namespace, and its peer inside `ns` (15 characters at most each). */
  hostIf: string;
  nsIf: string;
  /** This side's address, the namespace's addresses, and the subnet's prefix length. */
  local: string;
  addresses: string[];
  prefix: number;
}

export async function createVethNamespace(v: VethNamespace): Promise<void> {
  await removeVethNamespace(v);
  await run('ip', ['netns', 'add', v.ns]);
  await run('ip', ['link', 'add', v.hostIf, 'type', 'veth', 'peer', 'name', v.nsIf]);
  await run('ip', ['link', 'set', v.nsIf, 'netns', v.ns]);
  await run('ip', ['addr', 'add', `${v.local}/${v.prefix}`, 'dev', v.hostIf]);
  await run('ip', ['link', 'set', v.hostIf, 'up']);
  for (const a of v.addresses) await run('ip', ['-n', v.ns, 'addr', 'add', `${a}/${v.prefix}`, 'dev', v.nsIf]);
  await run('ip', ['-n', v.ns, 'link', 'set', v.nsIf, 'up']);
  await run('ip', ['-n', v.ns, 'link', 'set', 'lo', 'up']);
}

export async function removeVethNamespace(v: Pick<VethNamespace, 'ns' | 'hostIf'>): Promise<void> {
  await run('ip', ['link', 'del', v.hostIf], { allowFailure: true });
  await run('ip', ['netns', 'del', v.ns], { allowFailure: true });
}
