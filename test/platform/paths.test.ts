/**
 * Paths and file names on Windows, tested anywhere: generated names free of what Windows
 * forbids, --output-dir and plan directories with drive letters, shares and spaces (checked
 * with Windows' rules through node:path's win32 variant), and the default report and history
 * folders per platform.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, win32 } from 'node:path';
import { expect } from 'chai';
import { PortolanError } from '../../src/errors.js';
import { parsePlan } from '../../src/plan/load.js';
import { defaultHistoryPath, defaultReportDir, type PlatformContext } from '../../src/platform/data-dir.js';
import { isReservedName, pathProblem, portableStem } from '../../src/platform/file-names.js';
import { reportBaseName, writeReports } from '../../src/report/write.js';
import { loadFixture } from '../report/fixtures.js';

/** A name Windows accepts as a file: no forbidden character, no trailing dot or space, no device name. */
function windowsAccepts(name: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Windows refuses control characters in names.
  return !/[<>:"/\\|?*\u0000-\u001f]/.test(name) && !/[. ]$/.test(name) && !isReservedName(name);
}

const HOSTILE = [
  'dc1.corp.example',
  'CON',
  'nul.corp.example',
  'prn',
  'AUX.json',
  'com1',
  'LPT9.corp.example',
  'fe80::1%eth0',
  'C:\\Windows\\System32',
  '..\\..\\boot.ini',
  'a<b>c"d|e?f*g',
  'trailing dots...',
  '   ',
  '....',
  'dc-\u00fcber.example',
  '\u0007bell\u0000nul',
  'x'.repeat(300),
];

describe('file names and paths on every platform', () => {
  it('generated stems are valid Windows file names, with and without an extension', () => {
    for (const value of HOSTILE) {
      const stem = portableStem(value);
      expect(stem, value).to.match(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
      expect(stem.length, value).to.be.at.most(60);
      expect(windowsAccepts(stem), `${value} -> ${stem}`).to.equal(true);
      expect(windowsAccepts(`${stem}.json`), `${value} -> ${stem}.json`).to.equal(true);
    }
  });

  it('device names get an underscore, even before an extension; ordinary names keep their form', () => {
    expect(portableStem('CON')).to.equal('CON_');
    expect(portableStem('nul.corp.example')).to.equal('nul_.corp.example');
    expect(portableStem('com1')).to.equal('com1_');
    expect(portableStem('console')).to.equal('console');
    expect(portableStem('dc1.corp.example')).to.equal('dc1.corp.example');
    expect(portableStem('trailing dots...')).to.equal('trailing_dots');
    expect(portableStem('....')).to.equal('run');
  });

  it('a print server named prn.corp.example gets report files Windows can open', () => {
    const result = loadFixture('healthy');
    result.targets = result.targets.map((t) => ({ ...t, name: 'prn.corp.example' }));
    expect(reportBaseName(result)).to.equal('portolan-prn.corp.example-domain-controller-20261126T090000Z');
    const dir = mkdtempSync(join(tmpdir(), 'portolan Q4 audit '));
    try {
      const [written] = writeReports(result, { formats: ['json'], dir, baseName: 'AUX' }).written;
      expect(written?.path).to.equal(join(dir, 'AUX_.json'));
      // A plan named "con" (the schema allows it) writes con_.<ext>, into a folder with spaces.
      const files = writeReports(result, {
        formats: ['json', 'md'],
        dir: join(dir, 'plan reports'),
        baseName: 'con',
        keep: 'latest',
      }).written.map((w) => w.path);
      expect(files).to.deep.equal([join(dir, 'plan reports', 'con_.json'), join(dir, 'plan reports', 'con_.md')]);
      expect(readdirSync(join(dir, 'plan reports')).sort()).to.deep.equal(['con_.json', 'con_.md']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Windows output paths: drive letters, shares, \\\\?\\ paths, forward slashes and spaces are fine', () => {
    for (const path of [
      'C:\\Reports\\Q4 audit',
      'C:\\Reports\\Q4 audit\\',
      'D:/portolan reports/2026',
      'C:reports',
      '\\\\fs1.corp.example\\audit$\\portolan',
      '\\\\?\\C:\\Reports\\very long name',
      '..\\reports',
      'reports',
      "C:\\Users\\o'brien\\Documents\\portolan (old)",
    ]) {
      expect(pathProblem(path, 'win32'), path).to.equal(null);
    }
    // What the writer does with such a folder on Windows: one separator, the name as generated.
    const stem = portableStem('nul.corp.example');
    expect(win32.join('C:\\Reports\\Q4 audit\\', `${stem}.html`)).to.equal(
      'C:\\Reports\\Q4 audit\\nul_.corp.example.html',
    );
  });

  it('Windows output paths: forbidden characters, trailing dots or spaces and device names are refused, saying which', () => {
    const cases: [string, RegExp][] = [
      ['C:\\Reports\\Q4:audit', /"Q4:audit" contains ":", .*a colon only follows a drive letter/],
      ['C:\\Reports\\what?', /"what\?" contains "\?"/],
      ['C:\\Reports\\a|b', /"a\|b" contains "\|"/],
      ['C:\\Reports\\old.', /"old\." ends in a dot, which Windows drops/],
      ['C:\\Reports\\old \\x', /"old " ends in a space/],
      ['C:\\Reports\\CON', /"CON" is a device name on Windows/],
      ['C:\\Reports\\nul.d\\x', /"nul\.d" is a device name/],
      ['1:\\Reports', /"1:" contains ":"/],
      ['C:\\Reports\\tab\there', /control character U\+0009/],
    ];
    for (const [path, words] of cases) expect(pathProblem(path, 'win32'), path).to.match(words);
    // The same names are fine on Linux and macOS, where only NUL is refused.
    expect(pathProblem('reports/Q4:audit/old.', 'linux')).to.equal(null);
    expect(pathProblem('reports/CON', 'darwin')).to.equal(null);
    expect(pathProblem('reports/\u0000', 'linux')).to.equal('contains a NUL character');
  });

  it("a plan's outputs.directory follows the platform's rules, with the file and line of the mistake", () => {
    const plan = (dir: string) =>
      `version: 1\nname: nightly\ngroups:\n  - name: dcs\n    targets: [dc1.corp.example]\n    roles: [domain-controller]\noutputs:\n  directory: ${dir}\n`;
    expect(parsePlan(plan("'C:\\Reports\\Q4 audit'"), 'plan.yaml', { platform: 'win32' }).outputs.directory).to.equal(
      'C:\\Reports\\Q4 audit',
    );
    expect(parsePlan(plan('C:/Reports/Q4 audit'), 'plan.yaml', { platform: 'win32' }).outputs.directory).to.equal(
      'C:/Reports/Q4 audit',
    );
    const refused = (dir: string): PortolanError => {
      try {
        parsePlan(plan(dir), 'plan.yaml', { platform: 'win32' });
      } catch (err) {
        if (err instanceof PortolanError) return err;
        throw err;
      }
      throw new Error(`accepted ${dir}`);
    };
    const colon = refused("'C:\\Reports\\Q4:audit'");
    expect(colon.code).to.equal('PLAN_INVALID');
    expect(colon.message).to.include('plan.yaml:8:');
    expect(colon.message).to.include('outputs.directory: "Q4:audit" contains ":"');
    // In double quotes a backslash starts a YAML escape: the error says so (README: use single quotes).
    expect(refused('"C:\\Reports"').message).to.include('Invalid escape sequence \\R');
  });
});

describe('default report and history folders', () => {
  const windows = (cwd: string): PlatformContext => ({
    platform: 'win32',
    cwd,
    home: 'C:\\Users\\adm',
    env: { SystemRoot: 'C:\\WINDOWS', LOCALAPPDATA: 'C:\\Users\\adm\\AppData\\Local' },
  });

  it('reports/ in the current folder, as the docs say, on every platform', () => {
    expect(defaultReportDir(windows('D:\\audits\\Q4 2026'))).to.equal('reports');
    expect(defaultHistoryPath(windows('D:\\audits\\Q4 2026'))).to.equal('reports\\history.db');
    expect(defaultHistoryPath({ platform: 'linux', cwd: '/home/adm', home: '/home/adm', env: {} })).to.equal(
      'reports/history.db',
    );
    // C:\WindowsApps is not the Windows folder.
    expect(defaultReportDir(windows('C:\\WindowsApps\\x'))).to.equal('reports');
  });

  it('from an elevated PowerShell or Task Scheduler (C:\\Windows\\System32): the user data folder', () => {
    expect(defaultReportDir(windows('c:\\windows\\system32'))).to.equal(
      'C:\\Users\\adm\\AppData\\Local\\portolan\\reports',
    );
    expect(defaultHistoryPath(windows('C:\\Windows'))).to.equal(
      'C:\\Users\\adm\\AppData\\Local\\portolan\\reports\\history.db',
    );
    const noLocalAppData = { ...windows('C:\\Windows\\System32'), env: { windir: 'C:\\Windows' } };
    expect(defaultReportDir(noLocalAppData)).to.equal('C:\\Users\\adm\\AppData\\Local\\portolan\\reports');
  });

  it('on Linux and macOS reports/ even from / (containers run there with a volume mounted)', () => {
    expect(defaultReportDir({ platform: 'darwin', cwd: '/', home: '/Users/adm', env: {} })).to.equal('reports');
    expect(defaultHistoryPath({ platform: 'linux', cwd: '/', home: '/root', env: {} })).to.equal('reports/history.db');
  });
});
