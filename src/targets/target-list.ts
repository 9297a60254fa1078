/**
 * Targets as people write them: a host name, an address or a CIDR prefix, on the command
 * line, in a plan group, or one per line in a targets file (`--targets-file FILE`, `-` for
 * standard input; `#` starts a comment, blank lines are skipped). Every entry is checked
 * before anything is probed (a bad line is one error naming `file:line`, exit 2), then the
 * entries are read again lazily as the run takes them: a 10,000-line file or a /18 is never
 * held as a list. Standard input cannot be read twice, so its checked lines go to a temp
 * file that the run reads back and `close` removes.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPortolanError, PortolanError } from '../errors.js';
import { printableText } from '../printable.js';
import { LineTooLong, readLines } from '../read-lines.js';
import { checkCidrSize, cidrAddresses, looksLikeCidr, parseCidr } from './cidr.js';

/** One target as asked for (a name or an address; CIDR prefixes are expanded into these). */
export interface TargetRequest {
  name: string;
  /** How it came into the run: "command line", "plan nightly, group dcs", "hosts.txt:12", "SRV _ldap._tcp...". */
  origin: string;
  /** Already known addresses (from the DNS server that answered an SRV query). */
  addresses?: string[];
}

/** A targets file, checked: read it again with `targetsOfFile`. */
export interface TargetFile {
  /** As the user named it (`-` for standard input). */
  name: string;
  /** What origins and errors call it: the path, or `stdin`. */
  shown: string;
  /** The file the run reads: the path itself, or the temp copy of standard input. */
  path: string;
  /** Targets it stands for (a prefix counts its addresses), before duplicates are dropped. */
  count: number;
  /** Removes the temp copy of standard input; nothing for a file. */
  close(): void;
}

/** A line longer than this is not a target (names are at most 253 characters). */
const MAX_LINE = 1024;

/**
 * The entry a line holds, or null for a blank or comment line: `#` starts a comment at the
 * start of a line or after white space, so a name keeps any `#` inside it.
 */
export function entryOfLine(line: string): string | null {
  const text = line.replace(/(^|\s)#.*$/, '').trim();
  return text === '' ? null : text;
}

/**
 * How many targets `entry` stands for: 1 for a name or address, the prefix's size for a
 * CIDR prefix (checked against `cidrLimit`). INVALID_VALUE naming `field` otherwise.
 */
export function countEntry(entry: string, field: string, cidrLimit: number): number {
  if (/\s/.test(entry)) {
    throw new PortolanError(
      'INVALID_VALUE',
      `${field} "${printableText(entry, 80)}": expected one host name, address or CIDR prefix (one per line in a targets file)`,
      { fields: [field] },
    );
  }
  if (!looksLikeCidr(entry)) return 1;
  const cidr = parseCidr(entry, field);
  checkCidrSize(cidr, cidrLimit, field);
  return Number(cidr.size);
}

/** The targets one entry stands for, with their origin: a name as it is, a prefix address by address. */
export function* targetsOfEntry(entry: string, origin: string, field: string): Generator<TargetRequest> {
  if (!looksLikeCidr(entry)) {
    yield { name: entry, origin };
    return;
  }
  const withPrefix = `${origin} (${entry})`;
  for (const address of cidrAddresses(parseCidr(entry, field))) yield { name: address, origin: withPrefix };
}

/**
 * Check every line of a targets file (or of standard input, for `-`) and count its targets.
 * INVALID_VALUE at `file:line` for the first bad line; FILE_UNREADABLE when it cannot be read.
 */
export async function readTargetsFile(
  name: string,
  cidrLimit: number,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<TargetFile> {
  const fromStdin = name === '-';
  const shown = fromStdin ? 'stdin' : name;
  let copy: { dir: string; fd: number; path: string } | null = null;
  if (fromStdin) {
    const dir = mkdtempSync(join(tmpdir(), 'portolan-targets-'));
    const path = join(dir, 'stdin.txt');
    copy = { dir, path, fd: openSync(path, 'w') };
  }
  const close = () => {
    if (copy) rmSync(copy.dir, { recursive: true, force: true });
  };
  let count = 0;
  try {
    for await (const line of readLines(fromStdin ? stdin : name, MAX_LINE)) {
      const entry = entryOfLine(line.text);
      // The copy keeps line numbers: blank lines stay, so origins name the line of the input.
      if (copy) writeSync(copy.fd, `${entry ?? ''}\n`);
      if (entry === null) continue;
      try {
        count += countEntry(entry, 'target', cidrLimit);
      } catch (err) {
        if (isPortolanError(err, 'INVALID_VALUE')) {
          throw new PortolanError('INVALID_VALUE', err.detail, { location: `${shown}:${line.number}` });
        }
        throw err;
      }
    }
  } catch (err) {
    if (copy) closeSync(copy.fd);
    close();
    if (err instanceof LineTooLong) {
      throw new PortolanError(
        'INVALID_VALUE',
        `line longer than ${MAX_LINE} characters: expected one host name, address or CIDR prefix per line`,
        { location: `${shown}:${err.line}` },
      );
    }
    if (err instanceof PortolanError) throw err;
    throw new PortolanError('FILE_UNREADABLE', `cannot read the targets file: ${(err as Error).message}`, {
      location: shown,
      cause: err,
    });
  }
  if (copy) closeSync(copy.fd);
  return { name, shown, path: copy?.path ?? name, count, close };
}

/** A checked targets file's targets, line by line, each with its `file:line` origin. */
export async function* targetsOfFile(file: TargetFile): AsyncGenerator<TargetRequest> {
  for await (const line of readLines(file.path, MAX_LINE)) {
    const entry = entryOfLine(line.text);
    if (entry !== null) yield* targetsOfEntry(entry, `${file.shown}:${line.number}`, 'target');
  }
}
