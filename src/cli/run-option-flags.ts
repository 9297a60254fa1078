/**
 * Commander flags derived from the run option table (`run-options.ts`): one `--flag` per
 * option with its description, default and parser, read back into settings by key. Library
 * errors name an option by its key (`timeoutMs`); `withFlagNames` shows the flag instead.
 */
import { type Command, Option } from 'commander';
import { PortolanError } from '../errors.js';
import { type OptionSpec, RUN_OPTIONS, type RunOptionKey, type RunSettings } from '../run-options.js';

/** Flags of request fields that are not run options but appear in library errors. */
const REQUEST_FLAGS: Record<string, string> = {
  roles: '--role',
  services: '--service',
  ports: '--port',
  domain: '--domain',
  token: '--token',
  protocol: '--protocol',
};

/** The flag a field is set with on the command line ("--timeout" for timeoutMs), if it has one. */
export function flagFor(field: string): string | undefined {
  const spec = (RUN_OPTIONS as Record<string, OptionSpec<unknown>>)[field];
  return spec ? flagName(spec) : REQUEST_FLAGS[field];
}

/** `err` with the fields it names spelled as flags, for errors about what was given on the command line. */
export function withFlagNames(err: unknown): unknown {
  return err instanceof PortolanError ? err.renamed(flagFor) : err;
}

/** A command action whose library errors name flags, not fields (the library says `os`, the user typed `--os`). */
export function flagged<A extends unknown[]>(
  action: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (err) {
      throw withFlagNames(err);
    }
  };
}

/** "--timeout" of "--timeout <ms>"; "--app-probes" of "--no-app-probes" is shown as written. */
function flagName(spec: OptionSpec<unknown>): string {
  return spec.flag.split(' ')[0] as string;
}

function optionFor(key: RunOptionKey, description?: string): Option {
  const spec = RUN_OPTIONS[key] as OptionSpec<unknown>;
  const option = new Option(spec.flag, description ?? spec.flagDescription ?? spec.description);
  if (spec.choices && !Array.isArray(spec.default)) {
    option.choices(spec.choices); // commander says which values are allowed
  } else if (spec.repeatable) {
    option.argParser((text: string, previous: unknown) => {
      try {
        return spec.check([...(Array.isArray(previous) ? previous : []), ...(spec.parse(text, key) as unknown[])], key);
      } catch (err) {
        throw withFlagNames(err);
      }
    });
  } else if (spec.flag.includes('<')) {
    option.argParser((text: string) => {
      try {
        return spec.parse(text, key);
      } catch (err) {
        throw withFlagNames(err);
      }
    });
  }
  // Shown in --help where it says something: not for null, false, [] or a negated flag (on unless given).
  const silent =
    spec.default === null || spec.default === false || (Array.isArray(spec.default) && !spec.default.length);
  if (!option.negate && !silent) option.default(spec.default);
  return option;
}

/** Add the flags of `keys` to `cmd`; `descriptions` overrides the table's text for this command. */
export function addRunOptions(
  cmd: Command,
  keys: readonly RunOptionKey[],
  descriptions: Partial<Record<RunOptionKey, string>> = {},
): Command {
  for (const key of keys) cmd.addOption(optionFor(key, descriptions[key]));
  return cmd;
}

/** The settings `keys` were given on the command line (or defaulted by the table), by option key. */
export function runSettingsFrom(
  cmd: Command,
  flags: Record<string, unknown>,
  keys: readonly RunOptionKey[],
): Partial<RunSettings> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const attribute = cmd.options.find((o) => o.flags === RUN_OPTIONS[key].flag)?.attributeName();
    const value = attribute === undefined ? undefined : flags[attribute];
    if (value !== undefined) out[key] = value;
  }
  return out as Partial<RunSettings>;
}
