// The columns and SQL types of the relations `suggest` profiles, from the
// warehouse catalog (information_schema, read-only; the same reader as `init`).
// Only names and types are read here: the data is read by the model's plugin.
import { type contract, FloeError, parseRelation } from "@floe/quality-sdk";
import { duckdbTables, postgresTables, type TableInfo } from "../scaffold/introspect.js";

export interface RelationColumns {
  columns: string[];
  types: string[];
}

/** Reads the catalog of one connection, one schema at a time (cached). */
export class Catalog {
  private readonly schemas = new Map<string, Promise<TableInfo[]>>();

  constructor(private readonly connection: contract.Connection) {
    if (connection.dialect !== "duckdb" && connection.dialect !== "postgres") {
      throw new FloeError(
        "FLOE-DQ100",
        `suggest reads column types from a DuckDB or PostgreSQL catalog; this product's compute is ${connection.dialect}`,
        {
          path: "product.compute.dialect",
          fix: "Run suggest on a DuckDB or PostgreSQL copy of the table, then paste the checks into this product.",
        },
      );
    }
  }

  private defaultSchema(): string {
    if (this.connection.dialect === "duckdb") return "main";
    return this.connection.schema || "public";
  }

  private tables(schema: string): Promise<TableInfo[]> {
    let tables = this.schemas.get(schema);
    if (tables === undefined) {
      const c = this.connection;
      tables =
        c.dialect === "duckdb"
          ? duckdbTables(c.path, schema)
          : postgresTables(
              {
                host: c.host,
                port: c.port,
                database: c.database,
                user: c.user,
                password: c.password,
              },
              schema,
            );
      this.schemas.set(schema, tables);
    }
    return tables;
  }

  /** The relation's columns and types; undefined when the catalog has no such table or view. */
  async columnsOf(relation: string): Promise<RelationColumns | undefined> {
    const name = parseRelation(relation);
    let tables: TableInfo[];
    try {
      tables = await this.tables(name.schema ?? this.defaultSchema());
    } catch (error) {
      throw new FloeError(
        "FLOE-DQ108",
        `cannot read the warehouse catalog: ${(error as Error).message.split("\n")[0]}`,
        {
          path: "product.compute",
          fix: "Check that the warehouse answers, and the database path or address, the user and the password variable of compute.",
        },
      );
    }
    const table =
      tables.find((t) => t.name === name.identifier) ??
      tables.find((t) => t.name.toLowerCase() === name.identifier.toLowerCase());
    return table === undefined ? undefined : { columns: table.columns, types: table.types };
  }
}
