/**
 * YAML files with positions: parse once, validate with a JSON Schema, and turn any
 * problem into one message that names file, line and column, what was found and what
 * was expected. Shared by the catalog and plan loaders.
 */
import { readFile } from 'node:fs/promises';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { type Document, isNode, LineCounter, parseDocument, visit } from 'yaml';
import { PortolanError, type PortolanErrorCode } from '../errors.js';

export interface LocatedYaml {
  file: string;
  data: unknown;
  /** "file:line:col" of the node at a JSON pointer (or of its nearest existing parent). */
  locate(pointer: string): string;
}

/** The code a file's problems carry: the catalog's, a plan's or an exporter config's. */
export type YamlFileCode = Extract<PortolanErrorCode, 'CATALOG_INVALID' | 'PLAN_INVALID' | 'CONFIG_INVALID'>;

export async function readYamlFile(file: string, code: YamlFileCode): Promise<LocatedYaml> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new PortolanError('FILE_UNREADABLE', `cannot read: ${(err as Error).message}`, {
      location: file,
      cause: err,
    });
  }
  return parseYamlText(text, file, code);
}

export function parseYamlText(text: string, file: string, code: YamlFileCode): LocatedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lines.linePos(first.pos[0]);
    throw new PortolanError(code, `malformed YAML: ${firstLine(first.message)}`, {
      location: `${file}:${line}:${col}`,
    });
  }
  const at = (offset: number): string => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  return { file, data: expandAliases(doc, file, code, at), locate: (pointer) => at(offsetOf(doc, pointer)) };
}

/**
 * Aliases a plan or catalog may expand at most, in the yaml library's count (each alias
 * weighted by the aliases inside what it names). Real files use a few; a "billion laughs"
 * document needs millions, and expanding it would take the process's memory.
 */
export const MAX_ALIAS_COUNT = 100;

/** The document as plain data; an alias bomb (or an alias the library cannot resolve) is the file's error. */
function expandAliases(doc: Document, file: string, code: YamlFileCode, at: (offset: number) => string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    let first: number | null = null;
    visit(doc, {
      Alias(_key, node) {
        first = node.range?.[0] ?? null;
        return visit.BREAK;
      },
    });
    throw new PortolanError(
      code,
      `YAML aliases expand beyond ${MAX_ALIAS_COUNT} (${firstLine((err as Error).message)}); expected a file without nested aliases (*name)`,
      { location: first === null ? file : at(first), cause: err },
    );
  }
}

/** Problems listed at most in one message; the rest are counted. */
const MAX_PROBLEMS = 20;

/**
 * Validate `yaml.data` with a compiled schema; throw every problem at once, each on its own
 * line with its location, so a file is fixed in one pass rather than one error per run.
 */
export function validateLocated(yaml: LocatedYaml, validate: ValidateFunction, code: YamlFileCode): void {
  if (validate(yaml.data)) return;
  const problems = distinctProblems(validate.errors ?? []).map((error) => {
    const pointer =
      error.keyword === 'additionalProperties'
        ? `${error.instancePath}/${String(error.params.additionalProperty)}`
        : error.instancePath;
    return { location: yaml.locate(pointer), message: describeSchemaError(error, yaml.data) };
  });
  const [first] = problems;
  if (!first) throw new Error('schema validation failed without an error');
  if (problems.length === 1) throw new PortolanError(code, first.message, { location: first.location });
  const shown = problems.slice(0, MAX_PROBLEMS).map((p) => `  ${p.location}: ${p.message}`);
  if (problems.length > MAX_PROBLEMS) shown.push(`  ... and ${problems.length - MAX_PROBLEMS} more`);
  throw new PortolanError(code, `${problems.length} problems:\n${shown.join('\n')}`, { location: yaml.file });
}

/**
 * One error per place that is wrong. Ajv reports every branch of a oneOf and the summaries of
 * their parents; a complaint about a parent whose child has its own is dropped, and so is a
 * branch of another type ("must be string" where a mapping was written) where the branch that
 * fits has its own complaint at the same place. Of what remains, the most telling per place.
 */
