// DuckDB through @duckdb/node-api: the database file opened READ_ONLY (checks
// cannot change it, and several readers may share it), one connection per
// concurrent statement, cancellation through DuckDBConnection.interrupt().
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from "@duckdb/node-api";
import {
  duckdb,
  quoteRelation,
  type RelationName,
  type Row,
  type Statement,
} from "../compile/index.js";
import { type Engine, type EngineOptions, QueryCancelledError, Slots } from "./engine.js";

export interface DuckDbConnectionSettings {
  /** The database file. */
  readonly path: string;
  /** Default schema for unqualified relations. */
  readonly schema?: string;
}

export async function openDuckDb(
  settings: DuckDbConnectionSettings,
  options: EngineOptions = {},
): Promise<Engine> {
  if (settings.path === "")
    throw new Error("the DuckDB connection needs a database file path (connection.path)");
  const instance = await DuckDBInstance.create(settings.path, { access_mode: "READ_ONLY" });
  const size = options.concurrency ?? 2;
  const idle: DuckDBConnection[] = [];
  const slots = new Slots(size);
  const all: DuckDBConnection[] = [];

  async function withConnection<T>(
    signal: AbortSignal | undefined,
    use: (c: DuckDBConnection) => Promise<T>,
  ): Promise<T> {
    await slots.acquire();
    let connection = idle.pop();
    if (connection === undefined) {
      connection = await instance.connect();
      all.push(connection);
    }
    const current = connection;
    const onAbort = () => current.interrupt();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (signal?.aborted) throw new QueryCancelledError();
      return await use(current);
    } catch (error) {
      if (signal?.aborted) throw new QueryCancelledError();
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      idle.push(current);
      slots.release();
    }
  }

  async function run(
    statement: Statement,
    signal?: AbortSignal,
  ): Promise<{ rows: Row[]; columns: string[] }> {
    const started = performance.now();
    let outcome: "ok" | "error" | "cancelled" = "ok";
    try {
      return await withConnection(signal, async (connection) => {
        // prepare() accepts exactly one statement: nothing can be appended to a check's SQL.
        const prepared = await connection.prepare(statement.sql);
        if (statement.params.length > 0) prepared.bind(statement.params as DuckDBValue[]);
        const reader = await prepared.runAndReadAll();
        return { rows: reader.getRowObjectsJS() as Row[], columns: reader.columnNames() };
      });
    } catch (error) {
      outcome = error instanceof QueryCancelledError ? "cancelled" : "error";
      throw error;
    } finally {
      options.onQuery?.({
        dialect: "duckdb",
        sql: statement.sql,
        paramCount: statement.params.length,
        durationMs: performance.now() - started,
        outcome,
      });
    }
  }

  return {
    dialect: duckdb,
    defaultSchema: settings.schema ?? "",
    async query(statement, signal) {
      return (await run(statement, signal)).rows;
    },
    async columnNames(relation: RelationName, signal?: AbortSignal) {
      return (
        await run({ sql: `SELECT * FROM ${quoteRelation(relation)} LIMIT 0`, params: [] }, signal)
      ).columns;
    },
    async close() {
      for (const c of all) c.closeSync();
      instance.closeSync();
    },
  };
}
