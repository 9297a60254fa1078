/**
 * Load and validate the catalog: `checks/services/*.yaml` and `checks/roles/*.yaml`
 * from the built-in directory, then from each user directory (`--checks DIR`), where a
 * file with an existing id overrides it. Every problem is a PortolanError('CATALOG_INVALID')
 * naming file, line and column.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { PortolanError } from '../errors.js';
import type { Catalog, PortRow, Role, RoleService, Service } from '../model.js';
import { switchNames } from './switches.js';
import { type LocatedYaml, readYamlFile, validateLocated } from './yaml-file.js';

/** The repository's `checks/` folder (works from `src/` under tsx and from `dist/`). */
export const builtinChecksDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'checks');

const ajv = new Ajv2020({ allErrors: true, strict: false });
const schemaDir = join(builtinChecksDir, 'schema');
const serviceSchema = JSON.parse(await readFile(join(schemaDir, 'service.schema.json'), 'utf8'));
const validateService = ajv.compile(serviceSchema);
const validateRole = ajv.compile(JSON.parse(await readFile(join(schemaDir, 'role.schema.json'), 'utf8')));

/** The OS tokens rows may name in `when`, oldest first, as the service schema lists them (one source). */
export const OS_VALUES: { server: readonly string[]; client: readonly string[] } = {
  server: serviceSchema.$defs.os.enum,
  client: serviceSchema.$defs.clientOs.enum,
};

export interface LoadOptions {
  /** Extra catalog directories (each may hold `services/` and `roles/`), applied after the built-in one. */
  dirs?: string[];
  /** Replace the built-in directory (tests). */
  builtin?: string | null;
}

export async function loadCatalog(opts: LoadOptions = {}): Promise<Catalog> {
  for (const dir of opts.dirs ?? []) await checkUserDir(dir);
  const dirs = [...(opts.builtin === null ? [] : [opts.builtin ?? builtinChecksDir]), ...(opts.dirs ?? [])];
  const services = new Map<string, Service>();
  const roles = new Map<string, Role>();
  const roleFiles = new Map<string, LocatedYaml>();
  for (const dir of dirs) {
    const seenServices = new Map<string, string>();
    for (const yaml of await readAll(join(dir, 'services'))) {
      validateLocated(yaml, validateService, 'CATALOG_INVALID');
      const service = { ...(yaml.data as Service), file: yaml.file };
      checkRows(service, yaml);
      rejectDuplicate(seenServices, service.id, yaml, 'service');
      services.set(service.id, service);
    }
    const seenRoles = new Map<string, string>();
    for (const yaml of await readAll(join(dir, 'roles'))) {
      validateLocated(yaml, validateRole, 'CATALOG_INVALID');
      const raw = yaml.data as Omit<Role, 'services'> & { services: (string | RoleService)[] };
      rejectDuplicate(seenRoles, raw.id, yaml, 'role');
      const services = raw.services.map((s) => (typeof s === 'string' ? { service: s } : s));
      roles.set(raw.id, { ...raw, services, file: yaml.file });
      roleFiles.set(raw.id, yaml);
    }
  }
  const catalog: Catalog = { services, roles, digest: digestOf(services, roles), sources: dirs };
  checkRoleAliases(roles, roleFiles);
  const known = switchNames(catalog);
  for (const [id, role] of roles) {
    (role.with ?? []).forEach((name, i) => {
      if (!known.includes(name)) {
        const location = roleFiles.get(id)?.locate(`/with/${i}`) ?? role.file;
        throw new PortolanError(
          'CATALOG_INVALID',
          `role "${id}" turns on "${name}", which no row or role entry uses as a switch; expected one of ${known.join(', ')}`,
          location ? { location } : {},
        );
      }
    });
    role.services.forEach((entry, i) => {
      if (!services.has(entry.service)) {
        const yaml = roleFiles.get(id);
        const raw = (yaml?.data as { services?: unknown[] } | undefined)?.services?.[i];
        const pointer = typeof raw === 'string' ? '' : '/service';
        const location = yaml?.locate(`/services/${i}${pointer}`) ?? role.file;
        throw new PortolanError(
          'CATALOG_INVALID',
          `role "${id}" names unknown service "${entry.service}"; expected one of the ids in services/ (see \`portolan catalog services\`)`,
          location ? { location } : {},
        );
      }
    });
  }
  return catalog;
}

