// The run history: every model run appended (one transaction) to a DuckDB file
// under the state directory, or to PostgreSQL for a team. The schema is versioned
// (floe_history_meta.schema_version) and documented in docs/report.md. A store that
// cannot be written or read is a FLOE-DQ112 warning: a run's results never depend on it.
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { scrubSecrets } from "@floe/quality-sdk";
import type { QualityCheckResult } from "../config/results.js";
import { type QualityRunOutcome, storedOutcome } from "../runtime/run.js";

/** The schema version this host writes and reads. */
export const HISTORY_SCHEMA_VERSION = 1;

/** The DuckDB file's name under the state directory. */
export const HISTORY_FILE = "history.duckdb";

type Value = string | number | boolean | null;
type Row = Record<string, unknown>;

/** One connection to the store, for one write or one read. */
interface Session {
  query(sql: string, params?: readonly Value[]): Promise<Row[]>;
  close(): Promise<void>;
}

const DDL = [
  `CREATE TABLE IF NOT EXISTS floe_history_meta (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS floe_runs (
     run_id TEXT PRIMARY KEY,
     product TEXT NOT NULL,
     model TEXT NOT NULL,
     quality_tier TEXT NOT NULL,
     provider TEXT NOT NULL,
     run_at TIMESTAMPTZ NOT NULL,
     verdict TEXT NOT NULL,
     score FLOAT8,
     dimension_scores TEXT,
     checks_total INTEGER NOT NULL,
     checks_passed INTEGER NOT NULL,
     checks_failed INTEGER NOT NULL,
     checks_errored INTEGER NOT NULL,
     checks_skipped INTEGER NOT NULL,
     gate_passed BOOLEAN NOT NULL,
     violations TEXT NOT NULL,
     error_cause TEXT,
     error_code TEXT,
     error_message TEXT)`,
  `CREATE INDEX IF NOT EXISTS floe_runs_by_model ON floe_runs (product, model, run_at)`,
  `CREATE TABLE IF NOT EXISTS floe_check_results (
     run_id TEXT NOT NULL,
     source TEXT NOT NULL,
     check_name TEXT NOT NULL,
     check_type TEXT,
     column_name TEXT,
     dimension TEXT NOT NULL,
     severity TEXT NOT NULL,
     status TEXT NOT NULL,
     records_checked BIGINT NOT NULL,
     records_failed BIGINT NOT NULL,
     observed_value FLOAT8,
     details TEXT NOT NULL,
     error_code TEXT,
     error_message TEXT,
     PRIMARY KEY (run_id, source, check_name))`,
];

/** Creates the tables when missing; refuses a store of another schema version. */
async function prepareSchema(s: Session): Promise<void> {
  for (const ddl of DDL) await s.query(ddl);
  const [version] = await s.query(
    "SELECT value FROM floe_history_meta WHERE key = 'schema_version'",
  );
  if (version === undefined) {
    await s.query("INSERT INTO floe_history_meta (key, value) VALUES ('schema_version', $1)", [
      String(HISTORY_SCHEMA_VERSION),
    ]);
  } else if (Number(version.value) !== HISTORY_SCHEMA_VERSION) {
    throw new Error(
      `the store has history schema version ${String(version.value)}; this floe-quality reads version ${HISTORY_SCHEMA_VERSION}`,
    );
  }
}

/** Check rows per INSERT statement (14 parameters each, under PostgreSQL's 65535). */
const ROWS_PER_INSERT = 500;

/** A model's run as `history` lists it. */
export interface HistoryRun {
  run_id: string;
  product: string;
  model: string;
  quality_tier: string;
  run_at: string;
  verdict: string;
  score: number | null;
  dimension_scores: Record<string, number> | null;
  checks_total: number;
  checks_failed: number;
  checks_errored: number;
  /** The checks (and dbt tests) that failed, by name. */
  failed_checks: string[];
  error_cause: string | null;
  error_message: string | null;
}

