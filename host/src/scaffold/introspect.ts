// The tables of one schema of a DuckDB file or a PostgreSQL database, read from
// information_schema (read-only, the schema bound as a parameter): columns in
// order with their types, and the columns of the primary key (else of the first unique
// constraint) when the warehouse declares one.
export interface TableInfo {
  schema: string;
  name: string;
  columns: string[];
  /** The columns' SQL types as the catalog names them (information_schema data_type), in column order. */
  types: string[];
  /** Declared key columns, in key order; empty when the table declares none. */
  keys: string[];
}

const COLUMNS_SQL = `SELECT c.table_name, c.column_name, c.data_type
  FROM information_schema.columns c
  JOIN information_schema.tables t
    ON t.table_schema = c.table_schema AND t.table_name = c.table_name
 WHERE c.table_schema = $1 AND t.table_type IN ('BASE TABLE', 'VIEW')
 ORDER BY c.table_name, c.ordinal_position`;

const KEYS_SQL = `SELECT tc.table_name, tc.constraint_type, tc.constraint_name, k.column_name
  FROM information_schema.table_constraints tc
  JOIN information_schema.key_column_usage k
    ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name
   AND k.table_name = tc.table_name
 WHERE tc.table_schema = $1 AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE')
 ORDER BY tc.table_name, tc.constraint_type, tc.constraint_name, k.ordinal_position`;

type Row = Record<string, unknown>;

function tablesOf(schema: string, columnRows: Row[], keyRows: Row[]): TableInfo[] {
  const tables = new Map<string, TableInfo>();
  for (const row of columnRows) {
    const name = String(row.table_name);
    let table = tables.get(name);
    if (table === undefined) {
      table = { schema, name, columns: [], types: [], keys: [] };
      tables.set(name, table);
    }
    table.columns.push(String(row.column_name));
    table.types.push(String(row.data_type));
  }
  // PRIMARY KEY sorts before UNIQUE: the first constraint of a table is its key.
  const chosen = new Map<string, string>();
  for (const row of keyRows) {
    const table = tables.get(String(row.table_name));
    if (table === undefined) continue;
    const constraint = String(row.constraint_name);
    if (!chosen.has(table.name)) chosen.set(table.name, constraint);
    if (chosen.get(table.name) === constraint) table.keys.push(String(row.column_name));
  }
  return [...tables.values()];
}

/** The tables of `schema` in a DuckDB file, opened read-only. */
export async function duckdbTables(path: string, schema: string): Promise<TableInfo[]> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  const query = async (sql: string) => {
    const prepared = await connection.prepare(sql);
    prepared.bind([schema]);
    return (await prepared.runAndReadAll()).getRowObjectsJS() as Row[];
  };
  try {
    return tablesOf(schema, await query(COLUMNS_SQL), await query(KEYS_SQL));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string | undefined;
}

/** The tables of `schema` in a PostgreSQL database, in a read-only session. */
export async function postgresTables(target: PostgresTarget, schema: string): Promise<TableInfo[]> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({
    ...target,
    options: "-c default_transaction_read_only=on -c statement_timeout=30000",
  });
  await client.connect();
  try {
    const query = async (sql: string) => (await client.query(sql, [schema])).rows as Row[];
    return tablesOf(schema, await query(COLUMNS_SQL), await query(KEYS_SQL));
  } finally {
    await client.end();
  }
}
