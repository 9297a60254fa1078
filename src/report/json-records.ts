/**
 * The JSON result written from a run header and its target records, a record at a time:
 * the text equals `jsonResultChunks(joinResult(header, records))` byte for byte, but no more
 * than one target's record is in memory at once (`records()` is read once per list of the
 * result: targets, observations, each verdict list, root causes per severity).
 */

import type { RootCause } from '../model.js';
import { SEVERITY_ORDER } from '../model.js';
import type { RunHeader, TargetRecord } from '../result/target-records.js';

/** `JSON.stringify(value, null, 2)` as it reads nested `depth` levels deep. */
function nested(value: unknown, depth: number): string {
  // JSON text holds no raw line breaks but its own, so re-indenting is a plain replace.
  return JSON.stringify(value, null, 2).replaceAll('\n', `\n${'  '.repeat(depth)}`);
}

/** A JSON array `depth` levels deep, its items from `items`. */
function* array(items: Iterable<unknown>, depth: number): Generator<string> {
  const pad = '  '.repeat(depth + 1);
  let first = true;
  for (const item of items) {
    yield `${first ? '[\n' : ',\n'}${pad}${nested(item, depth + 1)}`;
    first = false;
  }
  yield first ? '[]' : `\n${'  '.repeat(depth)}]`;
}

/** Each record's entries of one list, with observation indexes made run-wide. */
function* rebased<T>(
  records: () => Iterable<TargetRecord>,
  entries: (r: TargetRecord, offset: number) => Iterable<T>,
): Generator<T> {
  let offset = 0;
  for (const r of records()) {
    yield* entries(r, offset);
    offset += r.observations.length;
  }
}

const shift = <T extends { observations: number[] }>(list: readonly T[], offset: number): T[] =>
  list.map((x) => ({ ...x, observations: x.observations.map((i) => i + offset) }));

export function* jsonResultFromRecords(
  header: RunHeader,
  records: () => Iterable<TargetRecord>,
): Generator<string, void, undefined> {
  const { schemaVersion, tool, catalog, run, expectations, summary, ...rest } = header;
  const member = (key: string, first = false) => `${first ? '' : ','}\n  ${JSON.stringify(key)}: `;
  yield `{${member('schemaVersion', true)}${nested(schemaVersion, 1)}`;
  yield `${member('tool')}${nested(tool, 1)}${member('catalog')}${nested(catalog, 1)}${member('run')}${nested(run, 1)}`;
  yield member('targets');
  yield* array(
    rebased(records, (r) => [r.target]),
    1,
  );
  yield `${member('expectations')}${nested(expectations, 1)}`;
  yield member('observations');
  yield* array(
    rebased(records, (r) => r.observations),
    1,
  );
  yield `${member('verdicts')}{\n    "expectations": `;
  yield* array(
    rebased(records, (r, offset) => shift(r.verdicts.expectations, offset)),
    2,
  );
  yield ',\n    "services": ';
  yield* array(
    rebased(records, (r) => r.verdicts.services),
    2,
  );
  yield ',\n    "targets": ';
  yield* array(
    rebased(records, (r) => r.verdicts.targets),
    2,
  );
  let anyCauses = false;
  for (const r of records()) if (r.verdicts.rootCauses) anyCauses = true;
  if (anyCauses) {
    yield ',\n    "rootCauses": ';
    yield* array(causesInRunOrder(records), 2);
  }
  yield '\n  }';
  yield `${member('summary')}${nested(summary, 1)}`;
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) yield `${member(key)}${nested(value, 1)}`;
  yield '\n}\n';
}

/** Root causes as `joinResult` lists them: by severity (unknown ones last), then in target order. */
function* causesInRunOrder(records: () => Iterable<TargetRecord>): Generator<RootCause> {
  const known = new Set<string>(SEVERITY_ORDER);
  for (const severity of [...SEVERITY_ORDER, null]) {
    yield* rebased(records, (r, offset) =>
      shift(
        (r.verdicts.rootCauses ?? []).filter((c) =>
          severity === null ? !known.has(c.severity) : c.severity === severity,
        ),
        offset,
      ),
    );
  }
}
