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

  it('names the vantage point: a result with source name and labels is valid, an older one gets the defaults', () => {
    const named = largeResult(2);
    named.run.source = { ...named.run.source, name: 'branch-12-client', labels: { site: 'branch-12', vlan: '20' } };
    expect(validateResult(named).ok).to.equal(true);
    const badLabel = structuredClone(named) as unknown as { run: { source: { labels: Record<string, unknown> } } };
    badLabel.run.source.labels.vlan = 20;
    const outcome = validateResult(badLabel);
    expect(outcome.ok).to.equal(false);
    if (!outcome.ok) expect(outcome.problems[0]?.pointer).to.equal('/run/source/labels/vlan');
    // portolan 0.1 wrote no name or labels: still valid, read with the host name and no labels.
    const old = loadFixture('healthy');
    const { name: _name, labels: _labels, ...source01 } = old.run.source;
    (old.run as { source: unknown }).source = source01;
    const read = validateResult(old);
    expect(read.ok && read.result.run.source).to.deep.include({ name: old.run.source.hostname, labels: {} });
  });

  it('rejects another schema version', () => {
    const result = { ...loadFixture('healthy'), schemaVersion: 2 };
    const outcome = validateResult(result);
    expect(outcome.ok).to.equal(false);
    if (!outcome.ok) expect(outcome.problems).to.deep.include({ pointer: '/schemaVersion', message: 'must be 1' });
  });
});
