/**
 * The one report writer. Always atomic (temp file + rename, so a reader never sees half a
 * report); two naming policies: `every-run` keeps every run's report (a numeric suffix
 * instead of overwriting) and refreshes `latest.<ext>` (`portolan check --output-dir`),
 * `latest` replaces `<name>.<ext>` each run (a plan's outputs, which the agent keeps
 * current while history keeps the past). A failed write is FILE_UNWRITABLE naming the file.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PortolanError } from '../errors.js';
import type { RunResult } from '../model.js';
import { fileNamePart, portableStem } from '../platform/file-names.js';
import { EXTENSIONS, renderers } from './index.js';
import type { Format } from './types.js';

function tempPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `content` to `file` through a temp file in the same directory and a rename; replaces `file`. */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = tempPath(file);
  try {
    writeFileSync(tmp, content, { flag: 'wx' });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** `content` to `file` atomically, as `--output FILE` does; FILE_UNWRITABLE naming the file when it cannot. */
export function writeReportFile(file: string, content: string): void {
  try {
    writeFileAtomic(file, content);
  } catch (err) {
    throw unwritable(file, err);
  }
}

function unwritable(file: string, err: unknown): PortolanError {
  return new PortolanError('FILE_UNWRITABLE', `cannot write the report: ${(err as Error).message}`, {
    location: file,
    cause: err,
  });
}

/**
 * Writes `content` as `stem.ext`, or `stem-2.ext`, `stem-3.ext` ... if that exists. The hard
 * link from a complete temp file fails with EEXIST instead of replacing, so two runs at the
 * same second cannot overwrite each other either.
 */
export function writeFileNew(dir: string, stem: string, ext: string, content: string): string {
  const tmp = tempPath(join(dir, `${stem}.${ext}`));
  writeFileSync(tmp, content, { flag: 'wx' });
  try {
    for (let n = 1; n < 10_000; n++) {
      const file = join(dir, n === 1 ? `${stem}.${ext}` : `${stem}-${n}.${ext}`);
      try {
        linkSync(tmp, file);
        return file;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    throw new Error(`no free file name for ${stem}.${ext} in ${dir}`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** `portolan-dc1.corp.example-domain-controller-20261126T090000Z`; several targets say how many. */
export function reportBaseName(result: RunResult): string {
  const targets = result.targets.map((t) => t.name);
  const who = targets.length === 1 ? (targets[0] as string) : `${targets.length}-targets`;
  const roles = result.run.options.roles.length ? result.run.options.roles.join('+') : 'ports';
  const when = result.run.startedAt.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return portableStem(`portolan-${fileNamePart(who)}-${fileNamePart(roles)}-${fileNamePart(when)}`, 200);
}

export interface WriteReportsOptions {
  formats: Format[];
  dir: string;
  /** File name without extension. @default reportBaseName(result) */
  baseName?: string;
  /**
   * `every-run`: never overwrite, refresh `latest.<ext>`; `latest`: replace `<baseName>.<ext>`.
   * @default 'every-run'
   */
  keep?: 'every-run' | 'latest';
  /** Passed to the renderers. */
  now?: Date;
}

export interface WrittenReport {
  format: Format;
  /** The report of this run. */
  path: string;
  /** `DIR/latest.<ext>`, replaced on every run (`every-run` only). */
  latest: string | null;
}

/** Renders each format into DIR by the `keep` policy; returns the paths written, in format order. */
export function writeReports(result: RunResult, opts: WriteReportsOptions): WrittenReport[] {
  const stem = opts.baseName ? portableStem(opts.baseName) : reportBaseName(result);
  const keepEvery = (opts.keep ?? 'every-run') === 'every-run';
  try {
    mkdirSync(opts.dir, { recursive: true });
  } catch (err) {
    throw unwritable(opts.dir, err);
  }
  return [...new Set(opts.formats)].map((format) => {
    const content = renderers[format](result, { color: false, now: opts.now });
    const ext = EXTENSIONS[format];
    const target = join(opts.dir, `${stem}.${ext}`);
    try {
      if (!keepEvery) {
        writeFileAtomic(target, content);
        return { format, path: target, latest: null };
      }
      const path = writeFileNew(opts.dir, stem, ext, content);
      const latest = join(opts.dir, `latest.${ext}`);
      writeFileAtomic(latest, content);
      return { format, path, latest };
    } catch (err) {
      throw unwritable(target, err);
    }
  });
}
