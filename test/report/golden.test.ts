/**
 * Golden files: every renderer on every fixture, compared byte for byte with test/golden/.
 * They change only on purpose: `npm run golden:update` (UPDATE_GOLDEN=1) rewrites them, and
 * the diff is reviewed like code.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { EXTENSIONS, FORMATS, renderers } from '../../src/report/index.js';
import { fixtureNames, GOLDEN_DIR, loadFixture, NOW } from './fixtures.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

function compare(file: string, actual: string): void {
  if (UPDATE) {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`golden file ${file} is missing: run \`npm run golden:update\` and review the diff`);
  }
  expect(actual, `${file} differs: if the change is intended, run \`npm run golden:update\``).to.equal(expected);
}

describe('report golden files', () => {
  for (const name of fixtureNames()) {
    for (const format of FORMATS) {
      it(`${name} as ${format}`, () => {
        const text = renderers[format](loadFixture(name), { now: NOW });
        compare(join(GOLDEN_DIR, name, `report.${EXTENSIONS[format]}`), text);
      });
    }
  }

  it('firewalled as coloured table', () => {
    const text = renderers.table(loadFixture('firewalled'), { now: NOW, color: true });
    compare(join(GOLDEN_DIR, 'firewalled', 'report.color.txt'), text);
  });

  it('renders the same text twice (pure function of the result)', () => {
    const result = loadFixture('firewalled');
    for (const format of FORMATS) {
      expect(renderers[format](result, { now: NOW })).to.equal(renderers[format](result, { now: NOW }));
    }
  });
});
