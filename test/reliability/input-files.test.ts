/**
 * Issue 12 items 8 and 11: files and flags a user passes. A YAML alias bomb in a plan or a
 * --checks catalog is that file's error (exit 2, file:line:col, no stack trace), and a
 * --checks directory that is not there is named, not silently ignored.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadCatalog } from '../../src/catalog/load.js';
import { MAX_ALIAS_COUNT } from '../../src/catalog/yaml-file.js';
import { isPortolanError } from '../../src/errors.js';
import { parsePlan } from '../../src/plan/load.js';
import { runCli } from '../support/cli.js';

/** "Billion laughs": nine levels of nine aliases, 9^9 strings if expanded. */
const BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((k, i) => {
    const prev = 'abcdefghi'[i] as string;
    return `${k}: &${k} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`;
  }),
].join('\n');

describe('YAML alias bombs are the file’s error, exit 2 (issue 12 item 8)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-bomb-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('in a plan: PLAN_INVALID naming the file, line and column of the first alias', () => {
    const started = performance.now();
    let caught: unknown = null;
    try {
      parsePlan(`version: 1\nname: bomb\n${BOMB}\n`, 'bomb.yaml');
    } catch (err) {
      caught = err;
    }
    expect(isPortolanError(caught, 'PLAN_INVALID')).to.equal(true);
    expect((caught as Error).message).to.match(
      new RegExp(`^bomb\\.yaml:4:8: YAML aliases expand beyond ${MAX_ALIAS_COUNT} `),
    );
    expect(performance.now() - started).to.be.below(2000);
  });

  it('portolan run with a bomb: one line, exit 2, no stack trace', async () => {
    writeFileSync(join(dir, 'plan.yaml'), `version: 1\nname: bomb\n${BOMB}\n`);
    const run = await runCli(['run', join(dir, 'plan.yaml'), '--no-history']);
    expect(run.code).to.equal(2);
    expect(run.stderr.trim().split('\n')).to.have.length(1);
    expect(run.stderr).to.include(`${join(dir, 'plan.yaml')}:4:8: YAML aliases expand beyond`);
    expect(run.stderr).not.to.match(/internal error|\n\s+at /);
  });

  it('in a --checks service file: CATALOG_INVALID naming it, exit 2', async () => {
    mkdirSync(join(dir, 'services'));
    writeFileSync(join(dir, 'services', 'bomb.yaml'), BOMB);
    let caught: unknown = null;
    await loadCatalog({ dirs: [dir] }).catch((err) => {
      caught = err;
    });
    expect(isPortolanError(caught, 'CATALOG_INVALID')).to.equal(true);
    const run = await runCli(['check', '--checks', dir, '--port', '1/tcp', '127.0.0.1']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/services\/bomb\.yaml:2:8: YAML aliases expand beyond/);
    expect(run.stderr).not.to.include('internal error');
  });

  it('a few plain aliases still work', () => {
    const plan = parsePlan(
      'version: 1\nname: ok\ngroups:\n  - name: a\n    targets: &dcs [dc1.test]\n    ports: [88/tcp]\n' +
        '  - name: b\n    targets: *dcs\n    ports: [389/tcp]\n',
      'ok.yaml',
    );
    expect(plan.groups.map((g) => g.targets)).to.deep.equal([['dc1.test'], ['dc1.test']]);
  });
});

describe('--checks DIR must be a catalog directory (issue 12 item 11)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-checks-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, () => string, RegExp][] = [
    [
      'does not exist',
      () => '/nonexistent',
      /^portolan: \/nonexistent: no such directory; expected a directory holding services\/ and\/or roles\/$/,
    ],
    [
      'is a file',
      () => {
        writeFileSync(join(dir, 'f.yaml'), 'id: x\n');
        return join(dir, 'f.yaml');
      },
      /f\.yaml: not a directory; expected a directory holding services\//,
    ],
    ['holds neither services/ nor roles/', () => dir, /: holds neither services\/ nor roles\//],
  ];
  for (const [name, path, message] of cases) {
    it(`${name}: exit 2 naming the path`, async () => {
      const run = await runCli(['check', '--checks', path(), '--port', '1/tcp', '127.0.0.1']);
      expect(run.code).to.equal(2);
      expect(run.stderr.trim()).to.match(message);
      expect(run.stdout).to.equal('');
    });
  }

  it('a directory with only roles/ is fine', async () => {
    mkdirSync(join(dir, 'roles'));
    const catalog = await loadCatalog({ dirs: [dir] });
    expect(catalog.sources).to.include(dir);
  });
});
