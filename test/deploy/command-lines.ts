/**
 * The portolan command lines inside the deploy examples (checks/deploy/), pulled out of each
 * file the way its engine reads it: Kubernetes container args (with `$(VAR)` from the
 * container's env), CI `run:`/`script:` shell lines (shell-quote), Ansible argv lists and
 * shell commands (Jinja variables from the role's defaults), a systemd ExecStart, and the
 * PowerShell task's argument string. Placeholders become sample values, and the deploy
 * paths of the plan become the repository's copy, so the real CLI can check each line.
 */
import { join } from 'node:path';
import { parse as parseShell } from 'shell-quote';

export const DEPLOY_DIR = join(import.meta.dirname, '../../checks/deploy');
export const FLEET_PLAN = join(DEPLOY_DIR, 'fleet.yaml');

/** Where the examples install the plan; each is the repository's checks/deploy/fleet.yaml. */
const PLAN_PATHS = new Set([
  '/etc/portolan/fleet.yaml',
  'C:\\ProgramData\\portolan\\fleet.yaml',
  'C:/ProgramData/portolan/fleet.yaml',
  'checks/deploy/fleet.yaml',
]);

export interface CommandLine {
  /** Where it was found, for the failure message. */
  where: string;
  /** Arguments after `portolan`. */
  args: string[];
}

/** `args` with the plan's deploy path replaced by the repository's copy. */
export function withRepoPlan(args: readonly string[]): string[] {
  return args.map((a) => (PLAN_PATHS.has(a) ? FLEET_PLAN : a));
}

/**
 * The portolan invocations in one shell script text: lines joined at backslash-newline,
 * each split at `&&`, `||`, `;` and `|`, keeping the commands whose first word is portolan.
 */
export function shellCommands(script: string, env: Record<string, string>, where: string): CommandLine[] {
  const found: CommandLine[] = [];
  for (const line of script.replace(/\\\n\s*/g, ' ').split('\n')) {
    let words: string[] = [];
    const flush = () => {
      if (words[0] === 'portolan' || words[0]?.endsWith('/portolan')) found.push({ where, args: words.slice(1) });
      words = [];
    };
    for (const token of parseShell(line, (name) => env[name] ?? `$${name}`)) {
      if (typeof token === 'string') words.push(token);
      else if ('comment' in token) break;
      // A glob stays a word: the shell would expand it to files the dry run does not read.
      else if (token.op === 'glob') words.push(token.pattern);
      else flush();
    }
    flush();
  }
  return found;
}

/** `{{ name }}` replaced from `vars` (anything else left as it is, so a test sees it). */
export function jinja(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) => vars[name] ?? whole);
}

/** `${{ matrix.x }}` replaced from `matrix` (GitHub Actions expressions). */
export function actionsExpressions(text: string, matrix: Record<string, string>): string {
  return text.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (whole, name: string) => matrix[name] ?? whole);
}
