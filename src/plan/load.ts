/**
 * Read a plan file: YAML with positions, `${VAR}` expansion, JSON Schema validation
 * (`checks/schema/plan.schema.json`, draft 2020-12) and the cross-field rules a schema says
 * badly. Every problem is a PortolanError('PLAN_INVALID') with "file:line:col" (exit 2).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { planRole, planService } from '../catalog/expand.js';
import { parseSwitches } from '../catalog/options.js';
import { type LocatedYaml, parseYamlText, readYamlFile, validateLocated } from '../catalog/yaml-file.js';
import { isPortolanError, PortolanError } from '../errors.js';
import type { Catalog } from '../model.js';
import { defaultReportDir } from '../platform/data-dir.js';
import { pathProblem } from '../platform/file-names.js';
import type { Format } from '../report/types.js';
import { type FailOn, type OptionSpec, RUN_OPTIONS, resolveRunSettings } from '../run-options.js';
import { countEntry } from '../targets/target-list.js';
import { expandEnv } from './env.js';
import type { BlockRule, Plan, PlanGroup, PlanOptions, Waiver } from './types.js';

export const planSchemaPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'checks',
  'schema',
  'plan.schema.json',
);

// ajv-formats is CommonJS: its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
addFormats(ajv, ['date']);
const validatePlan = ajv.compile(JSON.parse(await readFile(planSchemaPath, 'utf8')));

interface RawGroup {
  name: string;
  description?: string;
  targets?: string[];
  targetsFiles?: string[];
  domain?: { name: string; dnsServer?: string };
  roles?: string[];
  services?: string[];
  ports?: string[];
  blocked?: Partial<BlockRule>;
  options?: PlanOptions;
}

/** A waiver as a plan (or an exporter module) writes it. */
export interface RawWaiver {
  target?: string;
  service?: string;
  port?: string;
  reason: string;
  owner: string;
  expires: string;
}

interface RawPlan {
  name: string;
  description?: string;
  options?: PlanOptions;
  groups: RawGroup[];
  waivers?: RawWaiver[];
  outputs?: { directory?: string; formats?: Format[] };
  failOn?: FailOn[];
  waiverWarningDays?: number;
}

export interface LoadPlanOptions {
  /** Variables for `${NAME}`. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * The catalog the plan runs against: its roles, services and named conditions are checked
   * while the file is read, so an unknown one is named with its line and column. @default not checked
   */
  catalog?: Catalog;
  /** Whose path rules `outputs.directory` must follow. @default process.platform */
  platform?: NodeJS.Platform;
}

export async function loadPlan(file: string, opts: LoadPlanOptions = {}): Promise<Plan> {
  return planFromYaml(await readYamlFile(file, 'PLAN_INVALID'), opts);
}

/** Same as `loadPlan` for text already in memory (tests, stdin). */
export function parsePlan(text: string, file: string, opts: LoadPlanOptions = {}): Plan {
  return planFromYaml(parseYamlText(text, file, 'PLAN_INVALID'), opts);
}

function planFromYaml(yaml: LocatedYaml, opts: LoadPlanOptions): Plan {
  const expanded: LocatedYaml = { ...yaml, data: expandEnv(yaml.data, opts.env ?? process.env, yaml.locate) };
  validateLocated(expanded, validatePlan, 'PLAN_INVALID');
  const raw = expanded.data as RawPlan;
  checkGroups(raw, expanded);
  checkOptions(raw, expanded);
  if (opts.catalog) checkCatalogIds(raw, expanded, opts.catalog);
  const directoryProblem = raw.outputs?.directory
    ? pathProblem(raw.outputs.directory, opts.platform ?? process.platform)
    : null;
  if (directoryProblem) fail(expanded, '/outputs/directory', `outputs.directory: ${directoryProblem}`);
  const options = raw.options ?? {};
  return {
    name: raw.name,
    description: raw.description ?? null,
    file: resolve(yaml.file),
    options,
    groups: raw.groups.map((g) => toGroup(g, options, dirname(resolve(yaml.file)))),
    waivers: (raw.waivers ?? []).map((w, i) => toWaiver(w, `/waivers/${i}`, expanded)),
    outputs: {
      directory: raw.outputs?.directory ?? defaultReportDir(),
      formats: raw.outputs?.formats ?? ['json'],
    },
    failOn: raw.failOn ?? [],
    waiverWarningDays: raw.waiverWarningDays ?? 14,
  };
}

