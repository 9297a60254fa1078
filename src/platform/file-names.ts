/**
 * File and folder names that work on Windows, macOS and Linux alike. Windows forbids
 * `< > : " / \ | ? *` and control characters in a name, silently drops a trailing dot or
 * space (so `reports.` and `reports` are one folder), and reserves device names: `CON`,
 * `PRN`, `AUX`, `NUL`, `COM0`-`COM9`, `LPT0`-`LPT9`, with any extension (`NUL.json` is the
 * null device). Generated names keep to letters, digits, `.`, `-` and `_`; paths a user
 * gives are checked before a run, so a bad one costs a usage error, not the run's reports.
 */
import { posix, win32 } from 'node:path';

const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/** True when Windows reserves `name` for a device (the part before the first dot decides). */
export function isReservedName(name: string): boolean {
  return RESERVED.test(name.split('.')[0]?.trim() ?? '');
}

/**
 * Untrusted text (a target name, a role list) cut down to a piece of a file name: letters,
 * digits, `.`, `-` and `_` only (every other run becomes `_`), no leading `.`/`-`/`_` (no
 * hidden files, no option-like names), at most `maxLength` characters; `run` if nothing is left.
 */
export function fileNamePart(value: string, maxLength = 60): string {
  return (
    value
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._-]+/, '')
      .slice(0, maxLength) || 'run'
  );
}

/**
 * A whole file-name stem from untrusted text: `fileNamePart`, without a trailing dot, and
 * never a Windows device name (`CON` becomes `CON_`, `nul.corp.example` `nul_.corp.example`).
 */
export function portableStem(value: string, maxLength = 60): string {
  const kept = fileNamePart(value, maxLength).replace(/\.+$/, '') || 'run';
  return isReservedName(kept) ? kept.replace(/^([^.]*)/, '$1_') : kept;
}

/** Characters Windows refuses in a file or folder name (the colon is allowed only after a drive letter). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: Windows refuses control characters in names; this finds them.
const FORBIDDEN = /[<>:"|?*\u0000-\u001f]/;

/**
 * Why `path` cannot be a file or folder path on `platform`, in words, or null when it can.
 * On Windows: drive letters (`C:\Reports`), UNC shares (`\\server\share\dir`), `\\?\`
 * paths, forward slashes and spaces are all fine; forbidden characters, a component ending
 * in a dot or space, and device names are not. Elsewhere only a NUL byte is refused.
 */
export function pathProblem(path: string, platform: NodeJS.Platform): string | null {
  if (path.includes('\u0000')) return 'contains a NUL character';
  if (platform !== 'win32') return null;
  // The root (C:\, C:, \\server\share\, \\?\C:\) is what node:path recognises as one; the rest is names.
  const rest = path.slice(win32.parse(path).root.length);
  for (const part of rest.split(/[\\/]+/)) {
    if (part === '' || part === '.' || part === '..') continue;
    const bad = FORBIDDEN.exec(part)?.[0];
    if (bad !== undefined) {
      const shown = bad < ' ' ? `control character U+${bad.charCodeAt(0).toString(16).padStart(4, '0')}` : `"${bad}"`;
      return `"${part}" contains ${shown}, which Windows does not allow in a name${bad === ':' ? ' (a colon only follows a drive letter, as in C:\\)' : ''}`;
    }
    if (/[. ]$/.test(part)) return `"${part}" ends in a ${part.endsWith('.') ? 'dot' : 'space'}, which Windows drops`;
    if (isReservedName(part)) return `"${part}" is a device name on Windows (CON, PRN, AUX, NUL, COM0-9, LPT0-9)`;
  }
  return null;
}

/** node:path for `platform`: win32 rules on Windows, POSIX elsewhere (so tests can use either anywhere). */
export function pathFor(platform: NodeJS.Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}
