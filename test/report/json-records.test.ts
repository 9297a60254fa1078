import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { RunResult } from '../../src/model.js';
import { jsonResultChunks } from '../../src/report/json.js';
import { jsonResultFromRecords } from '../../src/report/json-records.js';
import { RecordSpool } from '../../src/result/record-spool.js';
import { joinResult, splitResult } from '../../src/result/target-records.js';

const GOLDEN = join(import.meta.dirname, '..', 'golden');
const goldens = readdirSync(GOLDEN).map((name) => ({
  name,
  result: JSON.parse(readFileSync(join(GOLDEN, name, 'report.json'), 'utf8')) as RunResult,
}));

describe('the JSON result written record by record', () => {
  for (const { name, result } of goldens) {
    it(`${name}: equals the JSON of the joined result, byte for byte, read back from a spool in target order`, () => {
      const { header, records } = splitResult(result);
      const spool = new RecordSpool();
      try {
        // Targets finish in any order; the spool hands them back in target order.
        for (const [i, r] of [...records.entries()].reverse()) spool.add(r, i);
        expect(spool.size).to.equal(records.length);
        const text = [...jsonResultFromRecords(header, () => spool.records())].join('');
        expect(text).to.equal([...jsonResultChunks(joinResult(header, records))].join(''));
      } finally {
        spool.close();
      }
    });
  }

  it('writes empty lists as [] and keeps later additive header keys', () => {
    const { header } = splitResult(goldens[0]?.result as RunResult);
    const extra = { ...header, changes: { added: 1 } } as unknown as typeof header;
    const text = [...jsonResultFromRecords(extra, () => [])].join('');
    expect(JSON.parse(text)).to.deep.equal(JSON.parse(JSON.stringify(joinResult(extra, []))));
    expect(text).to.include('"targets": []');
  });
});
