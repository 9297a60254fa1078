/**
 * Record runs and read them back. A run is stored whole (its JSON result, so any report
 * can be re-rendered) plus one row per expectation verdict for queries.
 */
import type Database from 'better-sqlite3';
import type { ComplianceStatus, RunCounts, RunResult } from '../model.js';
import { type OpenOptions, openHistoryDb, toHistoryError } from './db.js';

export interface RunRecord {
  id: number;
  plan: string;
  planFile: string | null;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  status: ComplianceStatus;
  exitCode: number;
  counts: RunCounts;
  headline: string;
  sourceHost: string;
}

interface RunRow {
  id: number;
  plan: string;
  plan_file: string | null;
  started_at: string;
  ended_at: string;
  duration_ms: number;
  status: ComplianceStatus;
  exit_code: number;
  pass: number;
  fail: number;
  inconclusive: number;
  waived: number;
  untestable: number;
  headline: string;
  source_host: string;
}

const RUN_COLUMNS =
  'id, plan, plan_file, started_at, ended_at, duration_ms, status, exit_code, pass, fail, inconclusive, waived, untestable, headline, source_host';

export class HistoryStore {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  static open(path: string, opts: OpenOptions = {}): HistoryStore {
    return new HistoryStore(openHistoryDb(path, opts), path);
  }

  /** Store one run in one transaction; returns its id. */
  record(result: RunResult, plan: { name: string; file: string | null }): number {
    const insertRun = this.db.prepare(
      `INSERT INTO runs (plan, plan_file, started_at, ended_at, duration_ms, status, exit_code, pass, fail,
         inconclusive, waived, untestable, headline, source_host, catalog_digest, result_json)
       VALUES (@plan, @planFile, @startedAt, @endedAt, @durationMs, @status, @exitCode, @pass, @fail,
         @inconclusive, @waived, @untestable, @headline, @sourceHost, @digest, @json)`,
    );
    const insertVerdict = this.db.prepare(
      `INSERT INTO expectation_verdicts (run_id, target, expectation, negative, service, status, explanation)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const write = this.db.transaction(() => {
      const { counts } = result.summary;
      const id = Number(
        insertRun.run({
          plan: plan.name,
          planFile: plan.file,
          startedAt: result.run.startedAt,
          endedAt: result.run.endedAt,
          durationMs: result.run.durationMs,
          status: result.summary.status,
          exitCode: result.summary.exitCode,
          ...counts,
          headline: result.summary.headline,
          sourceHost: result.run.source.hostname,
          digest: result.catalog.digest,
          json: JSON.stringify(result),
        }).lastInsertRowid,
      );
      for (const v of result.verdicts.expectations) {
        insertVerdict.run(id, v.target, v.expectation, v.negative ? 1 : 0, v.service, v.status, v.explanation);
      }
      return id;
    });
    return this.guard(() => write.immediate());
  }

  /** Newest first. */
  list(filter: { plan?: string; limit?: number } = {}): RunRecord[] {
    const where = filter.plan === undefined ? '' : 'WHERE plan = @plan';
    const rows = this.guard(
      () =>
        this.db
          .prepare(`SELECT ${RUN_COLUMNS} FROM runs ${where} ORDER BY id DESC LIMIT @limit`)
          .all({ ...(filter.plan === undefined ? {} : { plan: filter.plan }), limit: filter.limit ?? -1 }) as RunRow[],
    );
    return rows.map(toRecord);
  }

  /** The stored result of run `id`, or null. */
  result(id: number): RunResult | null {
    const row = this.guard(
      () => this.db.prepare('SELECT result_json FROM runs WHERE id = ?').get(id) as { result_json: string } | undefined,
    );
    return row ? (JSON.parse(row.result_json) as RunResult) : null;
  }

  /** The most recent run of `plan`, optionally before run `beforeId`. */
  latest(plan: string, beforeId?: number): RunRecord | null {
    const row = this.guard(
      () =>
        this.db
          .prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE plan = ? AND id < ? ORDER BY id DESC LIMIT 1`)
          .get(plan, beforeId ?? Number.MAX_SAFE_INTEGER) as RunRow | undefined,
    );
    return row ? toRecord(row) : null;
  }

  close(): void {
    this.db.close();
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw toHistoryError(err, this.path);
    }
  }
}

function toRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
    plan: r.plan,
    planFile: r.plan_file,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    status: r.status,
    exitCode: r.exit_code,
    counts: { pass: r.pass, fail: r.fail, inconclusive: r.inconclusive, waived: r.waived, untestable: r.untestable },
    headline: r.headline,
    sourceHost: r.source_host,
  };
}
