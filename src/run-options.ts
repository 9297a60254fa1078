/**
 * The one table of run options. Each option is declared once, with its description,
 * default, command-line flag, parser and whether plans may set it; from this table come
 * the CLI's flags (`cli/run-option-flags.ts`), the defaults and checks of every run
 * (`resolveRunSettings`), the plan options type, and the `options` block of
 * checks/schema/plan.schema.json (`planOptionsSchema`; a test keeps the file equal to it).
 */
import { DEFAULT_RPC_PROFILE, RPC_PROFILES } from './catalog/options.js';
import { parsePortList } from './catalog/port-sets.js';
import { PortolanError } from './errors.js';
import type { ExpectMode, RpcProfile, RunOptions } from './model.js';
import { parseShard, type Shard, shardText } from './targets/shard.js';

/** One run option. `V` is its value once parsed. */
export interface OptionSpec<V> {
  /** The commander flag: "--timeout <ms>", "--all-addresses", "--no-app-probes". */
  flag: string;
  /** One line for the plan schema, and for `--help` unless `flagDescription` says otherwise. */
  description: string;
  /** What the flag does, where it differs from the option (`--no-app-probes` turns `appProbes` off). */
  flagDescription?: string;
  default: V;
  /** Plans may set it under `options:` (the plan key is the option's key). */
  inPlans: boolean;
  /** Allowed values, for `--help` and the schema's enum (choice options). */
  choices?: readonly string[];
  /** The flag may be given several times; the values add up (list options). */
  repeatable?: true;
  /** Command-line text to a value; INVALID_VALUE naming `field` when it is not one. */
  parse(text: string, field: string): V;
  /** A value from a plan or a library caller, checked; INVALID_VALUE naming `field` when it is not one. */
  check(value: unknown, field: string): V;
  /** The JSON Schema of its plan key (without the description). */
  schema: Record<string, unknown>;
}

/** Extra conditions that make a run exit 1; failures always do. */
export const FAIL_ON = ['inconclusive', 'waived-expiring'] as const;
export type FailOn = (typeof FAIL_ON)[number];

function invalid(field: string, shown: string, expected: string): PortolanError {
  return new PortolanError('INVALID_VALUE', `${field} ${shown}: expected ${expected}`, { fields: [field] });
}

function integer(min: number, max: number, dflt: number, flag: string, description: string): OptionSpec<number> {
  const expected = `a whole number from ${min} to ${max}`;
  const check = (value: unknown, field: string): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw invalid(field, String(value), expected);
    }
    return value;
  };
  return {
    flag,
    description,
    default: dflt,
    inPlans: true,
    parse: (text, field) => {
      if (!/^-?\d+$/.test(text.trim())) throw invalid(field, `"${text}"`, expected);
      return check(Number(text), field);
    },
    check,
    schema: { type: 'integer', minimum: min, maximum: max },
  };
}

function choice<T extends string>(choices: readonly T[], dflt: T, flag: string, description: string): OptionSpec<T> {
  const check = (value: unknown, field: string): T => {
    if (typeof value !== 'string' || !choices.includes(value as T)) {
      throw invalid(field, `"${String(value)}"`, choices.join(', '));
    }
    return value as T;
  };
  return {
    flag,
    description,
    default: dflt,
    inPlans: true,
    choices,
    parse: (text, field) => check(text, field),
    check,
    schema: { enum: [...choices] },
  };
}

/** Free text or null; `validate` throws INVALID_VALUE naming the field when the text is not usable. */
function text(
  flag: string,
  description: string,
  validate: (value: string, field: string) => void = () => {},
): OptionSpec<string | null> {
  const check = (value: unknown, field: string): string | null => {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string' || value.trim() === '') throw invalid(field, `"${String(value)}"`, 'a value');
    validate(value, field);
    return value;
  };
  return { flag, description, default: null, inPlans: true, parse: check, check, schema: { type: 'string' } };
}

function boolean(dflt: boolean, flag: string, description: string, flagDescription?: string): OptionSpec<boolean> {
  const check = (value: unknown, field: string): boolean => {
    if (typeof value !== 'boolean') throw invalid(field, `"${String(value)}"`, 'true or false');
    return value;
  };
  return {
    flag,
    description,
    ...(flagDescription ? { flagDescription } : {}),
    default: dflt,
    inPlans: true,
    parse: (t, field) => check(t === 'true' ? true : t === 'false' ? false : t, field),
    check,
    schema: { type: 'boolean' },
  };
}