/** A former id must name one role only, and never shadow a role's own id. */
function checkRoleAliases(roles: Map<string, Role>, files: Map<string, LocatedYaml>): void {
  const owner = new Map<string, string>();
  for (const role of roles.values()) {
    (role.aliases ?? []).forEach((alias, i) => {
      const other = roles.has(alias) ? alias : owner.get(alias);
      if (other && other !== role.id) {
        const location = files.get(role.id)?.locate(`/aliases/${i}`) ?? role.file;
        throw new PortolanError(
          'CATALOG_INVALID',
          `role "${role.id}" has the alias "${alias}", which already names role "${other}"; expected an unused id`,
          location ? { location } : {},
        );
      }
      owner.set(alias, role.id);
    });
  }
}

/**
 * A `--checks DIR` that does not exist, is a file, or holds neither services/ nor roles/ is
 * a mistyped path, not an empty catalog: say so instead of checking the built-in catalog alone.
 */
async function checkUserDir(dir: string): Promise<void> {
  const expected = 'expected a directory holding services/ and/or roles/';
  const kind = await stat(dir).then(
    (s) => (s.isDirectory() ? 'directory' : 'not a directory'),
    (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? 'no such directory' : err.message),
  );
  if (kind !== 'directory') throw new PortolanError('FILE_UNREADABLE', `${kind}; ${expected}`, { location: dir });
  const holds = await Promise.all(
    ['services', 'roles'].map((sub) =>
      stat(join(dir, sub)).then(
        (s) => s.isDirectory(),
        () => false,
      ),
    ),
  );
  if (!holds.includes(true)) {
    throw new PortolanError('CATALOG_INVALID', `holds neither services/ nor roles/; ${expected}`, { location: dir });
  }
}

async function readAll(dir: string): Promise<LocatedYaml[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new PortolanError('FILE_UNREADABLE', `cannot read catalog directory: ${(err as Error).message}`, {
      location: dir,
      cause: err,
    });
  }
  const files = names.filter((n) => /\.ya?ml$/.test(n)).sort();
  return Promise.all(files.map((n) => readYamlFile(join(dir, n), 'CATALOG_INVALID')));
}

function rejectDuplicate(seen: Map<string, string>, id: string, yaml: LocatedYaml, what: string): void {
  const other = seen.get(id);
  if (other) {
    throw new PortolanError('CATALOG_INVALID', `duplicate ${what} id "${id}" (also defined in ${other})`, {
      location: yaml.locate('/id'),
    });
  }
  seen.set(id, yaml.file);
}

/** What the schema cannot say: ranges must be ascending and within 1-65535. */
function checkRows(service: Service, yaml: LocatedYaml): void {
  service.ports.forEach((row: PortRow, i) => {
    if (row.range === undefined) return;
    const [first, last] = row.range.split('-').map(Number) as [number, number];
    if (first < 1 || last > 65535 || first > last) {
      throw new PortolanError(
        'CATALOG_INVALID',
        `range "${row.range}" is ${first > last ? 'reversed' : 'out of range'}; expected first-last with 1 <= first <= last <= 65535`,
        { location: yaml.locate(`/ports/${i}/range`) },
      );
    }
  });
}

/** Stable digest over content (not file names or order), so two machines agree on a catalog. */
function digestOf(services: Map<string, Service>, roles: Map<string, Role>): string {
  const strip = <T extends { file?: string }>(x: T) => ({ ...x, file: undefined });
  const body = JSON.stringify({
    services: [...services.values()].map(strip).sort((a, b) => a.id.localeCompare(b.id)),
    roles: [...roles.values()].map(strip).sort((a, b) => a.id.localeCompare(b.id)),
  });
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
