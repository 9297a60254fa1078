/**
 * Checks a parsed JSON document against checks/schema/result.schema.json before any report is
 * rendered from it, and says where it is wrong (JSON pointer) and what was expected.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { RunResult } from '../model.js';
import { withSourceDefaults } from '../result/legacy.js';

/** The schema ships beside dist/ and src/ alike (package.json "files"). */
export const RESULT_SCHEMA_URL = new URL('../../checks/schema/result.schema.json', import.meta.url);
/** One line of `check --format ndjson`; it refers to the result schema's definitions. */
export const NDJSON_SCHEMA_URL = new URL('../../checks/schema/ndjson.schema.json', import.meta.url);

export interface SchemaProblem {
  /** JSON pointer into the document, "" for the root. */
  pointer: string;
  /** What was expected there. */
  message: string;
}

export type ValidationOutcome = { ok: true; result: RunResult } | { ok: false; problems: SchemaProblem[] };

// ajv-formats is CommonJS: under NodeNext the default import is module.exports, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

/** The kinds of NDJSON line: one per judged target, and the run's last. */
export type NdjsonLineKind = 'target' | 'run';

interface Validators {
  result: ValidateFunction;
  line: Record<NdjsonLineKind, ValidateFunction>;
}

let compiled: Validators | null = null;

function validators(): Validators {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv, ['date-time']);
    const result = ajv.compile(JSON.parse(readFileSync(RESULT_SCHEMA_URL, 'utf8')));
    const ndjson = JSON.parse(readFileSync(NDJSON_SCHEMA_URL, 'utf8')) as { $id: string };
    ajv.addSchema(ndjson);
    // Each kind against its own definition: the schema's oneOf would report both branches' errors.
    const line = (def: string) => ajv.compile({ $ref: `${ndjson.$id}#/$defs/${def}` });
    compiled = { result, line: { target: line('targetLine'), run: line('runLine') } };
  }
  return compiled;
}

function describe(e: ErrorObject): SchemaProblem {
  const p = e.params as Record<string, unknown>;
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') message = `has an unknown property "${String(p.additionalProperty)}"`;
  else if (e.keyword === 'required') message = `is missing the required property "${String(p.missingProperty)}"`;
  else if (e.keyword === 'enum') message = `must be one of ${JSON.stringify(p.allowedValues)}`;
  else if (e.keyword === 'const') message = `must be ${JSON.stringify(p.allowedValue)}`;
  else if (e.keyword === 'type') message = `must be ${String(p.type).split(',').join(' or ')}`;
  return { pointer: e.instancePath, message };
}

export function validateResult(data: unknown): ValidationOutcome {
  const validate = validators().result;
  if (validate(data)) return { ok: true, result: withSourceDefaults(data as RunResult) };
  return { ok: false, problems: problemsOf(validate) };
}

/** What is wrong with `data` as a `kind` line of `check --format ndjson` (checks/schema/ndjson.schema.json); [] if nothing. */
export function ndjsonLineProblems(kind: NdjsonLineKind, data: unknown): SchemaProblem[] {
  const validate = validators().line[kind];
  return validate(data) ? [] : problemsOf(validate);
}

/** The failed validation's problems, each pointer and message once. */
function problemsOf(validate: ValidateFunction): SchemaProblem[] {
  const seen = new Set<string>();
  return (validate.errors ?? []).map(describe).filter((p) => {
    const key = `${p.pointer} ${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
