// `npm start`: build, check this machine as a domain controller before deployment, write every
// report format to reports/, print the table and say where the HTML report is. Plain Node, so
// it runs the same from cmd.exe, PowerShell and a POSIX shell. Exits with the check's code.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const node = (args) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
if (node([tsc, '-p', 'tsconfig.json']) !== 0) process.exit(2);
const reports = 'reports';
const status = node([
  join('dist', 'cli', 'bin.js'),
  'check',
  '--role',
  'domain-controller',
  '--expect',
  'reachable',
  '127.0.0.1',
  '--format',
  'table,json,html,md,junit',
  '--output-dir',
  reports,
]);
const table = join(reports, 'latest.txt');
if (existsSync(table)) process.stdout.write(readFileSync(table, 'utf8'));
console.log(`HTML report: ${join(reports, 'latest.html')} (exit ${status})`);
process.exit(status);
