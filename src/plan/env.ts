/**
 * `${NAME}` and `${NAME:-default}` in plan strings, so one plan serves several
 * environments (`${STAGING_DC}`). `$${` writes a literal `${`. An unset variable without a
 * default is an error at the string's position, never an empty host name.
 */
import { PortolanError } from '../errors.js';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Copy of `data` with every string expanded. `locate` maps a JSON pointer to "file:line:col".
 * @throws PortolanError('PLAN_INVALID') naming the variable and where it is used.
 */
export function expandEnv(
  data: unknown,
  env: NodeJS.ProcessEnv,
  locate: (pointer: string) => string,
  pointer = '',
): unknown {
  if (typeof data === 'string') return expandString(data, env, () => locate(pointer));
  if (Array.isArray(data)) return data.map((item, i) => expandEnv(item, env, locate, `${pointer}/${i}`));
  if (data !== null && typeof data === 'object') {
    return Object.fromEntries(
      Object.entries(data).map(([key, value]) => [
        key,
        expandEnv(value, env, locate, `${pointer}/${escapePointer(key)}`),
      ]),
    );
  }
  return data;
}

function expandString(text: string, env: NodeJS.ProcessEnv, where: () => string): string {
  return text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    const value = env[name as string];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new PortolanError(
      'PLAN_INVALID',
      `environment variable ${name} is not set; found "${match}", expected ${name} to be exported (or write \${${name}:-default})`,
      { location: where() },
    );
  });
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
