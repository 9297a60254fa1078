/**
 * Where portolan keeps reports and run history when nobody says: `reports/` in the current
 * folder, as everywhere in the docs. The one exception is Windows' own folder: an elevated
 * PowerShell and Task Scheduler start in C:\Windows\System32, where a run must not leave
 * files, so from there `%LOCALAPPDATA%\portolan\reports` is used. (On Linux and macOS `/`
 * stays `/reports`: containers run from `/` with a volume mounted there.) Pure over an
 * injected context, so tests cover every platform anywhere.
 */
import { homedir } from 'node:os';
import { win32 } from 'node:path';
import { pathFor } from './file-names.js';

export interface PlatformContext {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  cwd: string;
  home: string;
}

export function currentPlatform(): PlatformContext {
  return { platform: process.platform, env: process.env, cwd: process.cwd(), home: homedir() };
}

/** True when `ctx.cwd` is inside the Windows folder (C:\Windows, C:\Windows\System32 ...). */
export function inWindowsFolder(ctx: PlatformContext): boolean {
  if (ctx.platform !== 'win32') return false;
  const windir = win32.resolve(ctx.env.SystemRoot ?? ctx.env.windir ?? 'C:\\Windows').toLowerCase();
  const here = win32.resolve(ctx.cwd).toLowerCase();
  return here === windir || here.startsWith(`${windir}\\`);
}

/** Where reports go by default: `reports` (relative), or `%LOCALAPPDATA%\portolan\reports` from the Windows folder. */
export function defaultReportDir(ctx: PlatformContext = currentPlatform()): string {
  if (!inWindowsFolder(ctx)) return 'reports';
  return win32.join(ctx.env.LOCALAPPDATA ?? win32.join(ctx.home, 'AppData', 'Local'), 'portolan', 'reports');
}

/** The run history database by default: `history.db` in the default report folder. */
export function defaultHistoryPath(ctx: PlatformContext = currentPlatform()): string {
  return pathFor(ctx.platform).join(defaultReportDir(ctx), 'history.db');
}
