/**
 * Where portolan keeps reports and run history when nobody says: `reports/` in the current
 * folder, as everywhere in the docs, unless the current folder is a system folder a run
 * must not write into. An elevated PowerShell and Task Scheduler start in
 * C:\Windows\System32; services and launchd jobs start in `/`. There the per-user data
 * folder is used instead: `%LOCALAPPDATA%\portolan` on Windows, `~/Library/Application
 * Support/portolan` on macOS, `$XDG_STATE_HOME/portolan` (`~/.local/state/portolan`)
 * elsewhere. Pure over an injected context, so tests cover every platform anywhere.
 */
import { homedir } from 'node:os';
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

/** True when `ctx.cwd` is a folder reports must not land in (the Windows folder, or `/`). */
export function inSystemFolder(ctx: PlatformContext): boolean {
  const path = pathFor(ctx.platform);
  const cwd = path.resolve(ctx.cwd);
  if (ctx.platform !== 'win32') return cwd === '/';
  const windir = path.resolve(ctx.env.SystemRoot ?? ctx.env.windir ?? 'C:\\Windows').toLowerCase();
  const here = cwd.toLowerCase();
  return here === windir || here.startsWith(`${windir}\\`);
}

/** The per-user folder for portolan's files. */
export function userDataDir(ctx: PlatformContext): string {
  const path = pathFor(ctx.platform);
  if (ctx.platform === 'win32') {
    return path.join(ctx.env.LOCALAPPDATA ?? path.join(ctx.home, 'AppData', 'Local'), 'portolan');
  }
  if (ctx.platform === 'darwin') return path.join(ctx.home, 'Library', 'Application Support', 'portolan');
  return path.join(ctx.env.XDG_STATE_HOME || path.join(ctx.home, '.local', 'state'), 'portolan');
}

/** Where reports go by default: `reports` (relative), or the user data folder's `reports` from a system folder. */
export function defaultReportDir(ctx: PlatformContext = currentPlatform()): string {
  return inSystemFolder(ctx) ? pathFor(ctx.platform).join(userDataDir(ctx), 'reports') : 'reports';
}

/** The run history database by default: `history.db` in the default report folder. */
export function defaultHistoryPath(ctx: PlatformContext = currentPlatform()): string {
  return pathFor(ctx.platform).join(defaultReportDir(ctx), 'history.db');
}