function failOnList(): OptionSpec<FailOn[]> {
  const expected = `${FAIL_ON.join(', ')} (comma-separated)`;
  const check = (value: unknown, field: string): FailOn[] => {
    const list = Array.isArray(value) ? value : [value];
    // "fail" is what `check --fail-on` meant before conditions could be combined: failures always exit 1.
    const bad = list.find((v) => v !== 'fail' && !FAIL_ON.includes(v as FailOn));
    if (bad !== undefined) throw invalid(field, `"${String(bad)}"`, expected);
    return [...new Set(list.filter((v): v is FailOn => v !== 'fail'))];
  };
  return {
    flag: '--fail-on <conditions>',
    description:
      'failures always exit 1; also exit 1 on: inconclusive (instead of 3), waived-expiring (a waiver in use expires soon)',
    default: [],
    inPlans: false, // plans set it at their top level (`failOn:`), next to the waivers it is about
    choices: FAIL_ON,
    parse: (t, field) =>
      check(
        t.split(',').map((s) => s.trim()),
        field,
      ),
    check,
    schema: { type: 'array', items: { enum: [...FAIL_ON] }, uniqueItems: true },
  };
}

/**
 * Named conditions (`gc`, `dfsr-sysvol` ...), repeatable or comma-separated, lower-cased. The
 * catalog knows which names exist: `parseSwitches` checks them there before anything is probed.
 */
function switchList(): OptionSpec<string[]> {
  const expected = 'named conditions such as gc or dfsr-sysvol (see `portolan catalog switches`)';
  const check = (value: unknown, field: string): string[] => {
    const list = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
    const bad = list.find((v) => typeof v !== 'string' || !/^\s*[A-Za-z0-9][A-Za-z0-9-]*\s*$/.test(v));
    if (bad !== undefined) throw invalid(field, `"${String(bad)}"`, expected);
    return [...new Set((list as string[]).map((v) => v.trim().toLowerCase()))];
  };
  return {
    flag: '--with <names>',
    description:
      'turn on named conditions (repeatable or comma-separated), e.g. gc,dfsr-sysvol: the rows they govern become required',
    default: [],
    inPlans: true,
    repeatable: true,
    parse: (t, field) => check(t, field),
    check,
    schema: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9-]*$' }, uniqueItems: true },
  };
}

/** A vantage point's name: printable, no leading or trailing space, at most 128 characters. */
function sourceName(): OptionSpec<string | null> {
  return text(
    '--source-name <name>',
    'the vantage point\u2019s name in the result, the history, reports and metrics, e.g. vlan-20 (default: the host name)',
    (value, field) => {
      if (!/^[^\s\p{C}](?:[^\p{C}]{0,126}[^\s\p{C}])?$/u.test(value)) {
        throw invalid(field, `"${value.slice(0, 140)}"`, 'printable text of 1 to 128 characters');
      }
    },
  );
}

/**
 * Label keys `--site` may not use: the labels every portolan metric already has, and those
 * Prometheus sets on a scrape. A site label goes on every series (exporter, agent metrics).
 */
export const RESERVED_SITE_KEYS = [
  'source',
  'target',
  'role',
  'service',
  'protocol',
  'port',
  'state',
  'status',
  'severity',
  'digest',
  'version',
  'instance',
  'job',
] as const;

/** Labels one vantage point may carry at most: every label is on every series it exports. */
const MAX_SITE_LABELS = 16;

/**
 * `--site KEY=VALUE` (repeatable; in plans `site: [vlan=20, site=branch-12]`): the vantage
 * point's labels. Keys follow Prometheus' label name rules, since they become metric labels;
 * a key given twice is an error, not a silent override.
 */
