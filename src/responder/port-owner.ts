/**
 * Which process holds a port, for the "port in use" message. Linux only: the socket's
 * inode from /proc/net/{tcp,udp}{,6}, then the /proc/PID/fd link that points at it. Other
 * users' processes are visible only to root; where nothing can be read the answer is empty
 * and the caller says how to look it up by hand.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import type { ResponderTransport } from './handshake.js';

/** TCP LISTEN and UDP "unconnected" (07) in /proc/net's `st` column. */
const BOUND_STATE: Record<ResponderTransport, string> = { tcp: '0A', udp: '07' };

export type PortKey = `${number}/${ResponderTransport}`;

async function socketInodes(transport: ResponderTransport, ports: Set<number>): Promise<Map<string, PortKey>> {
  const inodes = new Map<string, PortKey>();
  for (const file of [`/proc/net/${transport}`, `/proc/net/${transport}6`]) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const port = Number.parseInt(cols[1]?.split(':')[1] ?? '', 16);
      const inode = cols[9];
      if (cols[3] === BOUND_STATE[transport] && ports.has(port) && inode && inode !== '0') {
        inodes.set(inode, `${port}/${transport}`);
      }
    }
  }
  return inodes;
}

/** For each wanted port, the processes ("sshd (pid 812)") that hold it; ports with none readable are absent. */
export async function findPortOwners(
  wanted: { transport: ResponderTransport; port: number }[],
): Promise<Map<PortKey, string[]>> {
  const owners = new Map<PortKey, string[]>();
  if (process.platform !== 'linux' || wanted.length === 0) return owners;
  const inodes = new Map<string, PortKey>();
  for (const transport of ['tcp', 'udp'] as const) {
    const ports = new Set(wanted.filter((w) => w.transport === transport).map((w) => w.port));
    if (ports.size) for (const [inode, key] of await socketInodes(transport, ports)) inodes.set(inode, key);
  }
  if (inodes.size === 0) return owners;
  const pids = (await readdir('/proc').catch(() => [])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const key = inodes.get(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? '');
      if (!key) continue;
      const name = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
      const list = owners.get(key) ?? [];
      const who = `${name} (pid ${pid})`;
      if (!list.includes(who)) list.push(who);
      owners.set(key, list);
    }
  }
  return owners;
}
