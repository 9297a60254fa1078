/**
 * portolan's command line: wiring only. Each command lives in `commands/` and calls
 * the library; a `PortolanError` becomes one line that says where and what was expected,
 * and the exit code its code maps to (`exit-codes.ts`).
 */
import { Command, CommanderError } from 'commander';
import { PortolanError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { terminalText } from '../printable.js';
import { VERSION } from '../version.js';
import { registerAgent } from './commands/agent.js';
import { registerCatalog } from './commands/catalog.js';
import { registerCheck } from './commands/check.js';
import { registerExporter } from './commands/exporter.js';
import { registerFleet } from './commands/fleet.js';
import { registerHistory } from './commands/history.js';
import { registerListen } from './commands/listen.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { EXIT_CODE_OF } from './exit-codes.js';

export function buildProgram(): Command {
  const program = new Command('portolan')
    .description(
      'Validate that the network lets Windows server roles work: probe the ports Microsoft KB 832017 ' +
        'names for a role and say, in words, which dependency is blocked where.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCatalog(program);
  registerCheck(program);
  registerReport(program);
  registerListen(program);
  registerRun(program);
  registerHistory(program);
  registerFleet(program);
  registerAgent(program);
  registerExporter(program);
  program.addHelpText(
    'after',
    `
Examples:
  portolan catalog roles                         which server roles portolan knows
  portolan catalog show domain-controller        the ports a DC needs, and why
  portolan catalog ports --port 445              who uses 445
`,
  );
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Help and version are "errors" in exitOverride mode; commander already printed them.
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0
      ? 0
      : EXIT.usage;
  }
  // Messages echo what the user or the network gave (a target name, a path): no escape sequence reaches the terminal.
  if (err instanceof PortolanError) {
    process.stderr.write(`portolan: ${terminalText(err.message)}\n`);
    return EXIT_CODE_OF[err.code];
  }
  // A bug, never the user's input: not the usage code. The stack is for the bug report.
  process.stderr.write(
    `portolan: internal error: ${terminalText(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`,
  );
  return EXIT.internal;
}
