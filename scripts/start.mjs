// `npm start`: build, then prove something end to end.
//   npm start                       a real demonstration on loopback: `portolan listen` stands in for
//                                   a domain controller on 127.0.0.1 and `portolan check --responder`
//                                   proves every one of its ports answers through the path
//   npm start -- dc1.corp.example   checks a real server as a domain controller
// Either way every report format is written to reports/ and the table is printed. Plain Node, so it
// runs the same from cmd.exe, PowerShell and a POSIX shell. Exits with the check's code.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const cli = join('dist', 'cli', 'bin.js');
const reports = 'reports';
const formats = ['--format', 'table,json,html,md,junit', '--output-dir', reports];
const node = (args, env = process.env) => spawnSync(process.execPath, args, { stdio: 'inherit', env }).status ?? 1;

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
if (node([tsc, '-p', 'tsconfig.json']) !== 0) process.exit(2);

const targets = process.argv.slice(2);
const status = targets.length > 0 ? checkTargets(targets) : await demonstrate();
const table = join(reports, 'latest.txt');
if (existsSync(table)) process.stdout.write(readFileSync(table, 'utf8'));
console.log(`\nHTML report: ${join(reports, 'latest.html')} (exit ${status})`);
process.exit(status);

function checkTargets(names) {
  console.log(`Checking ${names.join(', ')} as domain controller(s) from this machine ...`);
  return node([cli, 'check', '--role', 'domain-controller', ...names, ...formats, '-q']);
}

/** Starts a responder for the domain-controller role on loopback, checks it, stops it. */
async function demonstrate() {
  const token = randomBytes(18).toString('base64url');
  const sampling = ['--rpc-sample', '4'];
  console.log('Demonstration on 127.0.0.1: `portolan listen` stands in for a domain controller;');
  console.log('`portolan check --responder` then proves every port of the role answers through the path.\n');
  const listener = spawn(
    process.execPath,
    [
      cli,
      'listen',
      '--role',
      'domain-controller',
      '--bind',
      '127.0.0.1',
      '--duration',
      '5m',
      '--format',
      'json',
      '--no-firewall-check',
      ...sampling,
    ],
    { env: { ...process.env, PORTOLAN_RESPONDER_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let errors = '';
  listener.stderr.on('data', (chunk) => {
    errors += chunk;
  });
  const serving = await new Promise((resolve) => {
    const lines = createInterface({ input: listener.stdout });
    lines.on('line', (line) => {
      if (line.includes('"event":"serving"')) resolve(JSON.parse(line));
    });
    listener.once('exit', () => resolve(null));
  });
  if (!serving) {
    process.stderr.write(errors);
    console.error(
      '\nThe responder could not start. On Linux and macOS, ports below 1024 need root: run `sudo npm start`,',
    );
    console.error('or check a real server instead: npm start -- dc1.corp.example');
    return 2;
  }
  console.log(`Responder serving ${serving.served.length} ports on 127.0.0.1; checking them ...`);
  try {
    // The token travels in the environment, so the result's recorded command line never holds it.
    return node(
      [
        cli,
        'check',
        '--role',
        'domain-controller',
        '--responder',
        '--rpc',
        'sample',
        ...sampling,
        '127.0.0.1',
        ...formats,
        '-q',
      ],
      { ...process.env, PORTOLAN_RESPONDER_TOKEN: token },
    );
  } finally {
    const stopped = new Promise((resolve) => listener.once('exit', resolve));
    listener.kill('SIGINT');
    await stopped;
  }
}
