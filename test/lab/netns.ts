/**
 * Namespaces and links: a bridge inside the switch namespace, one veth pair per host, the
 * host end renamed eth0 and given its 10.231.0.x/24 address. No default route anywhere.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { signalGroup } from './daemons.js';
import { run } from './run.js';
import { BRIDGE, type HostSpec, PREFIX, PREFIX_LEN, SWITCH_NS } from './topology.js';

const ip = (args: string[]) => run('ip', args, { timeoutMs: 10_000 });

export async function listLabNamespaces(): Promise<string[]> {
  const out = await run('ip', ['netns', 'list'], { timeoutMs: 5_000 });
  return out.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.startsWith(PREFIX));
}

/** PIDs of every process whose network namespace is `ns`. */
export async function namespacePids(ns: string): Promise<number[]> {
  const out = await run('ip', ['netns', 'pids', ns], { timeoutMs: 5_000, allowFailure: true });
  return out.stdout
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** True while `pid` runs; a zombie (ended, not yet reaped by its new parent) counts as ended. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Ends every process inside the lab's namespaces (by PID), then deletes the namespaces. */
export async function removeLabNamespaces(): Promise<string[]> {
  const found = await listLabNamespaces();
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    let left = 0;
    for (const ns of found) {
      for (const pid of await namespacePids(ns)) {
        signalGroup(pid, signal);
        left += 1;
      }
    }
    if (left === 0) break;
    if (signal === 'SIGTERM') await sleep(1_000);
  }
  for (const ns of found) await run('ip', ['netns', 'del', ns], { timeoutMs: 10_000, allowFailure: true });
  return found;
}

async function sysctl(ns: string, settings: Record<string, string>): Promise<void> {
  const args = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  await ip(['netns', 'exec', ns, 'sysctl', '-q', '-w', ...args]);
}

/** Keeps IPv6 off so every probe and every listener in the lab is the IPv4 the ground truth models. */
const NO_IPV6 = { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' };

export async function createSwitch(): Promise<void> {
  await ip(['netns', 'add', SWITCH_NS]);
  await sysctl(SWITCH_NS, NO_IPV6);
  await ip(['-n', SWITCH_NS, 'link', 'set', 'lo', 'up']);
  await ip(['-n', SWITCH_NS, 'link', 'add', BRIDGE, 'type', 'bridge']);
  await ip(['-n', SWITCH_NS, 'link', 'set', BRIDGE, 'up']);
}

export async function createHost(host: HostSpec): Promise<void> {
  await ip(['netns', 'add', host.ns]);
  await sysctl(host.ns, NO_IPV6);
  await ip(['-n', SWITCH_NS, 'link', 'add', host.port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns]);
  await ip(['-n', SWITCH_NS, 'link', 'set', host.port, 'master', BRIDGE, 'up']);
  await ip(['-n', host.ns, 'link', 'set', 'lo', 'up']);
  await ip(['-n', host.ns, 'addr', 'add', `${host.address}/${PREFIX_LEN}`, 'dev', 'eth0']);
  await ip(['-n', host.ns, 'link', 'set', 'eth0', 'up']);
}

/** Sets the ICMP rate limit of a namespace to the kernel defaults and reads back what is in force. */
export async function defaultIcmpRateLimit(ns: string): Promise<Record<string, number>> {
  const keys = ['net.ipv4.icmp_ratelimit', 'net.ipv4.icmp_msgs_per_sec', 'net.ipv4.icmp_msgs_burst'];
  await sysctl(ns, { [keys[0] as string]: '1000', [keys[1] as string]: '1000', [keys[2] as string]: '50' });
  const out = await ip(['netns', 'exec', ns, 'sysctl', ...keys]);
  const values: Record<string, number> = {};
  for (const line of out.stdout.split('\n')) {
    const [k, v] = line.split('=').map((s) => s.trim());
    if (k && v) values[k] = Number(v);
  }
  return values;
}
