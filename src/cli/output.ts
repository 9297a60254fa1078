/**
 * Where a result goes: one format to stdout or to --output FILE, or several formats
 * into --output-dir. Files are written atomically (temp file + rename), so a failed
 * run never leaves half a report.
 */
import type { Command } from 'commander';
import { PortolanError } from '../errors.js';
import type { RunResult } from '../model.js';
import { pathProblem } from '../platform/file-names.js';
import { FORMATS, type Format, isFormat, renderers } from '../report/index.js';
import { writeReportFile, writeReports } from '../report/write.js';

export interface OutputOptions {
  format: string;
  output?: string;
  outputDir?: string;
  verbose?: boolean;
}

export function outputOptions(cmd: Command): Command {
  return cmd
    .option('-f, --format <formats>', `one or more of ${FORMATS.join(', ')} (comma-separated)`, 'table')
    .option('-o, --output <file>', 'write the (single) format to FILE instead of stdout')
    .option('--output-dir <dir>', 'write every --format into DIR (names from target, role and time; latest.* too)')
    .option('-v, --verbose', 'the table lists every row, not only root causes, inconclusive points and notices');
}

export function parseFormats(text: string): Format[] {
  const list = text.split(',').map((s) => s.trim());
  const bad = list.find((f) => !isFormat(f));
  if (bad !== undefined)
    throw new PortolanError('INVALID_VALUE', `--format "${bad}": expected one or more of ${FORMATS.join(', ')}`);
  return [...new Set(list as Format[])];
}

/** Check output flags before probing, so a typo costs nothing. */
export function checkOutputOptions(o: OutputOptions): void {
  const formats = parseFormats(o.format);
  if (formats.length > 1 && !o.outputDir)
    throw new PortolanError('MISSING_OPTION', 'several --format values need --output-dir DIR');
  if (o.output && o.outputDir) {
    throw new PortolanError('CONFLICTING_OPTIONS', '--output and --output-dir conflict: choose one');
  }
  for (const [flag, path] of [
    ['--output-dir', o.outputDir],
    ['--output', o.output],
  ] as const) {
    const problem = path === undefined ? null : pathProblem(path, process.platform);
    if (problem) throw new PortolanError('INVALID_VALUE', `${flag} "${path}": ${problem}`);
  }
}

/**
 * Colour only for the terminal table on a TTY, and never when NO_COLOR is set to anything
 * (no-color.org); `explicit` is `--color` / `--no-color` where a command has them.
 */
export function colorWanted(format: Format, toFile: boolean, explicit?: boolean): boolean {
  if (explicit !== undefined) return explicit;
  return format === 'table' && !toFile && process.stdout.isTTY === true && !process.env.NO_COLOR;
}

export function emitResult(result: RunResult, o: OutputOptions): void {
  const formats = parseFormats(o.format);
  if (o.outputDir) {
    for (const w of writeReports(result, { formats, dir: o.outputDir })) process.stderr.write(`wrote ${w.path}\n`);
    return;
  }
  const format = formats[0] as Format;
  const text = renderers[format](result, {
    color: colorWanted(format, Boolean(o.output)),
    verbose: Boolean(o.verbose),
  });
  if (!o.output) {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return;
  }
  writeReportFile(o.output, text);
  process.stderr.write(`wrote ${o.output}\n`);
}
