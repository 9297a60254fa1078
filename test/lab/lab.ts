/**
 * The network lab: namespaces on a private bridge, a Samba AD DC, a server host, a host that
 * drops everything and one where everything is closed. `startLab()` builds it (after removing
 * what a crashed run left), waits until the servers answer and reads the ground truth;
 * `lab.stop()` ends every process by PID and deletes every namespace, also after a failure.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Transport } from '../../src/model.js';
import { DaemonSet, signalGroup } from './daemons.js';
import { DC_READY, startDomainController } from './domain-controller.js';
import { type Firewall, renderNft } from './firewall.js';
import { type Expected, expectedFor, type TargetTruth } from './ground-truth.js';
import { type Listener, listenerFor, readListeners } from './listeners.js';
import { createHost, createSwitch, defaultIcmpRateLimit, listLabNamespaces, removeLabNamespaces } from './netns.js';
import { type RunOptions, type RunOutput, runIn } from './run.js';
import { SERVER_PORTS, startServerHost } from './server-host.js';
import { HOSTS, RUN_DIR, type SourceId, SUBNET, SWITCH_NS, type TargetId } from './topology.js';

export interface LabTimings {
  cleanupMs: number;
  networkMs: number;
  startMs: number;
  readyMs: number;
  totalMs: number;
}

export interface Lab {
  runDir: string;
  timings: LabTimings;
  /** sysctl values in force on the all-closed host. */
  icmpRateLimit: Record<string, number>;
  truth: Record<TargetId, TargetTruth>;
  address(host: TargetId | SourceId): string;
  expectedState(target: TargetId, source: SourceId, protocol: Transport, port: number | null): Expected;
  /** Runs a command inside a source (or any) namespace, with a timeout. */
  exec(host: TargetId | SourceId, cmd: string, args: readonly string[], options?: RunOptions): Promise<RunOutput>;
  stop(): Promise<{ stopMs: number; leftovers: string[] }>;
}

/** Raised when the machine cannot run the lab (not root, no `ip netns`, a missing package). */
export class LabUnavailable extends Error {}

const READY_DEADLINE_MS = 90_000;
const REQUIRED_TOOLS = ['ip', 'nft', 'ss', 'nc', 'dig', 'samba', 'samba-tool', 'chronyd', 'snmpd', 'in.tftpd'];
const MORE_TOOLS = ['nginx', 'inetd', 'openssl', 'unshare'];

/** Says why the lab cannot run here, or null when it can. */
export function labPreflight(): string | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return 'the lab needs root (it creates network namespaces and runs servers in them)';
  }
  const missing = [...REQUIRED_TOOLS, ...MORE_TOOLS].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore', timeout: 5_000 });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) return `missing commands: ${missing.join(', ')} (install them with .ci/lab-deps.sh)`;
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore', timeout: 5_000 });
  } catch (error) {
    return `\`ip netns\` does not work here: ${(error as Error).message}`;
  }
  return null;
}

/**
 * The DC's firewall: from the firewalled client only, Kerberos/UDP, GC, SMB and RPC break;
 * from the branch client only, LDAP over TCP. Each view is one site's path in the fleet matrix.
 */
export function dcFirewall(): Firewall {
  const from = HOSTS.fwc.address;
  const branch = HOSTS.brc.address;
  return {
    policy: 'accept',
    rules: [
      { from, protocol: 'udp', first: 88, last: 88, action: 'drop', why: 'Kerberos over UDP dropped' },
      { from, protocol: 'tcp', first: 3268, last: 3269, action: 'drop', why: 'global catalog dropped' },
      { from, protocol: 'tcp', first: 445, last: 445, action: 'reset', why: 'SMB rejected with a TCP reset' },
      { from, protocol: 'tcp', first: 49152, last: 65535, action: 'drop', why: 'dynamic RPC range dropped' },
      { from: branch, protocol: 'tcp', first: 389, last: 389, action: 'drop', why: 'LDAP dropped from the branch' },
    ],
  };
}

const FIREWALLS: Record<TargetId, Firewall> = {
  dc: dcFirewall(),
  srv: { policy: 'accept', rules: [] },
  drop: { policy: 'drop', rules: [] },
  closed: { policy: 'accept', rules: [] },
};

async function loadFirewall(ns: string, firewall: Firewall): Promise<void> {
  await runIn(ns, 'nft', ['-f', '-'], { input: renderNft(firewall), timeoutMs: 10_000 });
}

function missingListeners(
  listeners: readonly Listener[],
  address: string,
  wanted: { tcp: readonly number[]; udp: readonly number[] },
): string[] {
  const missing: string[] = [];
  for (const protocol of ['tcp', 'udp'] as const) {
    for (const port of wanted[protocol]) {
      if (listenerFor(listeners, protocol, address, port) === undefined) missing.push(`${protocol}/${port}`);
    }
  }
  return missing;
}

