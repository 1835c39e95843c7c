// PostgreSQL through pg: a small pool whose sessions are read-only
// (default_transaction_read_only) and carry a statement_timeout just past the
// suite deadline (10 minutes without one). Every statement runs inside
// `BEGIN TRANSACTION READ ONLY` ... `ROLLBACK`, so nothing a check's SQL does
// (a set_config, a temporary object) outlives it or reaches the next check.
// On abort the running statement is cancelled with pg_cancel_backend from a
// separate session, so it stops in the server at once rather than when the
// client goes away. What the role may read is the operator's grant: give it
// SELECT on the checked schemas, never superuser or pg_read_server_files.
import pg from "pg";
import {
  postgres,
  quoteRelation,
  type RelationName,
  type Row,
  type Statement,
} from "../compile/index.js";
import { type Engine, type EngineOptions, QueryCancelledError, Slots } from "./engine.js";

export interface PostgresConnectionSettings {
  readonly host: string;
  readonly port?: number;
  readonly database: string;
  readonly user: string;
  readonly password?: string;
  readonly schema?: string;
  /** Extras from Connection.options: sslmode, application_name. */
  readonly options?: Readonly<Record<string, string>>;
}

/**
 * int8 (COUNT) and numeric arrive as JS numbers, like DuckDB's; counts stay far
 * below 2^53. DATE and TIMESTAMP (without time zone) are read as UTC, as DuckDB
 * reads them, so observed values do not depend on the plugin's time zone.
 */
const NUMBER_TYPES: Readonly<Record<number, (text: string) => unknown>> = {
  20: (text) => Number(text),
  1700: (text) => Number(text),
  1082: (text) => utcDate(`${text}T00:00:00Z`, text),
  1114: (text) => utcDate(`${text.replace(" ", "T")}Z`, text),
};

function utcDate(iso: string, original: string): Date | string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? original : date;
}

const typeParsers = {
  getTypeParser(oid: number, format?: string) {
    return NUMBER_TYPES[oid] ?? pg.types.getTypeParser(oid, (format ?? "text") as "text");
  },
};

/** How long past the deadline the server-side statement_timeout fires when cancellation did not. */
const STATEMENT_TIMEOUT_GRACE_MS = 2_000;

/** statement_timeout of a session opened without a deadline. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10 * 60 * 1000;

export async function openPostgres(
  settings: PostgresConnectionSettings,
  options: EngineOptions = {},
): Promise<Engine> {
  const sessionSettings = ["-c default_transaction_read_only=on"];
  const config: pg.PoolConfig = {
    host: settings.host || "127.0.0.1",
    port: settings.port || 5432,
    database: settings.database,
    user: settings.user,
    ...(settings.password ? { password: settings.password } : {}),
    max: options.concurrency ?? 2,
    application_name: settings.options?.application_name ?? "floe_sql",
    options: sessionSettings.join(" "),
    connectionTimeoutMillis: 10_000,
  };
  const sslmode = settings.options?.sslmode;
  if (sslmode === "require") config.ssl = { rejectUnauthorized: false };
  else if (sslmode === "verify-full" || sslmode === "verify-ca")
    config.ssl = { rejectUnauthorized: true };
  config.statement_timeout = options.deadline
    ? Math.max(1, options.deadline.getTime() - Date.now() + STATEMENT_TIMEOUT_GRACE_MS)
    : DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool(config);
  // An idle client that errors (server restart) must not crash the process.
  pool.on("error", () => undefined);
  const slots = new Slots(config.max ?? 2);

  async function cancelBackend(pid: number): Promise<void> {
    const { max: _max, statement_timeout: _timeout, ...clientConfig } = config;
    const client = new pg.Client(clientConfig);
    try {
      await client.connect();
      await client.query("SELECT pg_cancel_backend($1)", [pid]);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async function run(statement: Statement, signal?: AbortSignal): Promise<pg.QueryResult> {
    const started = performance.now();
    let outcome: "ok" | "error" | "cancelled" = "ok";
    await slots.acquire();
    let client: pg.PoolClient | undefined;
    let broken: Error | undefined;
    let cancelling: Promise<void> | undefined;
    const onAbort = () => {
      const pid = (client as unknown as { processID?: number } | undefined)?.processID;
      if (pid) cancelling = cancelBackend(pid).catch(() => undefined);
    };
    try {
      if (signal?.aborted) throw new QueryCancelledError();
      client = await pool.connect();
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted) throw new QueryCancelledError();
      await client.query("BEGIN TRANSACTION READ ONLY");
      try {
        // Extended protocol even without parameters: one statement per query, never a script.
        return await client.query({
          text: statement.sql,
          values: [...statement.params],
          queryMode: "extended",
          types: typeParsers,
        } as pg.QueryConfig);
      } finally {
        await client.query("ROLLBACK").catch((error: Error) => {
          broken = error;
        });
      }
    } catch (error) {
      if (signal?.aborted) {
        outcome = "cancelled";
        await cancelling;
        throw new QueryCancelledError();
      }
      outcome = "error";
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      // A session whose ROLLBACK failed is not trusted again: the pool drops it.
      client?.release(broken);
      slots.release();
      options.onQuery?.({
        dialect: "postgres",
        sql: statement.sql,
        paramCount: statement.params.length,
        durationMs: performance.now() - started,
        outcome,
      });
    }
  }

  return {
    dialect: postgres,
    defaultSchema: settings.schema ?? "",
    async query(statement, signal) {
      return (await run(statement, signal)).rows as Row[];
    },
    async columnNames(relation: RelationName, signal?: AbortSignal) {
      const result = await run(
        { sql: `SELECT * FROM ${quoteRelation(relation)} LIMIT 0`, params: [] },
        signal,
      );
      return result.fields.map((f) => f.name);
    },
    async close() {
      await pool.end();
    },
  };
}
