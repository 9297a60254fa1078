/**
 * `portolan report RESULT.json --format FMT [--output FILE]`: re-renders a saved JSON result
 * in any format. The input is checked against checks/schema/result.schema.json first; an invalid
 * file is a usage error (exit 2) naming the file, the JSON pointer and what was expected.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PortolanError } from '../../errors.js';
import type { RunResult } from '../../model.js';
import { FORMATS, isFormat, renderers } from '../../report/index.js';
import { validateResult } from '../../report/validate-result.js';
import { writeReportFile } from '../../report/write.js';
import { colorWanted } from '../output.js';

interface ReportOpts {
  format: string;
  output?: string;
  color?: boolean;
  verbose?: boolean;
}

/** Problems shown at most; the rest are counted. */
const MAX_PROBLEMS = 10;

export function loadResultFile(file: string): RunResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PortolanError('FILE_UNREADABLE', `cannot read the result: ${(err as Error).message}`, {
      location: file,
      cause: err,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PortolanError('RESULT_INVALID', `not JSON: ${(err as Error).message}`, { location: file, cause: err });
  }
  const outcome = validateResult(data);
  if (outcome.ok) return outcome.result;
  const lines = outcome.problems
    .slice(0, MAX_PROBLEMS)
    .map((p) => `  ${p.pointer === '' ? '(root)' : p.pointer}: ${p.message}`);
  if (outcome.problems.length > MAX_PROBLEMS) lines.push(`  ... and ${outcome.problems.length - MAX_PROBLEMS} more`);
  throw new PortolanError(
    'RESULT_INVALID',
    `not a portolan result (checks/schema/result.schema.json, schemaVersion 1):\n${lines.join('\n')}`,
    { location: file },
  );
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('re-render a saved JSON result as a table, HTML compliance report, JUnit XML, Markdown or JSON')
    .argument('<result.json>', 'a result written by `portolan check --format json`')
    .option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`, 'table')
    .option('-o, --output <file>', 'write to FILE (atomically: a temp file, then a rename) instead of stdout')
    .option('--color', 'colour the table even when stdout is not a terminal')
    .option('--no-color', 'never colour the table')
    .option('-v, --verbose', 'the table lists every row, not only root causes, inconclusive points and notices')
    .addHelpText(
      'after',
      `
Examples:
  portolan report result.json                              the terminal table: verdict, root causes, notices
  portolan report result.json --verbose                    ... and every row
  portolan report result.json --format html -o audit.html  the offline compliance report
  portolan report result.json --format junit -o junit.xml  for CI test reports
  portolan report result.json --format md >> "$GITHUB_STEP_SUMMARY"`,
    )
    .action((file: string, opts: ReportOpts) => {
      // One format: "--format pdf" is one line naming the formats there are (exit 2), like every usage error.
      if (!isFormat(opts.format)) {
        throw new PortolanError('INVALID_VALUE', `--format "${opts.format}": expected one of ${FORMATS.join(', ')}`);
      }
      const format = opts.format;
      const result = loadResultFile(file);
      const text = renderers[format](result, {
        color: colorWanted(format, Boolean(opts.output), opts.color),
        verbose: Boolean(opts.verbose),
      });
      if (opts.output) {
        writeReportFile(opts.output, text);
      } else {
        process.stdout.write(text);
      }
    });
}
