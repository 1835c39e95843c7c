// Building one SQL statement: identifiers quoted, every value a positional
// parameter ($1, $2, ... — both DuckDB prepared statements and PostgreSQL use
// this form). No value from a check ever becomes SQL text.
import { quoteIdentifier } from "@floe/quality-sdk";
import type { Dialect } from "./dialect.js";
import { parseRelation, quoteRelation } from "./relation.js";

export type SqlValue = string | number | boolean;

export interface Statement {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

export class SqlBuilder {
  readonly params: SqlValue[] = [];

  constructor(
    readonly dialect: Dialect,
    /** Default schema for relations named by checks (relationships.to). */
    readonly defaultSchema = "",
  ) {}

  /** A placeholder for `value`, typed so the comparison does not depend on the column's type. */
  bind(value: SqlValue): string {
    this.params.push(value);
    const placeholder = `$${this.params.length}`;
    if (typeof value === "number") {
      return Number.isInteger(value)
        ? `CAST(${placeholder} AS BIGINT)`
        : `CAST(${placeholder} AS ${this.dialect.floatType})`;
    }
    if (typeof value === "boolean") return `CAST(${placeholder} AS BOOLEAN)`;
    // Strings stay untyped: the database infers the column's type (dates, timestamps, text).
    return placeholder;
  }

  /** A placeholder bound as text whatever the JS type (for mixed value sets). */
  bindText(value: SqlValue): string {
    this.params.push(String(value));
    return `$${this.params.length}`;
  }

  ident(name: string): string {
    return quoteIdentifier(name, this.dialect.name);
  }

  relation(name: string): string {
    return quoteRelation(parseRelation(name, this.defaultSchema), this.dialect.name);
  }

  statement(sql: string): Statement {
    return { sql, params: [...this.params] };
  }
}
