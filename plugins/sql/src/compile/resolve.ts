// From a QualityCheck on the wire to a ResolvedCheck the compiler accepts:
// the type through the vocabulary's aliases, parameters through its zod schema.
import { lookupCheckType, normalizeParameters } from "@floe/quality-sdk";
import type { ResolvedCheck } from "./checks.js";
import { SUPPORTED_CHECK_TYPES } from "./checks.js";

export interface CheckDefinition {
  readonly name: string;
  readonly type: string;
  readonly column: string;
  readonly parameters: Readonly<Record<string, unknown>> | undefined;
}

export interface CheckProblem {
  readonly index: number;
  readonly name: string;
  /** FLOE-DQ101: unknown type or bad parameters. */
  readonly code: "FLOE-DQ101";
  readonly message: string;
  /** Dotted place inside the check (`type`, `column`, `parameters.min_value`). */
  readonly path: string;
}

export type Resolution =
  | { ok: true; check: ResolvedCheck }
  | { ok: false; problems: CheckProblem[] };

export function resolveCheck(definition: CheckDefinition, index: number): Resolution {
  const problem = (path: string, message: string): CheckProblem => ({
    index,
    name: definition.name,
    code: "FLOE-DQ101",
    message,
    path,
  });
  const spec = lookupCheckType(definition.type);
  if (spec === undefined || !SUPPORTED_CHECK_TYPES.includes(spec.type)) {
    return {
      ok: false,
      problems: [
        problem(
          "type",
          `unknown check type ${JSON.stringify(definition.type)}; floe_sql runs ${SUPPORTED_CHECK_TYPES.join(", ")}`,
        ),
      ],
    };
  }
  const problems: CheckProblem[] = [];
  if (spec.column === "required" && definition.column === "") {
    problems.push(problem("column", `${spec.type} needs a column`));
  }
  const parsed = spec.parameters.safeParse(
    normalizeParameters({ ...(definition.parameters ?? {}) }),
  );
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = ["parameters", ...issue.path.map(String)].join(".");
      problems.push(problem(path, `${spec.type}: ${path}: ${issue.message}`));
    }
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return {
    ok: true,
    check: {
      index,
      name: definition.name,
      type: spec.type,
      column: definition.column,
      parameters: parsed.data,
    },
  };
}

/** Every column a check reads (its column and its column parameters), for existence checks. */
export function columnsReadBy(check: ResolvedCheck): string[] {
  const spec = lookupCheckType(check.type);
  const out: string[] = [];
  if (check.column !== "" && check.type !== "column_exists") out.push(check.column);
  for (const name of spec?.columnParameters ?? []) {
    const value = check.parameters[name];
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value))
      out.push(...value.filter((v): v is string => typeof v === "string"));
  }
  return out;
}
