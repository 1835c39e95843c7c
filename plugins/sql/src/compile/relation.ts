// Relation names as they arrive in RunChecks ("table", "schema.table",
// "db.schema.table", each part optionally double-quoted so a part may itself
// contain a dot) and as they are written into SQL.
import { quoteIdentifier } from "./dialect.js";

export interface RelationName {
  /** The parts, unquoted: [table], [schema, table] or [catalog, schema, table]. */
  readonly parts: readonly string[];
}

/** Splits a relation string into its parts; throws on an empty part or an unclosed quote. */
export function parseRelation(text: string, defaultSchema = ""): RelationName {
  const parts: string[] = [];
  let i = 0;
  const source = text.trim();
  if (source === "") throw new Error("the relation name is empty");
  while (i <= source.length) {
    let part = "";
    if (source[i] === '"') {
      i++;
      for (;;) {
        if (i >= source.length)
          throw new Error(`unclosed quote in relation name ${JSON.stringify(text)}`);
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
      while (i < source.length && source[i] !== ".") {
        part += source[i];
        i++;
      }
    }
    if (part === "") throw new Error(`empty part in relation name ${JSON.stringify(text)}`);
    parts.push(part);
    if (i >= source.length) break;
    if (source[i] !== ".")
      throw new Error(`unexpected character after a quoted part in ${JSON.stringify(text)}`);
    i++;
    if (i >= source.length)
      throw new Error(`relation name ${JSON.stringify(text)} ends with a dot`);
  }
  if (parts.length > 3)
    throw new Error(`relation name ${JSON.stringify(text)} has more than three parts`);
  if (parts.length === 1 && defaultSchema !== "")
    return { parts: [defaultSchema, parts[0] as string] };
  return { parts };
}

export function quoteRelation(relation: RelationName): string {
  return relation.parts.map(quoteIdentifier).join(".");
}

/** The relation as a person reads it in messages. */
export function displayRelation(relation: RelationName): string {
  return relation.parts.join(".");
}
