// The known-defect data every floe_sql test runs on, written once and loaded
// into a real DuckDB file and a real PostgreSQL database alike.
import { DuckDBInstance, type DuckDBValue } from "@duckdb/node-api";
import { quoteIdentifier } from "@floe/quality-sdk";
import pg from "pg";

export interface FixtureTable {
  readonly name: string;
  /** Column name and a type both DuckDB and PostgreSQL accept. */
  readonly columns: ReadonlyArray<readonly [string, string]>;
  readonly rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null>>;
}

const ORDER_COLUMNS: FixtureTable["columns"] = [
  ["id", "INTEGER"],
  ["customer_id", "INTEGER"],
  ["status", "TEXT"],
  ["amount", "DOUBLE PRECISION"],
  ["email", "TEXT"],
  ["qty", "INTEGER"],
  ["created_at", "TIMESTAMP"],
  ["shipped_at", "TIMESTAMP"],
];

/**
 * orders (8 rows) — the defects, by column:
 * id: 7 twice · customer_id: one null, 99 and 98 not in customers ·
 * status: one null, 'unknown' not accepted, 'cancelled' is 9 characters ·
 * amount: one null, -5 and 1000 outside 0..100 · email: one null,
 * 'not-an-email', a@x.com twice · qty: 1..7 and a null ·
 * shipped_at: before created_at once, equal once, null twice ·
 * created_at: newest 2024-01-07 (stale).
 */
export const ORDERS: FixtureTable = {
  name: "orders",
  columns: ORDER_COLUMNS,
  rows: [
    [1, 1, "shipped", 10.5, "a@x.com", 1, "2024-01-01 00:00:00", "2024-01-02 00:00:00"],
    [2, 2, "shipped", 20, "b@x.com", 2, "2024-01-02 00:00:00", "2024-01-03 00:00:00"],
    [3, 3, "pending", 30, "not-an-email", 3, "2024-01-03 00:00:00", null],
    [4, null, "cancelled", 40, null, 4, "2024-01-04 00:00:00", "2024-01-03 00:00:00"],
    [5, 99, "unknown", -5, "c@x.com", 5, "2024-01-05 00:00:00", "2024-01-05 00:00:00"],
    [6, 1, null, null, "a@x.com", 6, "2024-01-06 00:00:00", "2024-01-07 00:00:00"],
    [7, 2, "shipped", 1000, "d@x.com", 7, "2024-01-07 00:00:00", "2024-01-08 00:00:00"],
    [7, 98, "pending", 50, "e@x.com", null, null, null],
  ],
};

export const CUSTOMERS: FixtureTable = {
  name: "customers",
  columns: [
    ["id", "INTEGER"],
    ["name", "TEXT"],
  ],
  rows: [
    [1, "Ada"],
    [2, "Grace"],
    [3, "Edsger"],
  ],
};

export const EMPTY_ORDERS: FixtureTable = {
  name: "empty_orders",
  columns: ORDER_COLUMNS,
  rows: [],
};

export const DEFAULT_TABLES: readonly FixtureTable[] = [ORDERS, CUSTOMERS, EMPTY_ORDERS];

const quote = (name: string) => quoteIdentifier(name);

function createSql(table: FixtureTable): string {
  return `CREATE TABLE ${quote(table.name)} (${table.columns.map(([n, t]) => `${quote(n)} ${t}`).join(", ")})`;
}

function insertSql(table: FixtureTable): string {
  const casts = table.columns.map(([, t], i) => `CAST($${i + 1} AS ${t})`);
  return `INSERT INTO ${quote(table.name)} VALUES (${casts.join(", ")})`;
}

/** Writes the tables into a new DuckDB file (closed afterwards, so it can be opened read-only). */
export async function seedDuckDb(
  path: string,
  tables: readonly FixtureTable[] = DEFAULT_TABLES,
): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    for (const table of tables) {
      await connection.run(createSql(table));
      for (const row of table.rows) await connection.run(insertSql(table), row as DuckDBValue[]);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Creates the tables in the database at `dsn`. */
export async function seedPostgres(
  dsn: string,
  tables: readonly FixtureTable[] = DEFAULT_TABLES,
): Promise<void> {
  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  try {
    for (const table of tables) {
      await client.query(createSql(table));
      for (const row of table.rows) await client.query(insertSql(table), [...row]);
    }
  } finally {
    await client.end();
  }
}

/** Every row of a table, ordered, as text — to prove a run changed nothing. */
export function snapshotSql(table: FixtureTable): string {
  return `SELECT * FROM ${quote(table.name)} ORDER BY ${table.columns.map((_, i) => i + 1).join(", ")}`;
}