/** One run as the report draws it. */
export interface ReportRun {
  run_id: string;
  run_at: string;
  quality_tier: string;
  verdict: string;
  score: number | null;
  dimension_scores: Record<string, number> | null;
  checks_total: number;
  checks_failed: number;
  checks_errored: number;
  error_cause: string | null;
  error_message: string | null;
}

/** A check result of the newest run, as stored (samples masked by the sample policy). */
export interface ReportCheck {
  source: string;
  check_name: string;
  check_type: string | null;
  column: string | null;
  dimension: string;
  severity: string;
  status: string;
  records_checked: number;
  records_failed: number;
  details: Record<string, unknown>;
  error_code: string | null;
  error_message: string | null;
}

/** A model's history for the report: its last runs (oldest first) and the newest run's checks. */
export interface ModelHistory {
  product: string;
  model: string;
  runs: ReportRun[];
  checks: ReportCheck[];
}

/** The numeric observed value of a result (details.observed_value), if it has one. */
export function observedValueOf(result: QualityCheckResult): number | null {
  const value = result.details.observed_value;
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** `postgresql://user:secret@host/db` with the password replaced, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, "$1:***@");
}

/** Where the history lives: `none`, a PostgreSQL URL, or a DuckDB file path. */
export type HistoryTarget =
  | { kind: "none" }
  | { kind: "duckdb"; path: string }
  | { kind: "postgres"; url: string };

/**
 * The target of `--history-url` (else FLOE_HISTORY_URL): `none` turns history
 * off, `postgresql://…` is a team store, anything else a DuckDB file; unset, the
 * DuckDB file history.duckdb in the state directory.
 */
export function historyTarget(url: string | undefined, stateDir: string): HistoryTarget {
  if (url === undefined || url === "") {
    return { kind: "duckdb", path: resolve(join(stateDir, HISTORY_FILE)) };
  }
  if (url === "none") return { kind: "none" };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: "postgres", url };
  return { kind: "duckdb", path: resolve(url.replace(/^duckdb:(\/\/)?/, "")) };
}

function describe(target: HistoryTarget): string {
  if (target.kind === "postgres") return redactUrl(target.url);
  if (target.kind === "duckdb") return target.path;
  return "none";
}

