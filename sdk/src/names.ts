// SQL names: identifier quoting per dialect and relation names
// ("table", "schema.table", "db.schema.table", each part optionally
// double-quoted so that it may hold a dot). The one implementation in
// TypeScript; sdk/python/src/floe_quality_sdk/names.py is the Python one, and
// both are checked against sdk/vectors/primitives.json.

/** The SQL dialects the shipped plugins speak. */
export type SqlDialect = "duckdb" | "postgres";

/** `duckdb`, `postgres` or `postgresql` (any case) → the dialect; anything else → undefined. */
export function sqlDialectNamed(name: string): SqlDialect | undefined {
  const normalized = name.trim().toLowerCase();
  if (normalized === "duckdb") return "duckdb";
  if (normalized === "postgres" || normalized === "postgresql") return "postgres";
  return undefined;
}

/**
 * Longest identifier a dialect keeps, in UTF-8 bytes (PostgreSQL: NAMEDATALEN − 1);
 * null when the dialect keeps any length.
 */
export function identifierByteLimit(dialect: SqlDialect): number | null {
  return dialect === "postgres" ? 63 : null;
}

/**
 * A double-quoted identifier. Both dialects escape `"` by doubling it and give
 * nothing else inside quotes a meaning, so any configured name is safe here. NUL
 * cannot be stored by either and is refused.
 */
export function quoteIdentifier(name: string, _dialect: SqlDialect = "duckdb"): string {
  if (name.includes("\u0000")) throw new Error("an identifier cannot contain the NUL character");
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A Spark SQL identifier: back-quoted, a back-quote doubled. Spark reads dots and
 * quotes inside back-quotes as part of the name (unquoted, `a.b` is a struct field).
 */
export function quoteSparkIdentifier(name: string): string {
  if (name.includes("\u0000")) throw new Error("an identifier cannot contain the NUL character");
  return `\`${name.replaceAll("`", "``")}\``;
}

/**
 * The name the database stores for `name`: PostgreSQL cuts identifiers to 63
 * bytes (on a character boundary), in DDL and queries alike. Names are otherwise
 * exact: a part of a floe relation name is the stored name, never case-folded
 * (as dbt writes relations, with quoting on).
 */
export function storedIdentifier(name: string, dialect: SqlDialect): string {
  const limit = identifierByteLimit(dialect);
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

export interface RelationName {
  /** Catalog (database), when the name has three parts. */
  readonly database: string | undefined;
  /** Schema, when the name has two or three parts. */
  readonly schema: string | undefined;
  readonly identifier: string;
}

/** A relation name that cannot be parsed, with what is wrong in words. */
export class RelationNameError extends Error {}

/** Splits a relation name into its parts; throws RelationNameError on anything malformed. */
export function parseRelation(text: string): RelationName {
  const source = text.trim();
  if (source === "") throw new RelationNameError("the relation name is empty");
  const shown = JSON.stringify(text);
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    let part = "";
    if (source[i] === '"') {
      i++;
      for (;;) {
        if (i >= source.length) throw new RelationNameError(`unclosed quote in relation ${shown}`);
        if (source[i] === '"') {
          if (source[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += source[i];
        i++;
      }
    } else {
      // Outside quotes a quote is an ordinary character: `x"y` is the table x"y.
      while (i < source.length && source[i] !== ".") {
        part += source[i];
        i++;
      }
    }
    if (part === "") throw new RelationNameError(`empty part in relation ${shown}`);
    parts.push(part);
    if (i >= source.length) break;
    if (source[i] !== ".")
      throw new RelationNameError(`unexpected character after a quoted part in relation ${shown}`);
    i++;
    if (i >= source.length) throw new RelationNameError(`relation ${shown} ends with a dot`);
  }
  if (parts.length > 3) {
    throw new RelationNameError(
      `relation ${shown} has ${parts.length} parts; write table, schema.table or database.schema.table`,
    );
  }
  const [a, b, c] = parts as [string, string?, string?];
  if (c !== undefined) return { database: a, schema: b, identifier: c };
  if (b !== undefined) return { database: undefined, schema: a, identifier: b };
  return { database: undefined, schema: undefined, identifier: a };
}

/** The relation's parts in order (database, schema, identifier; absent ones left out). */
export function relationParts(relation: RelationName): string[] {
  return [relation.database, relation.schema, relation.identifier].filter(
    (p): p is string => p !== undefined,
  );
}

/** The relation with `schema` filled in when it names none. */
export function withDefaultSchema(relation: RelationName, schema: string): RelationName {
  if (relation.schema !== undefined || schema === "") return relation;
  return { ...relation, schema };
}

/** The relation as SQL: every part quoted. */
export function quoteRelation(relation: RelationName, dialect: SqlDialect = "duckdb"): string {
  return relationParts(relation)
    .map((p) => quoteIdentifier(p, dialect))
    .join(".");
}

/**
 * The relation as a person (and OpenLineage) reads it: parts joined by dots, a
 * part quoted only when it holds a dot or a quote, so the text parses back to
 * the same parts.
 */
export function displayRelation(relation: RelationName): string {
  return relationParts(relation)
    .map((p) => (p.includes(".") || p.startsWith('"') || p !== p.trim() ? quoteIdentifier(p) : p))
    .join(".");
}
