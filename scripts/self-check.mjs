#!/usr/bin/env node
// `npm start`: a real check of this machine (127.0.0.1) as a domain controller before
// deployment (--expect reachable: closed ports pass, filtered ones fail), with every report
// written to reports/. Extra arguments replace the defaults: `npm start -- --role file-server 127.0.0.1`.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const check = args.length
  ? ['check', ...args]
  : ['check', '--role', 'domain-controller', '--expect', 'reachable', '127.0.0.1'];
if (!check.includes('--output-dir') && !check.includes('--output')) {
  check.push('--format', 'json,html,md,junit,table', '--output-dir', 'reports');
}
console.error(`$ portolan ${check.join(' ')}`);
const run = spawnSync(process.execPath, ['dist/cli/bin.js', ...check], { stdio: 'inherit' });
const code = run.status ?? 2;
if (code === 2) process.exit(2);
const meaning = { 0: 'compliant', 1: 'non-compliant', 3: 'inconclusive' }[code] ?? `exit ${code}`;
console.error(
  `\nverdict: ${meaning} (exit ${code}). Open reports/latest.html in a browser; reports/latest.txt is the table.`,
);
