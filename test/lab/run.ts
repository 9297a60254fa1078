/**
 * Runs the short-lived commands of the lab (ip, nft, ss, sysctl, samba-tool, probes) with a hard
 * timeout each, so no step of setup, test or teardown can block the suite.
 */
import { execFile } from 'node:child_process';

export interface RunOutput {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  /** Resolve with the exit code instead of rejecting when the command fails. */
  allowFailure?: boolean;
  cwd?: string;
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/** @default timeoutMs 15000 */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunOutput> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 32 * 1024 * 1024,
        cwd: options.cwd,
        env: options.env,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const timedOut = error !== null && (error as { killed?: boolean }).killed === true;
        const rawCode = error === null ? 0 : (error as { code?: unknown }).code;
        const code = typeof rawCode === 'number' ? rawCode : error === null ? 0 : -1;
        const out: RunOutput = { code, stdout, stderr, timedOut };
        if (error !== null && options.allowFailure !== true) {
          const why = timedOut ? `timed out after ${timeoutMs} ms` : `exited ${code}`;
          reject(new Error(`${cmd} ${args.join(' ')} ${why}: ${stderr.trim() || stdout.trim()}`));
          return;
        }
        resolve(out);
      },
    );
    // Always close stdin: a command that reads it would otherwise wait until its timeout.
    // A command that exits without reading its stdin must not crash us with EPIPE.
    child.stdin?.on('error', () => {});
    if (options.input === undefined) child.stdin?.end();
    else child.stdin?.end(options.input);
  });
}

/** Runs a command inside a network namespace, with the same timeout rules. */
export function runIn(ns: string, cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunOutput> {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], options);
}