function distinctProblems(errors: ErrorObject[]): ErrorObject[] {
  const where = (e: ErrorObject) =>
    e.keyword === 'additionalProperties' ? `${e.instancePath}/${String(e.params.additionalProperty)}` : e.instancePath;
  const specific = (e: ErrorObject) => !['type', 'oneOf', 'anyOf', 'if'].includes(e.keyword);
  // A misspelt key also leaves the real one missing: the typo is the problem, not the absence.
  const typos = new Set(errors.filter((e) => e.keyword === 'additionalProperties').map((e) => e.instancePath));
  const pool = errors.filter(
    (e) =>
      !(typos.has(e.instancePath) && e.keyword === 'required') &&
      (e.keyword !== 'type' || !errors.some((o) => o.instancePath === e.instancePath && specific(o))) &&
      (specific(e) || !errors.some((o) => o !== e && where(o).startsWith(`${e.instancePath}/`))),
  );
  const best = new Map<string, ErrorObject>();
  for (const e of pool) {
    const prior = best.get(where(e));
    if (!prior || rank(e) < rank(prior)) best.set(where(e), e);
  }
  const kept = [...best.values()];
  // A parent's structural summary goes when a child of it has a complaint of its own.
  return kept.filter((e) => specific(e) || !kept.some((o) => o !== e && where(o).startsWith(`${where(e)}/`)));
}

function rank(e: ErrorObject): number {
  // Prefer errors that say what is wrong with a value over structural summaries.
  return ['additionalProperties', 'enum', 'const', 'type', 'pattern', 'minimum', 'maximum'].includes(e.keyword) ? 0 : 1;
}

export function describeSchemaError(e: ErrorObject, data: unknown): string {
  const where = e.instancePath === '' ? 'the document' : `"${e.instancePath.slice(1).replaceAll('/', '.')}"`;
  const found = JSON.stringify(valueAt(data, e.instancePath));
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field "${String(e.params.additionalProperty)}" in ${where} (a typo?); expected one of: ${allowedKeys(e)}`;
    case 'enum':
      return `${where} is ${found}; expected one of: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${where} is ${found}; expected ${JSON.stringify(e.params.allowedValue)}`;
    case 'required':
      return `${where} lacks the required field "${String(e.params.missingProperty)}"`;
    case 'pattern':
      return `${where} is ${found}; expected text matching ${String(e.params.pattern)}`;
    case 'format':
      return e.params.format === 'date'
        ? `${where} is ${found}; expected a date as YYYY-MM-DD`
        : `${where} is ${found}; expected ${String(e.params.format)}`;
    default:
      return `${where} is ${found}; expected ${(e.message ?? 'a valid value').replace(/^must (be )?/, '')}`;
  }
}

function allowedKeys(e: ErrorObject): string {
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props).join(', ') : 'the documented fields';
}

function valueAt(data: unknown, pointer: string): unknown {
  let cur: unknown = data;
  for (const part of pointerParts(pointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function pointerParts(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Offset of the deepest node on the pointer's path; a missing key points at its parent. */
function offsetOf(doc: Document, pointer: string): number {
  const parts = pointerParts(pointer);
  for (let n = parts.length; n >= 0; n--) {
    const path = parts.slice(0, n).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    const node = n === 0 ? doc.contents : doc.getIn(path, true);
    if (isNode(node) && node.range) {
      // For a mapping key, point at the key itself rather than its value.
      if (n > 0 && n === parts.length) {
        const keyOffset = keyOffsetOf(doc, path);
        if (keyOffset !== null) return keyOffset;
      }
      return node.range[0];
    }
    if (n === parts.length && n > 0) {
      const keyOffset = keyOffsetOf(doc, path);
      if (keyOffset !== null) return keyOffset;
    }
  }
  return 0;
}

function keyOffsetOf(doc: Document, path: (string | number)[]): number | null {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (!parent || typeof parent !== 'object' || !('items' in parent)) return null;
  for (const item of (parent as { items: unknown[] }).items) {
    const key = (item as { key?: unknown }).key;
    if (isNode(key) && (key as { value?: unknown }).value === last && key.range) return key.range[0];
  }
  return null;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
