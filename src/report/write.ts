/**
 * The one report writer. Always atomic (temp file + rename, so a reader never sees half a
 * report); two naming policies: `every-run` keeps every run's report (a numeric suffix
 * instead of overwriting) and refreshes `latest.<ext>` (`portolan check --output-dir`),
 * `latest` replaces `<name>.<ext>` each run (a plan's outputs, which the agent keeps
 * current while history keeps the past).
 *
 * After a run nothing may cost it its result: each format is rendered and written on its
 * own (one that fails is reported, the others are still written), the JSON result is
 * streamed in chunks (`json-stream.ts`: no size of run is too large for it), and the
 * `latest.*` files are replaced together, as a set from one run. Whether a directory can
 * be written is checked before probing (`checkReportDir`), so a bad path costs a usage
 * error, not a run.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PortolanError } from '../errors.js';
import type { RunResult } from '../model.js';
import { fileNamePart, portableStem } from '../platform/file-names.js';
import { EXTENSIONS, renderers } from './index.js';
import { jsonResultChunks } from './json.js';
import type { Format, RenderOptions, ReportOmissions } from './types.js';

/** A report's content: one string, or chunks of it (the JSON result, streamed). */
export type ReportBody = string | Iterable<string>;

/**
 * The content of `format` for `result`: the JSON result as chunks, every other format rendered.
 * `json` gives the JSON result's chunks when `result` is a large run's report view, not the run.
 */
export function reportBody(
  result: RunResult,
  format: Format,
  opts: RenderOptions = {},
  json?: () => ReportBody,
): ReportBody {
  if (format === 'json') return json ? json() : jsonResultChunks(result);
  return renderers[format](result, opts);
}

function tempPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `body` to a new file (`wx`: never over an existing one), chunk by chunk. */
function writeNewFile(path: string, body: ReportBody): void {
  if (typeof body === 'string') {
    writeFileSync(path, body, { flag: 'wx' });
    return;
  }
  const fd = openSync(path, 'wx');
  try {
    for (const chunk of body) {
      const bytes = Buffer.from(chunk, 'utf8');
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes `body` to `file` through a temp file in the same directory and a rename; replaces `file`. */
export function writeFileAtomic(file: string, body: ReportBody): void {
  const tmp = tempPath(file);
  try {
    writeNewFile(tmp, body);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** `body` to `file` atomically, as `--output FILE` does; FILE_UNWRITABLE naming the file when it cannot. */
export function writeReportFile(file: string, body: ReportBody): void {
  try {
    writeFileAtomic(file, body);
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
 * Writes `body` as `stem.ext`, or `stem-2.ext`, `stem-3.ext` ... if that exists. The hard
 * link from a complete temp file fails with EEXIST instead of replacing, so two runs at the
 * same second cannot overwrite each other either.
 */
export function writeFileNew(dir: string, stem: string, ext: string, body: ReportBody): string {
  const tmp = tempPath(join(dir, `${stem}.${ext}`));
  try {
    writeNewFile(tmp, body);
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

/**
 * `mkdir -p`, one level at a time. Node's own recursive mkdir never returns on a path
 * under /proc (it retries ENOENT forever), so the missing levels are created one by one,
 * at most as many as the path has.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    const found = statOrNull(at);
    if (found) {
      if (!found.isDirectory()) {
        throw Object.assign(new Error(`${at} is a file, not a directory`), { code: 'ENOTDIR' });
      }
      break;
    }
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (err) {
      // Another process may have made it in the meantime.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(level).isDirectory()) throw err;
    }
  }
}

/** The entry at `path`, or null where there is none (ENOENT, or ENOTDIR: a file is higher up the path). */
function statOrNull(path: string) {
  try {
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}

/** Why a directory cannot take reports, in a few words, from the error the file system gave. */
function whyUnwritable(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOENT: 'it does not exist and cannot be created',
    ENOTDIR: e.message,
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
  };
  return words[e.code ?? ''] ?? e.message;
}

/**
 * Makes `dir` if needed and proves a file can be created in it (a probe file, removed at
 * once); FILE_UNWRITABLE naming `what` (the flag or plan key) and the directory otherwise.
 * Called before probing, so an unwritable folder costs a usage error, not a run.
 */
export function checkReportDir(dir: string, what: string): void {
  try {
    makeDirectory(dir);
    const probe = join(dir, `.portolan-write-check.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(probe, '', { flag: 'wx' });
    rmSync(probe, { force: true });
  } catch (err) {
    throw new PortolanError('FILE_UNWRITABLE', `${what} "${dir}": cannot write reports there (${whyUnwritable(err)})`, {
      cause: err,
    });
  }
}

/** `checkReportDir` for the directory of `--output FILE`, and FILE must not be a directory. */
export function checkReportFile(file: string, what: string): void {
  if (statOrNull(file)?.isDirectory()) {
    throw new PortolanError('FILE_UNWRITABLE', `${what} "${file}": is a directory; expected a file name`);
  }
  checkReportDir(dirname(resolve(file)), what);
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
  /** Set when `result` is a large run's report view: what it left out (for the renderers). */
  omitted?: ReportOmissions;
  /** The JSON result's chunks when `result` is a report view, not the whole run. */
  json?: () => ReportBody;
}

export interface WrittenReport {
  format: Format;
  /** The report of this run. */
  path: string;
  /** `DIR/latest.<ext>`, replaced on every run (`every-run` only); null when not refreshed. */
  latest: string | null;
}

/** A report that could not be rendered or written; the others were written all the same. */
export interface FailedReport {
  format: Format;
  /** The file it would have been. */
  path: string;
  error: Error;
}

export interface WriteOutcome {
  /** In format order. */
  written: WrittenReport[];
  failed: FailedReport[];
}

/**
 * Renders each format into DIR by the `keep` policy, each on its own: a renderer that throws
 * or a write that fails (disk full) is listed in `failed` and the other formats are still
 * written. The directory itself must be writable (FILE_UNWRITABLE otherwise; `checkReportDir`
 * says so before a run). With `every-run`, `latest.*` is then replaced as one set: this run's
 * reports, and no `latest.<ext>` left over from an earlier run.
 */
export function writeReports(result: RunResult, opts: WriteReportsOptions): WriteOutcome {
  const stem = opts.baseName ? portableStem(opts.baseName) : reportBaseName(result);
  const keepEvery = (opts.keep ?? 'every-run') === 'every-run';
  try {
    makeDirectory(opts.dir);
  } catch (err) {
    throw unwritable(opts.dir, err);
  }
  const outcome: WriteOutcome = { written: [], failed: [] };
  for (const format of new Set(opts.formats)) {
    const target = join(opts.dir, `${stem}.${EXTENSIONS[format]}`);
    try {
      const body = reportBody(result, format, { color: false, now: opts.now, omitted: opts.omitted }, opts.json);
      const path = keepEvery ? writeFileNew(opts.dir, stem, EXTENSIONS[format], body) : target;
      if (!keepEvery) writeFileAtomic(target, body);
      outcome.written.push({ format, path, latest: null });
    } catch (err) {
      outcome.failed.push({ format, path: target, error: err as Error });
    }
  }
  if (keepEvery) refreshLatest(opts.dir, outcome);
  return outcome;
}

/**
 * Replaces `latest.*` with this run's reports as one set: each is staged first (a hard link
 * to the run's file, or a copy where links are not supported), then all are renamed into
 * place one after the other, and a `latest.<ext>` of a format this run did not write is
 * removed. If staging fails, the old set stays whole and the failure is listed.
 */
function refreshLatest(dir: string, outcome: WriteOutcome): void {
  const staged: { report: WrittenReport; tmp: string; latest: string }[] = [];
  try {
    for (const report of outcome.written) {
      const latest = join(dir, `latest.${EXTENSIONS[report.format]}`);
      const tmp = tempPath(latest);
      staged.push({ report, tmp, latest });
      try {
        linkSync(report.path, tmp);
      } catch {
        copyFileSync(report.path, tmp);
      }
    }
  } catch (err) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    const first = staged[staged.length - 1];
    outcome.failed.push({
      format: first?.report.format ?? 'json',
      path: first?.latest ?? join(dir, 'latest.*'),
      error: err as Error,
    });
    return;
  }
  for (const s of staged) {
    try {
      renameSync(s.tmp, s.latest);
      s.report.latest = s.latest;
    } catch (err) {
      rmSync(s.tmp, { force: true });
      outcome.failed.push({ format: s.report.format, path: s.latest, error: err as Error });
    }
  }
  const current = new Set(outcome.written.map((w) => EXTENSIONS[w.format]));
  for (const ext of new Set(Object.values(EXTENSIONS))) {
    if (!current.has(ext)) rmSync(join(dir, `latest.${ext}`), { force: true });
  }
}
