/**
 * The run history, one API over SQLite (the default file) and PostgreSQL (`postgres://`):
 * record runs, list them, read one back whole or target by target, and diff two in SQL.
 * A run is stored as a header, one record per target and one verdict row per expectation
 * (schema.ts), written in batches so no size of run builds one giant string, and a
 * SQLite writer never holds the lock for long.
 *
 * One History is one connection; its calls run one at a time, in the order made.
 */
import { PortolanError } from '../errors.js';
import type { ComplianceStatus, ExpectationStatus, RunCounts, RunResult } from '../model.js';
import { joinResult, type RunHeader, splitResult, type TargetRecord } from '../result/target-records.js';
import { type DiffEnd, diffFromPairs, type RunDiff } from './diff.js';
import { type HistoryLocation, parseHistoryLocation } from './location.js';
import { openPostgres } from './postgres.js';
import { decodeRecord } from './rows.js';
import type { SqlConnection } from './sql.js';
import { openSqlite } from './sqlite.js';
import { finishRun, insertRun, insertTargets, type RunPosition, type RunStart, runStartOf } from './write-run.js';

export type { RunStart } from './write-run.js';

/** `complete`, or `incomplete`: interrupted before every probe finished. */
export type RunState = 'complete' | 'incomplete';

/** A finished run as the history lists it (`portolan history --json` prints these). */
export interface StoredRun {
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
  state: RunState;
  /** The vantage point's name (`run.source.name`). */
  sourceName: string;
  sourceLabels: Record<string, string>;
  targets: number;
  catalogDigest: string;
  toolVersion: string;
}

/** Which finished runs a query is about. */
export interface RunFilter {
  plan?: string;
  /** Source name. */
  source?: string;
  /** Runs with a smaller id only. */
  beforeId?: number;
  /** Runs started at or after this ISO time only. */
  since?: string;
  /** Count interrupted runs too. @default false for latest/latestPerSource, true for list */
  includeIncomplete?: boolean;
}

export interface HistoryOpenOptions {
  /**
   * The most this connection waits, in all, for other writers before HISTORY_LOCKED.
   * `portolan run` and the agent open one connection per run. @default 5000
   */
  lockTimeoutMs?: number;
  /** Fail with HISTORY_MISSING instead of creating the history (read-only commands). */
  mustExist?: boolean;
}

/** Targets per write transaction (about 1 MB deflated at 40 rows a target). */
const TARGETS_PER_BATCH = 500;
/** Targets per read when streaming a run back. */
const TARGETS_PER_READ = 200;

const RUN_COLUMNS = `id, plan, plan_file, started_at, ended_at, duration_ms, status, exit_code, pass, fail,
  inconclusive, waived, untestable, headline, source_host, state, source_name, source_labels, target_count,
  catalog_digest, tool_version`;

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
  state: RunState;
  source_name: string;
  source_labels: string;
  target_count: number;
  catalog_digest: string;
  tool_version: string;
}

