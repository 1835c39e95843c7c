// The columns of a table, read from the warehouse for ValidateSuite (the run
// itself goes through dbt). DuckDB files are opened read-only; PostgreSQL is
// asked through information_schema with bound parameters.
import { DuckDBInstance } from "@duckdb/node-api";
import type { contract } from "@floe/quality-sdk";
import pg from "pg";
import { defaultSchema, dialectOf } from "./project.js";
import type { RelationName } from "./relation.js";

/** Column names of `relation`, or undefined when the table does not exist. */
export async function tableColumns(
  connection: contract.Connection,
  relation: RelationName,
  password: string,
): Promise<string[] | undefined> {
  const schema = relation.schema ?? defaultSchema(connection);
  const sql =
    "select column_name from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position";
  if (dialectOf(connection) === "duckdb") {
    const instance = await DuckDBInstance.create(connection.path, { access_mode: "READ_ONLY" });
    const session = await instance.connect();
    try {
      const reader = await session.runAndReadAll(sql.replace("$1", "?").replace("$2", "?"), [
        schema,
        relation.identifier,
      ]);
      const names = reader.getRowObjectsJS().map((row) => String(row.column_name));
      return names.length > 0 ? names : undefined;
    } finally {
      session.closeSync();
      instance.closeSync();
    }
  }
  const client = new pg.Client({
    host: connection.host || "localhost",
    port: connection.port || 5432,
    user: connection.user,
    password,
    database: connection.database,
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    const result = await client.query<{ column_name: string }>(sql, [schema, relation.identifier]);
    return result.rows.length > 0 ? result.rows.map((row) => row.column_name) : undefined;
  } finally {
    await client.end();
  }
}

/**
 * Cancels the queries dbt left running on PostgreSQL (a killed client does not
 * stop its query until the server next writes to it): their sessions are
 * terminated, which cancels the query. dbt's sessions are found
 * by the application_name the profile gave them.
 */
export async function cancelPostgresQueries(
  connection: contract.Connection,
  password: string,
  applicationName: string,
): Promise<number> {
  const client = new pg.Client({
    host: connection.host || "localhost",
    port: connection.port || 5432,
    user: connection.user,
    password,
    database: connection.database,
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    const result = await client.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()",
      [applicationName],
    );
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}