/** Rules across fields: where a schema `anyOf` would only say "must match a schema in anyOf". */
function checkGroups(raw: RawPlan, yaml: LocatedYaml): void {
  const seen = new Map<string, number>();
  raw.groups.forEach((g, i) => {
    const at = `/groups/${i}`;
    const previous = seen.get(g.name);
    if (previous !== undefined) {
      fail(
        yaml,
        `${at}/name`,
        `group name "${g.name}" is used twice (also groups[${previous}]); expected unique names`,
      );
    }
    seen.set(g.name, i);
    if ((g.targets || g.targetsFiles) && g.domain) {
      fail(yaml, `${at}/domain`, `group "${g.name}" has both targets and domain; expected one of them`);
    }
    if (!g.targets && !g.targetsFiles && !g.domain) {
      fail(
        yaml,
        at,
        `group "${g.name}" names no targets; expected "targets" (host names, addresses or CIDR prefixes), "targetsFiles" or "domain"`,
      );
    }
    // A prefix's syntax and size are checked here, where the plan can point at the entry.
    const cidrLimit = g.options?.cidrLimit ?? raw.options?.cidrLimit ?? RUN_OPTIONS.cidrLimit.default;
    (g.targets ?? []).forEach((t, j) => {
      located(yaml, `${at}/targets/${j}`, () => countEntry(t, 'target', cidrLimit));
    });
    const blocked = g.blocked ?? {};
    const wanted = [g.roles, g.services, g.ports, blocked.roles, blocked.services, blocked.ports];
    if (!wanted.some((list) => list && list.length > 0)) {
      fail(yaml, at, `group "${g.name}" checks nothing; expected roles, services, ports or blocked`);
    }
    const overlap = (g.ports ?? []).filter((p) => blocked.ports?.includes(p));
    if (overlap.length > 0) {
      fail(yaml, `${at}/blocked/ports`, `group "${g.name}" both requires and blocks ${overlap.join(', ')}`);
    }
  });
  (raw.waivers ?? []).forEach((w, i) => {
    if (!w.target && !w.service && !w.port) {
      fail(yaml, `/waivers/${i}`, 'waiver matches everything; expected at least one of target, service, port');
    }
  });
}

/** Options that describe the whole run, so a group may not set its own. */
const RUN_WIDE_OPTIONS = ['sourceName', 'site'] as const;

/**
 * The values the schema cannot judge (an RPC range list) and the rules across options
 * (perHost <= concurrency), checked by the run option table with the plan's line and column.
 */
function checkOptions(raw: RawPlan, yaml: LocatedYaml): void {
  const check = (options: PlanOptions | undefined, pointer: string) => {
    for (const [key, value] of Object.entries(options ?? {})) {
      located(yaml, `${pointer}/${key}`, () =>
        (RUN_OPTIONS[key as keyof PlanOptions] as OptionSpec<unknown>).check(value, key),
      );
    }
  };
  check(raw.options, '/options');
  raw.groups.forEach((g, i) => {
    check(g.options, `/groups/${i}/options`);
    // One run has one vantage point: its name and labels belong to the whole plan.
    for (const key of RUN_WIDE_OPTIONS) {
      if (g.options?.[key] !== undefined) {
        fail(
          yaml,
          `/groups/${i}/options/${key}`,
          `${key} names the vantage point of the whole run; expected it under the plan's options, not group "${g.name}"`,
        );
      }
    }
    located(yaml, g.options ? `/groups/${i}/options` : '/options', () =>
      resolveRunSettings({ ...raw.options, ...g.options }),
    );
  });
}

/** Roles, services and named conditions the catalog does not know, at their line and column. */
function checkCatalogIds(raw: RawPlan, yaml: LocatedYaml, catalog: Catalog): void {
  const ids = (list: string[] | undefined, pointer: string, expand: (id: string) => unknown) => {
    for (const [j, id] of (list ?? []).entries()) located(yaml, `${pointer}/${j}`, () => expand(id));
  };
  const switches = (options: PlanOptions | undefined, pointer: string) => {
    if (options?.with) located(yaml, `${pointer}/with`, () => parseSwitches(catalog, options.with ?? []));
  };
  switches(raw.options, '/options');
  raw.groups.forEach((g, i) => {
    const at = `/groups/${i}`;
    ids(g.roles, `${at}/roles`, (id) => planRole(catalog, id));
    ids(g.services, `${at}/services`, (id) => planService(catalog, id));
    ids(g.blocked?.roles, `${at}/blocked/roles`, (id) => planRole(catalog, id));
    ids(g.blocked?.services, `${at}/blocked/services`, (id) => planService(catalog, id));
    switches(g.options, `${at}/options`);
  });
}

/** Run `fn`; its INVALID_VALUE or UNKNOWN_ID becomes PLAN_INVALID at `pointer`. */
function located(yaml: LocatedYaml, pointer: string, fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (isPortolanError(err, 'INVALID_VALUE') || isPortolanError(err, 'UNKNOWN_ID')) fail(yaml, pointer, err.message);
    throw err;
  }
}

function fail(yaml: LocatedYaml, pointer: string, message: string): never {
  throw new PortolanError('PLAN_INVALID', message, { location: yaml.locate(pointer) });
}

/** A group as the run takes it; its targets files are relative to the plan's folder (`planDir`). */
function toGroup(g: RawGroup, planOptions: PlanOptions, planDir: string): PlanGroup {
  const blocked = g.blocked;
  const hasBlocked = Boolean(blocked && (blocked.roles?.length || blocked.services?.length || blocked.ports?.length));
  return {
    name: g.name,
    description: g.description ?? null,
    targets: g.targets ?? [],
    targetsFiles: (g.targetsFiles ?? []).map((f) => (f === '-' ? f : resolve(planDir, f))),
    domain: g.domain ?? null,
    roles: g.roles ?? [],
    services: g.services ?? [],
    ports: g.ports ?? [],
    blocked: hasBlocked
      ? {
          roles: blocked?.roles ?? [],
          services: blocked?.services ?? [],
          ports: blocked?.ports ?? [],
          reason: blocked?.reason ?? null,
        }
      : null,
    options: { ...planOptions, ...g.options },
  };
}

/** A written waiver with the place it was written, for the notes that name it. */
export function toWaiver(w: RawWaiver, pointer: string, yaml: LocatedYaml): Waiver {
  return {
    target: w.target ?? null,
    service: w.service ?? null,
    port: w.port ?? null,
    reason: w.reason,
    owner: w.owner,
    expires: w.expires,
    location: yaml.locate(pointer),
  };
}
