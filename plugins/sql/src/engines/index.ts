// Opening the engine a RunChecks / ValidateSuite connection names.
import type { contract } from "@floe/quality-sdk";
import { dialectNamed } from "../compile/index.js";
import type { Engine, EngineOptions } from "./engine.js";

export {
  type Engine,
  type EngineOptions,
  QueryCancelledError,
  type QueryLogEntry,
} from "./engine.js";

// Drivers load on first use: the DuckDB native module alone costs a noticeable
// part of plugin start-up, and a PostgreSQL-only deployment never needs it.

/** The connection's engine; rejects with a message naming the dialect or the file, never the password. */
export async function openEngine(
  connection: contract.Connection,
  options: EngineOptions = {},
): Promise<Engine> {
  const dialect = dialectNamed(connection.dialect || (connection.path ? "duckdb" : ""));
  if (dialect === undefined) {
    throw new Error(
      `floe_sql runs on duckdb and postgres; the connection's dialect is ${JSON.stringify(connection.dialect)}`,
    );
  }
  if (dialect.name === "duckdb") {
    const { openDuckDb } = await import("./duckdb.js");
    try {
      return await openDuckDb({ path: connection.path, schema: connection.schema }, options);
    } catch (error) {
      throw new Error(`cannot open the DuckDB file ${connection.path}: ${firstLine(error)}`);
    }
  }
  const { openPostgres } = await import("./postgres.js");
  const engine = await openPostgres(
    {
      host: connection.host,
      port: connection.port,
      database: connection.database,
      user: connection.user,
      password: connection.password,
      schema: connection.schema,
      options: connection.options,
    },
    options,
  );
  return engine;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split("\n")[0] ?? text).trim();
}
