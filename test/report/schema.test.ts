import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { RESULT_SCHEMA_URL, validateResult } from '../../src/report/validate-result.js';
import { fixtureNames, loadFixture } from './fixtures.js';
import { largeResult } from './scenarios.js';

describe('result JSON Schema', () => {
  const schema = JSON.parse(readFileSync(RESULT_SCHEMA_URL, 'utf8'));

  it('is draft 2020-12 with schemaVersion 1 and a description on every property', () => {
    expect(schema.$schema).to.equal('https://json-schema.org/draft/2020-12/schema');
    expect(schema.properties.schemaVersion.const).to.equal(1);
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as { properties?: object; items?: unknown; $defs?: object };
      for (const [key, value] of Object.entries(n.properties ?? {}) as [string, Record<string, unknown>][]) {
        // a $ref points at a $defs entry, which is checked (and described) on its own
        if (!value.description && !value.$ref) missing.push(`${path}/${key}`);
        walk(value, `${path}/${key}`);
      }
      walk(n.items, `${path}/items`);
      for (const [key, value] of Object.entries(n.$defs ?? {})) walk(value, `${path}/$defs/${key}`);
    };
    walk(schema, '');
    expect(missing).to.deep.equal([]);
  });

  for (const name of fixtureNames()) {
    it(`accepts the ${name} fixture`, () => {
      const outcome = validateResult(loadFixture(name));
      expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
    });
  }

  it('accepts a 50-target run', () => {
    expect(validateResult(largeResult(50)).ok).to.equal(true);
  });

  it('rejects a broken result and says where and what was expected', () => {
    const broken = loadFixture('healthy') as unknown as Record<string, unknown> & {
      observations: { state: string }[];
      summary: Record<string, unknown>;
    };
    (broken.observations[3] as { state: string }).state = 'listening';
    delete broken.summary.headline;
    broken.surprise = true;
    const outcome = validateResult(broken);
    expect(outcome.ok).to.equal(false);
    if (outcome.ok) return;
    expect(outcome.problems).to.deep.include({
      pointer: '/observations/3/state',
      message: 'must be one of ["open","closed","filtered","open|filtered","error","untestable"]',
    });
    expect(outcome.problems).to.deep.include({
      pointer: '/summary',
      message: 'is missing the required property "headline"',
    });
    expect(outcome.problems).to.deep.include({ pointer: '', message: 'has an unknown property "surprise"' });
  });

  it('rejects another schema version', () => {
    const result = { ...loadFixture('healthy'), schemaVersion: 2 };
    const outcome = validateResult(result);
    expect(outcome.ok).to.equal(false);
    if (!outcome.ok) expect(outcome.problems).to.deep.include({ pointer: '/schemaVersion', message: 'must be 1' });
  });
});
