/**
 * What one `/probe` checks: a module from the `--config` file (blackbox_exporter's modules:
 * a name -> roles/services/ports, run options, a time limit and waivers), or the
 * `role=`/`service=`/`port=` query parameters when no module is named. The file is YAML,
 * validated against checks/schema/exporter.schema.json, whose run options, port specs and
 * waivers are the plan schema's (themselves derived from the option table, run-options.ts),
 * so nothing is declared twice. Every problem is CONFIG_INVALID with "file:line:col".
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { type CheckScope, expandScope } from '../catalog/expand.js';
import { builtinChecksDir } from '../catalog/load.js';
import { parseSwitches } from '../catalog/options.js';
import { type LocatedYaml, readYamlFile, validateLocated } from '../catalog/yaml-file.js';
import { parseDuration } from '../duration.js';
import { isPortolanError, PortolanError } from '../errors.js';
import type { Catalog } from '../model.js';
import { planSchemaPath, type RawWaiver, toWaiver } from '../plan/load.js';
import type { PlanOptions, Waiver } from '../plan/types.js';
import { type RunSettings, resolveRunSettings } from '../run-options.js';

export const exporterSchemaPath = join(builtinChecksDir, 'schema', 'exporter.schema.json');

/**
 * Most ports one range row may sample: each probed port of a range is a set of series in
 * every scrape, so a module keeps the sample small (labels stay bounded) and never sweeps.
 */
export const MAX_MODULE_RPC_SAMPLE = 64;

/** One kind of probe the exporter runs. */
export interface ExporterModule {
  /** The module's name, or null for a probe from query parameters. */
  name: string | null;
  scope: CheckScope;
  /** Run options by key; the option table fills in the rest. */
  options: PlanOptions;
  /** The module's own time limit, or null to follow the scrape timeout alone. */
  timeoutMs: number | null;
  waivers: Waiver[];
}

export interface ExporterModules {
  /** Absolute path of the file, or null without `--config`. */
  file: string | null;
  modules: ReadonlyMap<string, ExporterModule>;
}

interface RawModule {
  description?: string;
  roles?: string[];
  services?: string[];
  ports?: string[];
  options?: PlanOptions;
  timeout?: string;
  waivers?: RawWaiver[];
}

// ajv-formats is CommonJS: its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
addFormats(ajv, ['date']);
ajv.addSchema(JSON.parse(await readFile(planSchemaPath, 'utf8')));
const validateConfig = ajv.compile(JSON.parse(await readFile(exporterSchemaPath, 'utf8')));

/** No `--config`: only query parameters name what to check. */
export const NO_MODULES: ExporterModules = { file: null, modules: new Map() };

/** Read and check a modules file; every module's scope is expanded once against `catalog`. */
export async function loadModules(file: string, catalog: Catalog): Promise<ExporterModules> {
  const yaml = await readYamlFile(file, 'CONFIG_INVALID');
  checkModuleNames(yaml);
  validateLocated(yaml, validateConfig, 'CONFIG_INVALID');
  const raw = (yaml.data as { modules: Record<string, RawModule> }).modules;
  const modules = new Map<string, ExporterModule>();
  for (const [name, m] of Object.entries(raw)) {
    modules.set(name, toModule(name, m, yaml, catalog));
  }
  return { file: resolve(file), modules };
}

/** Before the schema, whose word for a bad key is only "must match pattern" at the parent. */
function checkModuleNames(yaml: LocatedYaml): void {
  const modules = (yaml.data as { modules?: unknown } | null)?.modules;
  if (modules === null || typeof modules !== 'object' || Array.isArray(modules)) return;
  for (const name of Object.keys(modules)) {
    if (!MODULE_NAME.test(name)) {
      fail(
        yaml,
        `/modules/${pointerKey(name)}`,
        `module name "${name}": expected letters, digits, '.', '_', '-', starting with a letter or digit`,
      );
    }
  }
}