export class History {
  /** Calls in flight, chained: one connection runs one statement sequence at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly conn: SqlConnection,
    /** Where the history is, fit to print (a URL's password masked). */
    readonly location: string,
  ) {}

  /** Open (and create or upgrade) the history at a file path or `postgres://` URL. */
  static async open(location: string | HistoryLocation, opts: HistoryOpenOptions = {}): Promise<History> {
    const where = typeof location === 'string' ? parseHistoryLocation(location) : location;
    const common = { display: where.display, lockTimeoutMs: opts.lockTimeoutMs ?? 5000, mustExist: !!opts.mustExist };
    const conn =
      where.kind === 'postgres' ? await openPostgres(where.url, common) : await openSqlite(where.path, common);
    return new History(conn, where.display);
  }

  /**
   * Store a whole run, in batches of targets; a failure removes what was written. With
   * `since`, the run is compared with that earlier run once its targets are stored, and
   * the changes go into `result.changes` and the stored header alike.
   */
  async record(
    result: RunResult,
    plan: { name: string; file: string | null },
    opts: { since?: StoredRun | null } = {},
  ): Promise<{ id: number; diff: RunDiff | null }> {
    const { header, records } = splitResult(result);
    const writer = await this.beginRun(runStartOf(header, plan));
    try {
      for (let i = 0; i < records.length; i += TARGETS_PER_BATCH) {
        await writer.add(records.slice(i, i + TARGETS_PER_BATCH));
      }
      const diff = opts.since
        ? await writer.diffSince(opts.since, { startedAt: result.run.startedAt, status: result.summary.status })
        : null;
      if (diff) {
        result.changes = changesOf(diff);
        header.changes = result.changes;
      }
      await writer.finish(header);
      return { id: writer.id, diff };
    } catch (err) {
      await writer.abandon();
      throw err;
    }
  }

  /**
   * Start storing a run whose targets arrive over time (a streaming run). Until `finish`,
   * the run is `recording`: no query here returns it, so a writer that dies leaves nothing
   * that passes for a finished run.
   */
  async beginRun(start: RunStart): Promise<RunWriter> {
    const id = await this.serial(() => this.conn.write(() => insertRun(this.conn, start)));
    return new RunWriter(this, this.conn, id);
  }

  /** Finished runs, newest first (interrupted ones included unless `includeIncomplete: false`). */
  async list(filter: RunFilter & { limit?: number } = {}): Promise<StoredRun[]> {
    const where = whereClause({ includeIncomplete: true, ...filter });
    const limit = Number.isFinite(filter.limit) ? ` LIMIT ${Math.max(0, Math.floor(filter.limit as number))}` : '';
    const rows = await this.serial(() =>
      this.conn.all<RunRow>(
        `SELECT ${RUN_COLUMNS} FROM runs WHERE ${where.sql} ORDER BY id DESC${limit}`,
        where.params,
      ),
    );
    return rows.map(toStoredRun);
  }

  /** A finished run by id, complete or not; null if there is none. */
  async get(id: number): Promise<StoredRun | null> {
    const rows = await this.serial(() =>
      this.conn.all<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ? AND state <> 'recording'`, [id]),
    );
    return rows[0] ? toStoredRun(rows[0]) : null;
  }

  /** The newest run that matches (complete ones only unless `includeIncomplete`). */
  async latest(filter: RunFilter = {}): Promise<StoredRun | null> {
    return (await this.list({ includeIncomplete: false, ...filter, limit: 1 }))[0] ?? null;
  }

  /**
   * The newest run of each (plan, source): one row per vantage point, as a fleet matrix
   * wants them. Complete runs only unless `includeIncomplete`; ordered by plan, then source.
   */
  async latestPerSource(filter: Omit<RunFilter, 'source' | 'beforeId'> = {}): Promise<StoredRun[]> {
    const where = whereClause({ includeIncomplete: false, ...filter });
    const rows = await this.serial(() =>
      this.conn.all<RunRow>(
        `SELECT ${RUN_COLUMNS} FROM (
           SELECT runs.*, row_number() OVER (PARTITION BY plan, source_name ORDER BY id DESC) AS newest
           FROM runs WHERE ${where.sql}) ranked
         WHERE newest = 1 ORDER BY plan, source_name`,
        where.params,
      ),
    );
    return rows.map(toStoredRun);
  }

  /** A run's header (everything but its targets), or null. */
  async header(id: number): Promise<RunHeader | null> {
    const rows = await this.serial(() =>
      this.conn.all<{ header: string }>("SELECT header FROM runs WHERE id = ? AND state <> 'recording'", [id]),
    );
    return rows[0] ? (JSON.parse(rows[0].header) as RunHeader) : null;
  }

  /** A run's target records in target order, a few hundred at a time. */
  async *targets(id: number): AsyncGenerator<TargetRecord> {
    let next = 0;
    for (;;) {
      const rows = await this.serial(() =>
        this.conn.all<{ ordinal: number; record: Buffer }>(
          'SELECT ordinal, record FROM run_targets WHERE run_id = ? AND ordinal >= ? ORDER BY ordinal LIMIT ?',
          [id, next, TARGETS_PER_READ],
        ),
      );
      for (const row of rows) yield decodeRecord(row.record);
      if (rows.length < TARGETS_PER_READ) return;
      next = Number(rows.at(-1)?.ordinal) + 1;
    }
  }

  /** The stored result of run `id`, whole, or null. For very large runs prefer `header` + `targets`. */
  async result(id: number): Promise<RunResult | null> {
    const header = await this.header(id);
    if (!header) return null;
    const records: TargetRecord[] = [];
    for await (const record of this.targets(id)) records.push(record);
    return joinResult(header, records);
  }

  /** What changed from run `fromId` to run `toId` (both finished). */
  async diff(fromId: number, toId: number): Promise<RunDiff> {
    const end = async (id: number): Promise<DiffEnd> => {
      const run = await this.get(id);
      if (!run) throw new PortolanError('HISTORY_NO_RUN', `run ${id} is not in the history`);
      return { startedAt: run.startedAt, status: run.status };
    };
    return this.diffRows(await end(fromId), await end(toId), fromId, toId);
  }

  /**
   * The drift between two stored runs' verdict rows, paired in SQL: only rows whose status
   * differs leave the database, in the order `diffRuns` gives.
   */
  async diffRows(from: DiffEnd, to: DiffEnd, fromId: number, toId: number): Promise<RunDiff> {
    const rows = await this.serial(() =>
      this.conn.all<PairRow>(
        // Two halves that each walk one run's rows and look the other run up by primary key:
        // what the newer run judged differently (or anew), then what it no longer judges.
        `SELECT 0 AS part, b.seq, b.target, b.expectation, b.service, b.role, b.negative,
                a.status AS before, b.status AS after, b.explanation
         FROM expectation_verdicts b
         LEFT JOIN expectation_verdicts a
           ON a.run_id = ? AND a.target = b.target AND a.expectation = b.expectation AND a.negative = b.negative
         WHERE b.run_id = ? AND a.status IS DISTINCT FROM b.status
         UNION ALL
         SELECT 1 AS part, a.seq, a.target, a.expectation, a.service, a.role, a.negative,
                a.status AS before, NULL AS after, a.explanation
         FROM expectation_verdicts a
         WHERE a.run_id = ? AND NOT EXISTS (
           SELECT 1 FROM expectation_verdicts b
           WHERE b.run_id = ? AND b.target = a.target AND b.expectation = a.expectation AND b.negative = a.negative)
         ORDER BY part, seq`,
        [fromId, toId, fromId, toId],
      ),
    );
    return diffFromPairs(
      from,
      to,
      rows.map(({ part: _part, seq: _seq, ...r }) => ({ ...r, negative: Number(r.negative) === 1 })),
    );
  }

  async close(): Promise<void> {
    await this.serial(() => this.conn.close());
  }

  /** Run `fn` after every call made before it (see RunWriter for the writes). */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Adds targets to a run begun with `History.beginRun`, then finishes it. */
export class RunWriter {
  private readonly at: RunPosition = { ordinal: 0, seq: 0 };

  /** Made by `History.beginRun`. */
  constructor(
    private readonly history: History,
    private readonly conn: SqlConnection,
    readonly id: number,
  ) {}

  /** Store these target records (one write transaction). */
  async add(records: readonly TargetRecord[]): Promise<void> {
    const at = { ...this.at };
    await this.history.serial(() => this.conn.write(() => insertTargets(this.conn, this.id, records, at)));
    Object.assign(this.at, at);
  }

  /**
   * What changed since a finished run, from the targets added so far: a run's own reports
   * can say so before the run is finished. `self` is this run's start and verdict.
   */
  async diffSince(previous: StoredRun, self: DiffEnd): Promise<RunDiff> {
    return this.history.diffRows(
      { startedAt: previous.startedAt, status: previous.status },
      self,
      previous.id,
      this.id,
    );
  }

  /** Write the header: the run is `complete`, or `incomplete` when `header.run.incomplete`. */
  async finish(header: RunHeader): Promise<void> {
    await this.history.serial(() => this.conn.write(() => finishRun(this.conn, this.id, header, this.at.ordinal)));
  }

  /** Remove what was written (best effort: a history that fails here keeps a `recording` run no query returns). */
  async abandon(): Promise<void> {
    await this.history
      .serial(() =>
        this.conn.write(() => this.conn.run("DELETE FROM runs WHERE id = ? AND state = 'recording'", [this.id])),
      )
      .catch(() => undefined);
  }
}

interface PairRow {
  part: number;
  seq: number;
  target: string;
  expectation: string;
  service: string;
  role: string | null;
  negative: number;
  before: ExpectationStatus | null;
  after: ExpectationStatus | null;
  explanation: string;
}

/** A diff as the result's `changes` section. */
function changesOf(diff: RunDiff): NonNullable<RunResult['changes']> {
  return {
    since: diff.from.startedAt,
    sinceStatus: diff.from.status,
    items: diff.changes.map(({ kind, target, service, expectation, before, after, explanation }) => ({
      kind,
      target,
      service,
      expectation,
      before,
      after,
      explanation,
    })),
  };
}

/** The SQL condition of each RunFilter field. */
const FILTER_SQL = {
  plan: 'plan = ?',
  source: 'source_name = ?',
  beforeId: 'id < ?',
  since: 'started_at >= ?',
} as const;

function whereClause(filter: RunFilter): { sql: string; params: (string | number)[] } {
  const terms: string[] = [filter.includeIncomplete ? "state <> 'recording'" : "state = 'complete'"];
  const params: (string | number)[] = [];
  for (const [field, sql] of Object.entries(FILTER_SQL) as [keyof typeof FILTER_SQL, string][]) {
    const value = filter[field];
    if (value === undefined) continue;
    terms.push(sql);
    params.push(value);
  }
  return { sql: terms.join(' AND '), params };
}

function toStoredRun(r: RunRow): StoredRun {
  return {
    id: Number(r.id),
    plan: r.plan,
    planFile: r.plan_file,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: Number(r.duration_ms),
    status: r.status,
    exitCode: r.exit_code,
    counts: { pass: r.pass, fail: r.fail, inconclusive: r.inconclusive, waived: r.waived, untestable: r.untestable },
    headline: r.headline,
    sourceHost: r.source_host,
    state: r.state,
    sourceName: r.source_name,
    sourceLabels: JSON.parse(r.source_labels) as Record<string, string>,
    targets: r.target_count,
    catalogDigest: r.catalog_digest,
    toolVersion: r.tool_version,
  };
}