function siteList(): OptionSpec<string[]> {
  const expected = `KEY=VALUE with KEY a letter or _ then letters, digits or _ (not ${RESERVED_SITE_KEYS.join(', ')}; not __...) and a printable VALUE of 1 to 128 characters`;
  const check = (value: unknown, field: string): string[] => {
    const list = Array.isArray(value) ? value : [value];
    const keys = new Set<string>();
    const out: string[] = [];
    for (const item of list) {
      const m = typeof item === 'string' ? /^\s*([A-Za-z_][A-Za-z0-9_]*)=([^\p{C}]{1,128})$/u.exec(item) : null;
      const key = m?.[1] as string;
      const labelValue = (m?.[2] ?? '').trim();
      if (!m || labelValue === '' || key.startsWith('__') || (RESERVED_SITE_KEYS as readonly string[]).includes(key)) {
        throw invalid(field, `"${String(item).slice(0, 140)}"`, expected);
      }
      if (keys.has(key)) throw invalid(field, `"${item}"`, `each key once (${key} is given twice)`);
      keys.add(key);
      out.push(`${key}=${labelValue}`);
    }
    if (out.length > MAX_SITE_LABELS) throw invalid(field, `(${out.length} labels)`, `at most ${MAX_SITE_LABELS}`);
    return out;
  };
  return {
    flag: '--site <key=value>',
    description:
      'a label of the vantage point (repeatable), e.g. site=branch-12 or vlan=20: in the result, the history, reports and metrics',
    default: [],
    inPlans: true,
    repeatable: true,
    parse: (t, field) => check([t], field),
    check,
    schema: {
      type: 'array',
      items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*=.+$' },
      maxItems: MAX_SITE_LABELS,
    },
  };
}

/** `--shard I/N`: this worker's part of the targets (targets/shard.ts); not in plans, since each worker differs. */
function shardOption(): OptionSpec<Shard | null> {
  const check = (value: unknown, field: string): Shard | null =>
    value === null || value === undefined ? null : parseShard(value, field);
  return {
    flag: '--shard <i/n>',
    description:
      'probe only shard I of N (I from 0): targets split by a hash of their name, so N workers cover every target once',
    default: null,
    inPlans: false,
    parse: check,
    check,
    schema: { type: 'string', pattern: '^\\d+/\\d+$' },
  };
}

/** The labels `--site` gave, as an object (run.source.labels). */
export function siteLabels(site: readonly string[]): Record<string, string> {
  return Object.fromEntries(site.map((item) => [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)]));
}

/** Every run option, keyed as RunOptions, plan keys and library callers name them. */
export const RUN_OPTIONS = {
  expect: choice<ExpectMode>(
    ['listening', 'reachable'],
    'listening',
    '--expect <mode>',
    'listening: the service must answer; reachable: pre-deployment, closed passes too',
  ),
  profile: choice<RpcProfile>(
    RPC_PROFILES,
    DEFAULT_RPC_PROFILE,
    '--profile <profile>',
    'dynamic RPC range: modern 49152-65535, legacy 1025-5000, or both',
  ),
  rpcRange: text(
    '--rpc-range <ports>',
    'the dynamic RPC range your servers are pinned to, e.g. 5000-5100 (replaces the profile)',
    (value, field) => void parsePortList(value, field),
  ),
  rpcMode: choice<RunOptions['rpcMode']>(
    ['discover', 'sample', 'sweep'],
    'discover',
    '--rpc <mode>',
    'dynamic RPC ports: discover them via the endpoint mapper (a sample when it lists none), sample K without asking it, or sweep all',
  ),
  rpcSample: integer(1, 16_384, 16, '--rpc-sample <k>', 'ports to sample from a range (of a UDP range, 4 at most)'),
  ftpPassiveRange: text(
    '--ftp-passive-range <ports>',
    'the passive data range IIS FTP servers are pinned to, e.g. 50000-50100 (default: the RPC profile\u2019s range)',
    (value, field) => void parsePortList(value, field),
  ),
  with: switchList(),
  os: text('--os <os>', 'target OS (2003, 2008, 2008r2, 2012 ... 2025) for OS-specific rows such as DFSR 5722/tcp'),
  clientOs: text('--client-os <os>', 'clients\u2019 OS (xp, 2003 ...) for rows that only old clients need'),
  timeoutMs: integer(
    1,
    600_000,
    1500,
    '--timeout <ms>',
    'TCP connect timeout (at least 3000 on Windows) and UDP wait per datagram, in ms',
  ),
  retries: integer(0, 10, 2, '--retries <n>', 'UDP retransmissions after the first datagram'),
  concurrency: integer(1, 10_000, 256, '--concurrency <n>', 'probes in flight in the whole run'),
  perHost: integer(1, 10_000, 32, '--per-host <n>', 'probes in flight per target address'),
  targetsInFlight: integer(
    1,
    10_000,
    64,
    '--targets-in-flight <n>',
    'targets probed at once; each is judged, written and released when its probes finish, so memory follows this, not the target count',
  ),
  source: text('--source <address>', 'bind every probe to this local address (multi-homed agents)'),
  allAddresses: boolean(false, '--all-addresses', 'probe every address a name resolves to, not only the first'),
  cidrLimit: integer(
    1,
    16_777_216,
    65_536,
    '--cidr-limit <n>',
    'addresses one CIDR target (10.0.4.0/22) may stand for at most: a guard against a /8 typo',
  ),
  appProbes: boolean(
    true,
    '--no-app-probes',
    'speak each port\u2019s protocol after the TCP handshake, to prove the service answers',
    'plain TCP connects: no protocol conversation after the handshake',
  ),
  responder: boolean(
    false,
    '--responder',
    'pre-deployment: talk to `portolan listen` on the target; every port must answer it',
  ),
  failOn: failOnList(),
  sourceName: sourceName(),
  site: siteList(),
  shard: shardOption(),
} as const satisfies Record<string, OptionSpec<unknown>>;

