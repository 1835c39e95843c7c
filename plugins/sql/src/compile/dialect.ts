// What differs between the SQL dialects floe_sql speaks. Everything else in
// the compiler is written once in the SQL both engines accept (COUNT(*) FILTER,
// CAST, CROSS JOIN, positional $n parameters). Names (quoting, relation names,
// identifier length) are the SDK's primitives.
import { type SqlDialect, sqlDialectNamed } from "@floe/quality-sdk";

export type DialectName = SqlDialect;

export const DIALECTS: readonly DialectName[] = ["duckdb", "postgres"];

export interface Dialect {
  readonly name: DialectName;
  /** A boolean SQL expression: does `text` match the regular expression `pattern` (search, not full match)? */
  regexMatches(text: string, pattern: string): string;
  /** The type values are cast to for samples and interval arithmetic. */
  readonly textType: string;
  readonly floatType: string;
  /**
   * Whether the failed checks of one statement are sampled in one shared
   * statement (one scan for all of them) rather than one statement each, run
   * concurrently. DuckDB parallelises the shared scan; PostgreSQL runs it on a
   * single process, where a statement per check gets parallel workers each.
   */
  readonly sharedSamples: boolean;
}

export const duckdb: Dialect = {
  name: "duckdb",
  regexMatches: (text, pattern) => `regexp_matches(${text}, ${pattern})`,
  textType: "VARCHAR",
  floatType: "DOUBLE",
  sharedSamples: true,
};

export const postgres: Dialect = {
  name: "postgres",
  regexMatches: (text, pattern) => `(${text} ~ ${pattern})`,
  textType: "TEXT",
  floatType: "DOUBLE PRECISION",
  sharedSamples: false,
};

export function dialectNamed(name: string): Dialect | undefined {
  const dialect = sqlDialectNamed(name);
  return dialect === undefined ? undefined : DIALECT_BY_NAME[dialect];
}

const DIALECT_BY_NAME: Readonly<Record<DialectName, Dialect>> = { duckdb, postgres };