async function openDuckdb(path: string): Promise<Session> {
  await mkdir(dirname(path), { recursive: true });
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  return {
    async query(sql, params = []) {
      const reader = await connection.runAndReadAll(sql, [...params]);
      return reader.getRowObjectsJson() as Row[];
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

async function openPostgres(url: string): Promise<Session> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // An error event after connect (server gone) must not crash the host.
  client.on("error", () => undefined);
  await client.connect();
  return {
    async query(sql, params = []) {
      return (await client.query(sql, [...params])).rows as Row[];
    },
    async close() {
      await client.end();
    },
  };
}

/** A DuckDB file another process holds: worth a short wait. */
function isLockConflict(error: unknown): boolean {
  return /lock|conflicting/i.test(String((error as Error)?.message ?? error));
}

/**
 * The run history of one host process. Writes and reads are queued one at a
 * time (a DuckDB file has one writer); each opens the store, works in one
 * transaction and closes it, so other processes can take their turn.
 */
export class RunHistory {
  readonly target: HistoryTarget;
  private readonly warn: (message: string) => void;
  private queue: Promise<unknown> = Promise.resolve();
  /** The store's schema exists and has this host's version (checked by a committed session). */
  private ready = false;

  constructor(target: HistoryTarget, warn: (message: string) => void) {
    this.target = target;
    this.warn = warn;
  }

  get enabled(): boolean {
    return this.target.kind !== "none";
  }

  /**
   * Starts loading the store's driver (DuckDB's native module or pg) without
   * opening the store, so a run's first write does not wait for the import: the
   * host loads it while the plugin works. Failures surface at the write.
   */
  warm(): void {
    if (this.target.kind === "duckdb") void import("@duckdb/node-api").catch(() => undefined);
    if (this.target.kind === "postgres") void import("pg").catch(() => undefined);
  }

  /** Where the history is (a PostgreSQL URL without its password). */
  get location(): string {
    return describe(this.target);
  }

  private async open(): Promise<Session> {
    if (this.target.kind === "postgres") return openPostgres(this.target.url);
    if (this.target.kind === "duckdb") {
      const path = this.target.path;
      // A lock held by another process's write lasts one transaction: retry a while.
      for (let attempt = 0; ; attempt++) {
        try {
          return await openDuckdb(path);
        } catch (error) {
          if (!isLockConflict(error) || attempt >= 20) throw error;
          await new Promise((r) => setTimeout(r, 100 + attempt * 25));
        }
      }
    }
    throw new Error("run history is off");
  }

  /** Runs `work` in one transaction on a freshly opened store with the schema in place. */
  private session<T>(work: (s: Session) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      const s = await this.open();
      try {
        await s.query("BEGIN");
        try {
          if (this.target.kind === "postgres") {
            // Concurrent hosts creating the tables at once: one at a time.
            await s.query("SELECT pg_advisory_xact_lock(4242015)");
          }
          // The schema is created and its version checked once per process.
          if (!this.ready) await prepareSchema(s);
          const result = await work(s);
          await s.query("COMMIT");
          this.ready = true;
          return result;
        } catch (error) {
          await s.query("ROLLBACK").catch(() => undefined);
          throw error;
        }
      } finally {
        await s.close().catch(() => undefined);
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private warning(action: string, error: unknown, secrets: readonly string[] = []): string {
    const reason = scrubSecrets(
      redactUrl(String((error as Error)?.message ?? error).split("\n")[0] ?? ""),
      secrets,
    );
    return `FLOE-DQ112 run history not ${action} ${this.location}: ${reason} (the run's results are not affected)`;
  }

  /**
   * Appends one model run: its results (samples as stored), score, dimensions,
   * verdict and error cause. Never throws: a failure is a FLOE-DQ112 warning.
   * Error messages are scrubbed of `secrets`.
   */
  async record(
    product: string,
    run: QualityRunOutcome,
    secrets: readonly string[] = [],
  ): Promise<boolean> {
    if (!this.enabled) return false;
    const outcome = storedOutcome(run);
    const scrub = (text: string | null | undefined) =>
      text === null || text === undefined ? null : scrubSecrets(text, secrets);
    const checks = outcome.suiteResult.checks;
    const count = (status: string) => checks.filter((c) => c.status === status).length;
    try {
      await this.session(async (s) => {
        await s.query(
          `INSERT INTO floe_runs (run_id, product, model, quality_tier, provider, run_at, verdict,
             score, dimension_scores, checks_total, checks_passed, checks_failed, checks_errored,
             checks_skipped, gate_passed, violations, error_cause, error_code, error_message)
           VALUES ($1, $2, $3, $4, $5, CAST($6 AS TIMESTAMPTZ), $7, $8, $9, $10, $11, $12, $13,
             $14, $15, $16, $17, $18, $19)`,
          [
            outcome.runId,
            product,
            outcome.model,
            outcome.qualityTier,
            outcome.provider,
            outcome.suiteResult.timestamp,
            outcome.verdict,
            outcome.score?.overall ?? null,
            outcome.score === null ? null : JSON.stringify(outcome.score.dimension_scores),
            checks.length,
            count("passed"),
            count("failed"),
            count("error") + count("timed_out"),
            count("skipped"),
            outcome.gate.passed,
            JSON.stringify(outcome.violations),
            outcome.error?.cause ?? null,
            outcome.error?.code ?? null,
            scrub(outcome.error?.message),
          ],
        );
        const rows = [
          ...checks.map((c) => ["floe", c] as const),
          ...outcome.dbtTests.map((c) => ["dbt", c] as const),
        ];
        for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
          const chunk = rows.slice(at, at + ROWS_PER_INSERT);
          const values: Value[] = [];
          const tuples = chunk.map(([source, c], i) => {
            values.push(
              outcome.runId,
              source,
              c.check_name,
              c.check_type,
              c.column,
              c.dimension,
              c.severity,
              c.status,
              c.records_checked,
              c.records_failed,
              observedValueOf(c),
              scrubSecrets(JSON.stringify(c.details), secrets),
              c.error_code,
              scrub(c.error_message),
            );
            const n = i * 14;
            return `(${Array.from({ length: 14 }, (_, k) => `$${n + k + 1}`).join(", ")})`;
          });
          await s.query(
            `INSERT INTO floe_check_results (run_id, source, check_name, check_type, column_name,
               dimension, severity, status, records_checked, records_failed, observed_value,
               details, error_code, error_message)
             VALUES ${tuples.join(", ")}`,
            values,
          );
        }
      });
      return true;
    } catch (error) {
      this.warn(this.warning("written to", error, secrets));
      return false;
    }
  }

  /** A model's last `limit` runs, newest first (throws when the store cannot be read). */
  async runs(model: string, options: { product?: string; limit: number }): Promise<HistoryRun[]> {
    if (!this.enabled) return [];
    return this.session(async (s) => {
      const params: Value[] = [model, options.limit];
      const byProduct = options.product === undefined ? "" : " AND product = $3";
      if (options.product !== undefined) params.push(options.product);
      const runs = await s.query(
        `SELECT run_id, product, model, quality_tier,
                CAST(EXTRACT(EPOCH FROM run_at) AS FLOAT8) AS run_epoch, verdict,
                score, dimension_scores, checks_total, checks_failed, checks_errored,
                error_cause, error_message
           FROM floe_runs WHERE model = $1${byProduct}
          ORDER BY run_at DESC, run_id DESC LIMIT $2`,
        params,
      );
      const out: HistoryRun[] = [];
      for (const r of runs) {
        const failed = await s.query(
          `SELECT check_name FROM floe_check_results
            WHERE run_id = $1 AND status = 'failed' ORDER BY source DESC, check_name`,
          [String(r.run_id)],
        );
        out.push({
          run_id: String(r.run_id),
          product: String(r.product),
          model: String(r.model),
          quality_tier: String(r.quality_tier),
          run_at: new Date(Math.round(Number(r.run_epoch) * 1000)).toISOString(),
          verdict: String(r.verdict),
          score: r.score === null ? null : Number(r.score),
          dimension_scores:
            r.dimension_scores === null
              ? null
              : (JSON.parse(String(r.dimension_scores)) as Record<string, number>),
          checks_total: Number(r.checks_total),
          checks_failed: Number(r.checks_failed),
          checks_errored: Number(r.checks_errored),
          failed_checks: failed.map((f) => String(f.check_name)),
          error_cause: r.error_cause === null ? null : String(r.error_cause),
          error_message: r.error_message === null ? null : String(r.error_message),
        });
      }
      return out;
    });
  }

  /**
   * What the report shows, per product and model (sorted): the last `runs` runs
   * oldest first, and the check results of the newest. Throws when the store
   * cannot be read.
   */
  async snapshot(options: { product?: string | undefined; runs: number }): Promise<ModelHistory[]> {
    if (!this.enabled) return [];
    return this.session(async (s) => {
      const byProduct = options.product === undefined ? "" : " WHERE product = $1";
      const models = await s.query(
        `SELECT DISTINCT product, model FROM floe_runs${byProduct} ORDER BY product, model`,
        options.product === undefined ? [] : [options.product],
      );
      const out: ModelHistory[] = [];
      for (const m of models) {
        const product = String(m.product);
        const model = String(m.model);
        const rows = await s.query(
          `SELECT run_id, quality_tier, CAST(EXTRACT(EPOCH FROM run_at) AS FLOAT8) AS run_epoch,
                  verdict, score, dimension_scores, checks_total, checks_failed, checks_errored,
                  error_cause, error_message
             FROM floe_runs WHERE product = $1 AND model = $2
            ORDER BY run_at DESC, run_id DESC LIMIT $3`,
          [product, model, options.runs],
        );
        const runs: ReportRun[] = rows.reverse().map((r) => ({
          run_id: String(r.run_id),
          run_at: new Date(Math.round(Number(r.run_epoch) * 1000)).toISOString(),
          quality_tier: String(r.quality_tier),
          verdict: String(r.verdict),
          score: r.score === null ? null : Number(r.score),
          dimension_scores:
            r.dimension_scores === null
              ? null
              : (JSON.parse(String(r.dimension_scores)) as Record<string, number>),
          checks_total: Number(r.checks_total),
          checks_failed: Number(r.checks_failed),
          checks_errored: Number(r.checks_errored),
          error_cause: r.error_cause === null ? null : String(r.error_cause),
          error_message: r.error_message === null ? null : String(r.error_message),
        }));
        const latest = runs[runs.length - 1]!;
        const checks = await s.query(
          `SELECT source, check_name, check_type, column_name, dimension, severity, status,
                  records_checked, records_failed, details, error_code, error_message
             FROM floe_check_results WHERE run_id = $1 ORDER BY source DESC, check_name`,
          [latest.run_id],
        );
        out.push({
          product,
          model,
          runs,
          checks: checks.map((c) => ({
            source: String(c.source),
            check_name: String(c.check_name),
            check_type: c.check_type === null ? null : String(c.check_type),
            column: c.column_name === null ? null : String(c.column_name),
            dimension: String(c.dimension),
            severity: String(c.severity),
            status: String(c.status),
            records_checked: Number(c.records_checked),
            records_failed: Number(c.records_failed),
            details: JSON.parse(String(c.details)) as Record<string, unknown>,
            error_code: c.error_code === null ? null : String(c.error_code),
            error_message: c.error_message === null ? null : String(c.error_message),
          })),
        });
      }
      return out;
    });
  }

  /**
   * The observed values of each named check over a model's last runs that
   * measured it (`limit` per check), oldest first: the history anomaly checks
   * compare today's value with. Never throws: a store that cannot be read is a
   * FLOE-DQ112 warning and every check gets no history (it is then skipped).
   */
  async observedValues(
    product: string,
    model: string,
    checks: ReadonlyArray<{ name: string; limit: number }>,
  ): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>(checks.map((c) => [c.name, []]));
    if (!this.enabled || checks.length === 0) return out;
    try {
      await this.session(async (s) => {
        for (const check of checks) {
          // Skipped runs count too: an anomaly check is skipped while its history is short.
          const rows = await s.query(
            `SELECT c.observed_value AS v
               FROM floe_check_results c JOIN floe_runs r ON r.run_id = c.run_id
              WHERE r.product = $1 AND r.model = $2 AND c.source = 'floe' AND c.check_name = $3
                AND c.status IN ('passed', 'failed', 'skipped') AND c.observed_value IS NOT NULL
              ORDER BY r.run_at DESC, r.run_id DESC LIMIT $4`,
            [product, model, check.name, check.limit],
          );
          out.set(check.name, rows.map((r) => Number(r.v)).reverse());
        }
      });
    } catch (error) {
      this.warn(this.warning("read from", error));
    }
    return out;
  }
}

/** The history of a host: `--history-url`, else FLOE_HISTORY_URL, else `<state dir>/history.duckdb`. */
export function openRunHistory(options: {
  url?: string | undefined;
  env?: NodeJS.ProcessEnv;
  stateDir?: string | undefined;
  warn: (message: string) => void;
}): RunHistory {
  const env = options.env ?? process.env;
  const stateDir = options.stateDir ?? env.FLOE_STATE_DIR ?? ".floe";
  return new RunHistory(historyTarget(options.url ?? env.FLOE_HISTORY_URL, stateDir), options.warn);
}
