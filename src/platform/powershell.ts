/**
 * Running a PowerShell script on Windows: Windows PowerShell 5.1 (`powershell.exe`, present
 * on every supported Windows), no profile, no prompts, the script passed as
 * `-EncodedCommand` (base64 of UTF-16LE) so no quoting of ours can break it. Callers take a
 * `PowerShellRunner`, so tests inject a recorded answer instead.
 */
import { execFile } from 'node:child_process';

export interface PowerShellOutcome {
  /** Exit status; null when it could not start or was killed at the deadline. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export type PowerShellRunner = (script: string) => Promise<PowerShellOutcome>;

/** The real runner. @param timeoutMs deadline for the whole script. */
export function powerShell(timeoutMs = 60_000): PowerShellRunner {
  return (script) =>
    new Promise((resolve) => {
      const encoded = Buffer.from(script, 'utf16le').toString('base64');
      execFile(
        'powershell.exe',
        ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encoded],
        { timeout: timeoutMs, windowsHide: true, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = (err as NodeJS.ErrnoException | null)?.code;
          resolve({
            exitCode: err ? (typeof code === 'number' ? code : null) : 0,
            stdout,
            stderr: stderr || (err && typeof code !== 'number' ? err.message : ''),
          });
        },
      );
    });
}
