/**
 * Starts the lab's servers in the foreground inside a namespace and keeps their PIDs, so
 * teardown ends exactly them (by process group, then by whatever is left in the namespace).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Daemon {
  name: string;
  ns: string;
  pid: number;
  log: string;
  child: ChildProcess;
  exited: boolean;
}

export interface DaemonOptions {
  /** Keep stdin an open pipe: `samba` stops when its stdin closes, so it dies with the suite. */
  holdStdin?: boolean;
}

export class DaemonSet {
  readonly daemons: Daemon[] = [];

  constructor(
    private readonly runDir: string,
    private readonly pidList: string,
  ) {}

  start(name: string, ns: string, cmd: string, args: readonly string[], options: DaemonOptions = {}): Daemon {
    const log = join(this.runDir, `${name}.log`);
    const fd = openSync(log, 'a');
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
      detached: true,
      stdio: [options.holdStdin === true ? 'pipe' : 'ignore', fd, fd],
    });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
    const daemon: Daemon = { name, ns, pid: child.pid, log, child, exited: false };
    child.on('exit', () => {
      daemon.exited = true;
    });
    child.on('error', () => {
      daemon.exited = true;
    });
    this.daemons.push(daemon);
    appendFileSync(this.pidList, `${child.pid} ${ns} ${name}\n`);
    return daemon;
  }

  /** Names of daemons that already exited (a config error usually). */
  dead(): string[] {
    return this.daemons.filter((d) => d.exited).map((d) => d.name);
  }

  /** SIGTERM each process group, wait up to `graceMs`, then SIGKILL what is left. */
  async stopAll(graceMs = 3_000): Promise<void> {
    for (const d of this.daemons) signalGroup(d.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && this.daemons.some((d) => !d.exited)) await sleep(50);
    for (const d of this.daemons) {
      signalGroup(d.pid, 'SIGKILL');
      d.child.stdin?.destroy();
    }
  }
}

/** Signals a process group by its leader's PID; a group already gone is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
    } catch {
      // ESRCH: already gone.
    }
  }
}