const MODULE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function pointerKey(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function toModule(name: string, m: RawModule, yaml: LocatedYaml, catalog: Catalog): ExporterModule {
  const at = `/modules/${pointerKey(name)}`;
  const scope = { roles: m.roles ?? [], services: m.services ?? [], ports: m.ports ?? [] };
  if (scope.roles.length + scope.services.length + scope.ports.length === 0) {
    fail(yaml, at, `module "${name}" checks nothing; expected roles, services or ports`);
  }
  const options = m.options ?? {};
  const settings = located(yaml, `${at}/options`, () => checkOptions(options));
  // Named conditions exist only in the catalog, so the option table cannot check them: here, at `with`.
  located(yaml, `${at}/options`, () => parseSwitches(catalog, options.with ?? []));
  locatedScope(yaml, at, scope, () => expandScope(catalog, scope, settings));
  const timeoutMs =
    m.timeout === undefined
      ? null
      : located(yaml, `${at}/timeout`, () => parseDuration(m.timeout as string, 'timeout'));
  return {
    name,
    scope,
    options,
    timeoutMs,
    waivers: (m.waivers ?? []).map((w, i) => {
      if (!w.target && !w.service && !w.port) {
        fail(yaml, `${at}/waivers/${i}`, 'waiver matches everything; expected at least one of target, service, port');
      }
      return toWaiver(w, `${at}/waivers/${i}`, yaml);
    }),
  };
}

/** The options through the option table (values and the rules across them), and the exporter's own bounds. */
function checkOptions(options: PlanOptions): RunSettings {
  const settings = resolveRunSettings(options);
  if (settings.rpcMode === 'sweep') {
    throw new PortolanError(
      'INVALID_VALUE',
      'rpcMode "sweep": expected discover or sample (a sweep puts thousands of ports in every scrape)',
      { fields: ['rpcMode'] },
    );
  }
  if (settings.rpcSample > MAX_MODULE_RPC_SAMPLE) {
    throw new PortolanError(
      'INVALID_VALUE',
      `rpcSample ${settings.rpcSample}: expected at most ${MAX_MODULE_RPC_SAMPLE} (each sampled port is a series in every scrape)`,
      { fields: ['rpcSample'] },
    );
  }
  return settings;
}

/**
 * The scope against the catalog, so an unknown role fails at start, not at every scrape; the
 * error is placed at the list that holds the id it names.
 */
function locatedScope(yaml: LocatedYaml, at: string, scope: CheckScope, fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (isPortolanError(err, 'INVALID_VALUE') || isPortolanError(err, 'UNKNOWN_ID')) {
      const list = (['roles', 'services', 'ports'] as const).find((k) =>
        scope[k].some((id) => err.detail.includes(`"${id}"`) || err.detail.includes(id)),
      );
      fail(yaml, list ? `${at}/${list}` : at, err.detail);
    }
    throw err;
  }
}

/** Run `fn`; its INVALID_VALUE becomes CONFIG_INVALID at `pointer`, or at the option it names under an options block. */
function located<T>(yaml: LocatedYaml, pointer: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isPortolanError(err, 'INVALID_VALUE')) {
      const field = err.fields[0];
      const inOptions = pointer.endsWith('/options') && field !== undefined;
      fail(yaml, inOptions ? `${pointer}/${field}` : pointer, err.detail);
    }
    throw err;
  }
}

function fail(yaml: LocatedYaml, pointer: string, message: string): never {
  throw new PortolanError('CONFIG_INVALID', message, { location: yaml.locate(pointer) });
}

/** Query parameters a probe may carry besides `target`. */
const SCOPE_PARAMS = { role: 'roles', service: 'services', port: 'ports' } as const;

/**
 * The module a probe's query names: `module=NAME` from the file, or `role=`, `service=` and
 * `port=` (repeatable or comma-separated) with the option table's defaults. INVALID_VALUE
 * (HTTP 400) for both or neither, an unknown module, or a scope the catalog rejects.
 */
export function moduleForQuery(query: URLSearchParams, config: ExporterModules, catalog: Catalog): ExporterModule {
  const named = query.getAll('module');
  const scope: CheckScope = { roles: [], services: [], ports: [] };
  for (const [param, key] of Object.entries(SCOPE_PARAMS)) {
    scope[key] = query
      .getAll(param)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
  }
  const fromQuery = scope.roles.length + scope.services.length + scope.ports.length > 0;
  if (named.length > 1) throw new PortolanError('INVALID_VALUE', 'module is given more than once; expected one module');
  const [name] = named;
  if (name !== undefined && fromQuery) {
    throw new PortolanError('INVALID_VALUE', 'module and role/service/port are both given; expected one of them');
  }
  if (name !== undefined) {
    const module = config.modules.get(name);
    if (!module)
      throw new PortolanError('INVALID_VALUE', `unknown module "${name}"; expected one of: ${knownModules(config)}`);
    return module;
  }
  if (!fromQuery) {
    throw new PortolanError('INVALID_VALUE', 'nothing to check; expected module=NAME, or role=, service= or port=');
  }
  expandScope(catalog, scope, resolveRunSettings({}));
  return { name: null, scope, options: {}, timeoutMs: null, waivers: [] };
}

function knownModules(config: ExporterModules): string {
  const names = [...config.modules.keys()];
  if (names.length > 0) return names.join(', ');
  return config.file === null ? 'none (start the exporter with --config FILE)' : 'none';
}
