/**
 * Runs portolan's command line with `run`, `history`, `diff` and `agent` registered
 * (added here if src/cli/main.ts does not wire them yet), mapping errors as main does.
 */
import { registerAgent } from '../../src/cli/commands/agent.js';
import { registerHistory } from '../../src/cli/commands/history.js';
import { registerRun } from '../../src/cli/commands/run.js';
import { buildProgram } from '../../src/cli/main.js';
import { PortolanError } from '../../src/errors.js';

const program = buildProgram();
const has = (name: string) => program.commands.some((c) => c.name() === name);
if (!has('run')) registerRun(program);
if (!has('history')) registerHistory(program);
if (!has('agent')) registerAgent(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof PortolanError)) throw err;
  process.stderr.write(`portolan: ${err.message}\n`);
  process.exitCode = 2;
}
