// Relation names as the host sends them (`table`, `schema.table`,
// `database.schema.table`, parts optionally double-quoted): the SDK's parser,
// with its error as a message for the plugin's FLOE-DQ error.
import { parseRelation, type RelationName, RelationNameError } from "@floe/quality-sdk";

export type { RelationName };

/** The parts of a relation name, or an error message saying what is wrong with it. */
export function parseRelationName(text: string): RelationName | string {
  try {
    return parseRelation(text);
  } catch (error) {
    if (error instanceof RelationNameError) return error.message;
    throw error;
  }
}
