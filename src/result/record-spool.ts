/**
 * A run's target records on disk while the run goes on, so a 10,000-target run holds only
 * the targets in flight: each record is appended as one JSON line when its target finishes
 * (in finish order) and read back later in target order, one at a time, through an index of
 * where each line starts. The file lives in a temp directory `close` removes.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetRecord } from './target-records.js';

export class RecordSpool {
  private readonly dir = mkdtempSync(join(tmpdir(), 'portolan-spool-'));
  private readonly fd = openSync(join(this.dir, 'records.ndjson'), 'w+');
  /** By ordinal: where its line starts, and its length in bytes. */
  private readonly at: { start: number; length: number }[] = [];
  private end = 0;

  /** Appends the record of the target at `ordinal` in the run's target order. */
  add(record: TargetRecord, ordinal: number): void {
    const bytes = Buffer.from(JSON.stringify(record), 'utf8');
    writeSync(this.fd, bytes, 0, bytes.length, this.end);
    this.at[ordinal] = { start: this.end, length: bytes.length };
    this.end += bytes.length;
  }

  /** How many records it holds. */
  get size(): number {
    return this.at.filter(Boolean).length;
  }

  /** The records in target order, each read from disk when asked for; can be read any number of times. */
  *records(): Generator<TargetRecord, void, undefined> {
    for (const place of this.at) {
      if (!place) continue;
      const bytes = Buffer.alloc(place.length);
      readSync(this.fd, bytes, 0, place.length, place.start);
      yield JSON.parse(bytes.toString('utf8')) as TargetRecord;
    }
  }

  close(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