/** From the healthy client: LDAP, SMB and Kerberos accept TCP and DNS answers the domain's SOA. */
async function dcAnswers(): Promise<string[]> {
  const dc = HOSTS.dc.address;
  const failing: string[] = [];
  for (const port of [389, 445, 88]) {
    const r = await runIn(HOSTS.cli.ns, 'nc', ['-z', '-w', '1', dc, String(port)], {
      allowFailure: true,
      timeoutMs: 5_000,
    });
    if (r.code !== 0) failing.push(`tcp/${port}`);
  }
  const dig = await runIn(HOSTS.cli.ns, 'dig', ['+time=1', '+tries=1', `@${dc}`, 'portolan.test', 'SOA'], {
    allowFailure: true,
    timeoutMs: 5_000,
  });
  if (!/status: NOERROR/.test(dig.stdout)) failing.push('udp/53 (DNS SOA)');
  return failing;
}

async function waitReady(daemons: DaemonSet): Promise<void> {
  const deadline = Date.now() + READY_DEADLINE_MS;
  const wanted: Array<[TargetId, { tcp: readonly number[]; udp: readonly number[] }]> = [
    ['dc', { tcp: DC_READY.tcp, udp: [...DC_READY.udp, 123] }],
    ['srv', SERVER_PORTS],
  ];
  let waitingFor: string[] = [];
  while (Date.now() < deadline) {
    const dead = daemons.dead();
    if (dead.length > 0) throw new Error(`lab servers exited early: ${dead.join(', ')} (logs in ${RUN_DIR})`);
    waitingFor = [];
    for (const [id, ports] of wanted) {
      const listeners = await readListeners(HOSTS[id].ns);
      waitingFor.push(...missingListeners(listeners, HOSTS[id].address, ports).map((p) => `${id} ${p}`));
    }
    if (waitingFor.length === 0) {
      waitingFor = (await dcAnswers()).map((p) => `dc ${p}`);
      if (waitingFor.length === 0) return;
    }
    await sleep(500);
  }
  throw new Error(`lab not ready after ${READY_DEADLINE_MS / 1000} s, still waiting for: ${waitingFor.join(', ')}`);
}

/** Removes what a previous (crashed) run left: its namespaces, their processes and the run dir. */
async function removeLeftovers(): Promise<void> {
  await removeLabNamespaces();
  rmSync(RUN_DIR, { recursive: true, force: true });
}

export async function startLab(): Promise<Lab> {
  const why = labPreflight();
  if (why !== null) throw new LabUnavailable(why);
  const t0 = Date.now();
  await removeLeftovers();
  const t1 = Date.now();
  mkdirSync(RUN_DIR, { recursive: true });
  const daemons = new DaemonSet(RUN_DIR, join(RUN_DIR, 'pids'));
  const onExit = () => {
    // Last resort when the suite dies without its after hook: end our servers synchronously.
    for (const d of daemons.daemons) signalGroup(d.pid, 'SIGKILL');
    for (const ns of [SWITCH_NS, ...Object.values(HOSTS).map((h) => h.ns)]) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 5_000 });
      } catch {
        // Already gone; the next run's leftover sweep catches anything else.
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    onExit();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stop = async () => {
    const s = Date.now();
    await daemons.stopAll();
    await removeLabNamespaces();
    rmSync(join(RUN_DIR, 'samba'), { recursive: true, force: true });
    process.removeListener('exit', onExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    return { stopMs: Date.now() - s, leftovers: await listLabNamespaces() };
  };
  try {
    await createSwitch();
    for (const host of Object.values(HOSTS)) await createHost(host);
    for (const id of ['dc', 'drop'] as const) await loadFirewall(HOSTS[id].ns, FIREWALLS[id]);
    const icmpRateLimit = await defaultIcmpRateLimit(HOSTS.closed.ns);
    const t2 = Date.now();
    await Promise.all([
      startDomainController(daemons, RUN_DIR, HOSTS.dc.ns, HOSTS.dc.address, SUBNET),
      startServerHost(daemons, RUN_DIR, HOSTS.srv.ns, HOSTS.srv.address, SUBNET),
    ]);
    const t3 = Date.now();
    await waitReady(daemons);
    const truth = {} as Record<TargetId, TargetTruth>;
    for (const id of ['dc', 'srv', 'drop', 'closed'] as const) {
      truth[id] = { address: HOSTS[id].address, firewall: FIREWALLS[id], listeners: await readListeners(HOSTS[id].ns) };
    }
    const t4 = Date.now();
    return {
      runDir: RUN_DIR,
      timings: { cleanupMs: t1 - t0, networkMs: t2 - t1, startMs: t3 - t2, readyMs: t4 - t3, totalMs: t4 - t0 },
      icmpRateLimit,
      truth,
      address: (host) => HOSTS[host].address,
      expectedState: (target, source, protocol, port) =>
        expectedFor(truth[target], HOSTS[source].address, protocol, port),
      exec: (host, cmd, args, options) => runIn(HOSTS[host].ns, cmd, args, options),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
