/**
 * The plan schema's `options` block is derived from the run option table: this test keeps
 * checks/schema/plan.schema.json equal to `planOptionsSchema()`. After changing an option,
 * `npm run schema:update` rewrites the block (and the diff is reviewed like code).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { FAIL_ON, planOptionsSchema, RUN_OPTIONS } from '../../src/run-options.js';

const SCHEMA = join(import.meta.dirname, '..', '..', 'checks', 'schema', 'plan.schema.json');

describe('plan schema and the run option table', () => {
  const schema = JSON.parse(readFileSync(SCHEMA, 'utf8'));

  if (process.env.UPDATE_SCHEMA === '1') writeFileSync(SCHEMA, withOptionsBlock(readFileSync(SCHEMA, 'utf8')));

  it('the options block is exactly what the table derives', () => {
    expect(schema.$defs.options, 'run `npm run schema:update` and review the diff').to.deep.equal(planOptionsSchema());
  });

  it('every option plans may set is in the block, with its default and bounds', () => {
    const properties = schema.$defs.options.properties;
    expect(Object.keys(properties)).to.include.members(['timeoutMs', 'rpcMode', 'appProbes', 'responder']);
    expect(properties.timeoutMs).to.include({ minimum: RUN_OPTIONS.timeoutMs.parse('1', 'x'), maximum: 600_000 });
    expect(properties.profile.description).to.match(/@default modern$/);
    expect(properties).not.to.have.property('failOn');
  });

  it("a plan's top-level failOn takes the same conditions as --fail-on", () => {
    expect(schema.properties.failOn.items.enum).to.deep.equal([...FAIL_ON]);
  });
});

/** The schema text with only its `$defs.options` object replaced, so the rest keeps its hand formatting. */
function withOptionsBlock(text: string): string {
  const start = text.indexOf('"options": {', text.indexOf('"$defs"'));
  let depth = 0;
  let end = text.indexOf('{', start);
  for (; end < text.length; end++) {
    if (text[end] === '{') depth++;
    else if (text[end] === '}' && --depth === 0) break;
  }
  const block = JSON.stringify(planOptionsSchema(), null, 2).replace(/\n/g, '\n    ');
  return `${text.slice(0, start)}"options": ${block}${text.slice(end + 1)}`;
}