export type RunOptionKey = keyof typeof RUN_OPTIONS;

/** Every run option with its value: what a run was asked for, defaults filled in. */
export type RunSettings = {
  -readonly [K in RunOptionKey]: (typeof RUN_OPTIONS)[K] extends OptionSpec<infer V> ? V : never;
};

/** The options a plan may set (a group's `options:` override the plan's). */
export type PlanOptions = Partial<Omit<RunSettings, 'failOn'>>;

/** Defaults for every option, from the table. */
export function defaultRunSettings(): RunSettings {
  return Object.fromEntries(
    Object.entries(RUN_OPTIONS).map(([key, spec]) => [key, structuredClone(spec.default)]),
  ) as RunSettings;
}

/**
 * The settings of one run: `given` values checked against the table, defaults for the
 * rest, then the rules across options. INVALID_VALUE names the option's key.
 */
export function resolveRunSettings(given: Partial<RunSettings>): RunSettings {
  const settings = defaultRunSettings() as Record<string, unknown>;
  for (const [key, spec] of Object.entries(RUN_OPTIONS) as [RunOptionKey, OptionSpec<unknown>][]) {
    const value = given[key];
    if (value !== undefined) settings[key] = spec.check(value, key);
  }
  const s = settings as RunSettings;
  if (s.perHost > s.concurrency) {
    throw new PortolanError('INVALID_VALUE', `perHost ${s.perHost} is larger than concurrency ${s.concurrency}`, {
      fields: ['perHost', 'concurrency'],
    });
  }
  return s;
}

/** How the JSON result records the settings (`run.options`): schemaVersion 1 keeps `failOn` one word. */
export function resultOptions(s: RunSettings, asked: Pick<RunOptions, 'roles' | 'services' | 'ports'>): RunOptions {
  return {
    roles: asked.roles,
    services: asked.services,
    ports: asked.ports,
    expect: s.expect,
    profile: s.profile,
    rpcRange: s.rpcRange,
    rpcSample: s.rpcSample,
    rpcMode: s.rpcMode,
    os: s.os,
    clientOs: s.clientOs,
    timeoutMs: s.timeoutMs,
    retries: s.retries,
    concurrency: s.concurrency,
    perHost: s.perHost,
    source: s.source,
    allAddresses: s.allAddresses,
    appProbes: s.appProbes,
    failOn: s.failOn.includes('inconclusive') ? 'inconclusive' : 'fail',
    responder: s.responder,
    with: s.with,
    ftpPassiveRange: s.ftpPassiveRange,
    shard: s.shard ? shardText(s.shard) : null,
  };
}

/** The fail-on conditions a saved result records (`run.options.failOn`). */
export function failOnOf(options: Pick<RunOptions, 'failOn'>): FailOn[] {
  return options.failOn === 'inconclusive' ? ['inconclusive'] : [];
}

/** The plan schema's `options` block, as checks/schema/plan.schema.json must hold it. */
export function planOptionsSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(RUN_OPTIONS) as [RunOptionKey, OptionSpec<unknown>][]) {
    if (!spec.inPlans) continue;
    const shown = typeof spec.default === 'string' ? spec.default : JSON.stringify(spec.default);
    const dflt = spec.default === null ? '' : ` @default ${shown}`;
    properties[key] = { ...spec.schema, description: `${spec.description}.${dflt}` };
  }
  return {
    type: 'object',
    additionalProperties: false,
    description: "Run options; a group's options override the plan's.",
    properties,
  };
}
