// Relation names as floe_sql reads them: the SDK's parser, with the connection's
// schema filled in for a bare table name.
import {
  parseRelation as parseRelationName,
  type RelationName,
  withDefaultSchema,
} from "@floe/quality-sdk";

export { displayRelation, quoteRelation, type RelationName } from "@floe/quality-sdk";

/** Parses `text` (throws RelationNameError); a bare table takes `defaultSchema` when one is given. */
export function parseRelation(text: string, defaultSchema = ""): RelationName {
  return withDefaultSchema(parseRelationName(text), defaultSchema);
}
