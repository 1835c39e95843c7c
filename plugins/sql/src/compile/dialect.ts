// What differs between the SQL dialects floe_sql speaks. Everything else in
// the compiler is written once in the SQL both engines accept (COUNT(*) FILTER,
// CAST, CROSS JOIN, positional $n parameters).

export type DialectName = "duckdb" | "postgres";

export const DIALECTS: readonly DialectName[] = ["duckdb", "postgres"];

export interface Dialect {
  readonly name: DialectName;
  /** A boolean SQL expression: does `text` match the regular expression `pattern` (search, not full match)? */
  regexMatches(text: string, pattern: string): string;
  /** The type values are cast to for samples and interval arithmetic. */
  readonly textType: string;
  readonly floatType: string;
  /**
   * Longest identifier the database keeps, in UTF-8 bytes; longer names are
   * truncated by the database itself (PostgreSQL: NAMEDATALEN − 1 = 63).
   */
  readonly identifierByteLimit: number | null;
}

export const duckdb: Dialect = {
  name: "duckdb",
  regexMatches: (text, pattern) => `regexp_matches(${text}, ${pattern})`,
  textType: "VARCHAR",
  floatType: "DOUBLE",
  identifierByteLimit: null,
};

export const postgres: Dialect = {
  name: "postgres",
  regexMatches: (text, pattern) => `(${text} ~ ${pattern})`,
  textType: "TEXT",
  floatType: "DOUBLE PRECISION",
  identifierByteLimit: 63,
};

export function dialectNamed(name: string): Dialect | undefined {
  const normalized = name.trim().toLowerCase();
  if (normalized === "duckdb") return duckdb;
  if (normalized === "postgres" || normalized === "postgresql") return postgres;
  return undefined;
}

/**
 * A double-quoted identifier. Both dialects escape `"` by doubling it; nothing
 * else in a quoted identifier is special, so any configured name is safe here.
 * NUL cannot be stored in either database and is rejected.
 */
export function quoteIdentifier(name: string): string {
  if (name.includes("\u0000")) throw new Error("an identifier cannot contain the NUL character");
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The name the database actually stores for `name`: PostgreSQL silently cuts
 * identifiers to 63 bytes (on a character boundary), in DDL and in queries alike.
 */
export function storedIdentifier(dialect: Dialect, name: string): string {
  const limit = dialect.identifierByteLimit;
  if (limit === null || Buffer.byteLength(name, "utf8") <= limit) return name;
  let out = "";
  let bytes = 0;
  for (const ch of name) {
    const size = Buffer.byteLength(ch, "utf8");
    if (bytes + size > limit) break;
    out += ch;
    bytes += size;
  }
  return out;
}
