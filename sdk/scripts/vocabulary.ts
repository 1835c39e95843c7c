// Writes the check vocabulary (sdk/src/checks.ts) as JSON for the Python side
// (floe_quality_sdk loads it; the great_expectations plugin maps from it):
//   tsx sdk/scripts/vocabulary.ts            print it
//   tsx sdk/scripts/vocabulary.ts FILE       write it to FILE
import { writeFileSync } from "node:fs";
import { z } from "zod";
import { CHECK_TYPES, PARAMETER_ALIASES, SHIPPED_PLUGINS } from "../src/checks.js";
import { CHECK_STATUS_NAMES, DIMENSION_NAMES, SEVERITY_NAMES } from "../src/enums.js";

function parameterSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
}

export function vocabularyDocument(): unknown {
  return {
    about:
      "Generated from sdk/src/checks.ts by sdk/scripts/vocabulary.ts (npm run generate); do not edit.",
    dimensions: DIMENSION_NAMES,
    severities: SEVERITY_NAMES,
    check_statuses: CHECK_STATUS_NAMES,
    shipped_plugins: SHIPPED_PLUGINS,
    parameter_aliases: PARAMETER_ALIASES,
    check_types: CHECK_TYPES.map((s) => ({
      type: s.type,
      level: s.level,
      column: s.column,
      dimension: s.dimension,
      nulls: s.nulls,
      aliases: s.aliases,
      column_parameters: s.columnParameters,
      parameters: parameterSchema(s.parameters),
      gx: {
        expectation: s.gxMapping.expectation,
        renames: s.gxMapping.renames ?? {},
        kwargs: s.gxMapping.kwargs ?? {},
      },
      dbt: {
        name: s.dbtMapping.name,
        test: s.dbtMapping.test,
        renames: s.dbtMapping.renames ?? {},
      },
      plugins: s.plugins,
    })),
  };
}

const text = `${JSON.stringify(vocabularyDocument(), null, 2)}\n`;
const out = process.argv[2];
if (out) writeFileSync(out, text);
else process.stdout.write(text);
