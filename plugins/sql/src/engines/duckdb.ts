// DuckDB through @duckdb/node-api: the database file opened READ_ONLY (checks
// cannot change it, and several readers may share it) with external access off
// and the configuration locked — a check's SQL (an expression_is_true, a
// row_condition) reaches that one file and nothing else: no read_text or
// read_csv of other paths, no COPY ... TO, no ATTACH, no extension loading.
// One connection per concurrent statement; cancellation through
// DuckDBConnection.interrupt(), repeated until the statement ends.
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

/**
 * Opening settings: read-only, no file system or network beyond the database
 * file, no extensions, and locked so a statement cannot `SET` its way out.
 */
export const SANDBOX: Readonly<Record<string, string>> = {
  access_mode: "READ_ONLY",
  enable_external_access: "false",
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
  allow_community_extensions: "false",
  lock_configuration: "true",
};

/** How often an interrupt is repeated while a cancelled statement still runs. */
const INTERRUPT_REPEAT_MS = 25;

export async function openDuckDb(
  settings: DuckDbConnectionSettings,
  options: EngineOptions = {},
): Promise<Engine> {
  if (settings.path === "")
    throw new Error("the DuckDB connection needs a database file path (connection.path)");
  const instance = await DuckDBInstance.create(settings.path, SANDBOX);
  const size = options.concurrency ?? 2;
  const idle: DuckDBConnection[] = [];
  const slots = new Slots(size);
  const all: DuckDBConnection[] = [];

  async function withConnection<T>(
    signal: AbortSignal | undefined,
    use: (c: DuckDBConnection, stillWanted: () => void) => Promise<T>,
  ): Promise<T> {
    await slots.acquire();
    let connection = idle.pop();
    if (connection === undefined) {
      connection = await instance.connect();
      all.push(connection);
    }
    const current = connection;
    // An interrupt that arrives while DuckDB is still preparing (or between
    // prepare and run) finds nothing to stop and is lost; repeating it until the
    // statement settles makes a cancel stick whenever it arrives.
    let repeating: NodeJS.Timeout | undefined;
    const onAbort = () => {
      current.interrupt();
      repeating = setInterval(() => current.interrupt(), INTERRUPT_REPEAT_MS);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (signal?.aborted) throw new QueryCancelledError();
      return await use(current, () => {
        if (signal?.aborted) throw new QueryCancelledError();
      });
    } catch (error) {
      if (signal?.aborted) throw new QueryCancelledError();
      throw error;
    } finally {
      clearInterval(repeating);
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
      return await withConnection(signal, async (connection, stillWanted) => {
        // prepare() accepts exactly one statement: nothing can be appended to a check's SQL.
        const prepared = await connection.prepare(statement.sql);
        stillWanted();
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
      for (const c of all) c.interrupt();
      for (const c of all) c.closeSync();
      instance.closeSync();
    },
  };
}
