// QualityCheck and QualitySuite: a check as written (any accepted type spelling and
// parameter spelling) parses into its resolved form (floe type, floe parameter names,
// default dimension and severity). Parsing a resolved check again is the identity.
import {
  type CheckTypeSpec,
  checkTypeNames,
  DIMENSIONS,
  lookupCheckType,
  normalizeParameters,
  SEVERITIES,
} from "@floe/quality-sdk";
import { z } from "zod";
import { addFloeIssue } from "./issue.js";
import { issueMessage } from "./messages.js";
import { didYouMean } from "./suggest.js";

const CheckFields = z.strictObject({
  name: z.string().min(1),
  type: z.string().min(1),
  column: z.string().min(1).optional(),
  dimension: z.enum(DIMENSIONS).optional(),
  severity: z.enum(SEVERITIES).default("warning"),
  custom_weight: z.number().optional(),
  parameters: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
});

type CheckFields = z.output<typeof CheckFields>;
type Ctx = z.core.$RefinementCtx<CheckFields>;

export const CUSTOM_WEIGHT_MIN = 0.1;
export const CUSTOM_WEIGHT_MAX = 10;

export const QualityCheckSchema = CheckFields.transform((check, ctx) => {
  const spec = lookupCheckType(check.type);
  if (!spec) {
    addFloeIssue(
      ctx,
      "FLOE-DQ101",
      `unknown check type '${check.type}'${didYouMean(check.type, checkTypeNames())}`,
      ["type"],
      "Use a check type from the vocabulary (docs/configuration.md#check-types) or one of its GX / dbt aliases.",
    );
    // The failed parse discards this value; the name stays visible to the duplicate check.
    return { ...check, dimension: check.dimension ?? "validity" };
  }
  const parameters = resolveParameters(spec, check.parameters, ctx) ?? check.parameters;
  checkColumnPlacement(spec, check, ctx);
  checkCustomWeight(check, ctx);
  return {
    name: check.name,
    type: spec.type,
    ...(check.column === undefined ? {} : { column: check.column }),
    dimension: check.dimension ?? spec.dimension,
    severity: check.severity,
    ...(check.custom_weight === undefined ? {} : { custom_weight: check.custom_weight }),
    parameters,
    enabled: check.enabled,
  };
});

export type QualityCheck = z.output<typeof QualityCheckSchema>;
/** A check as a user writes it (type aliases, optional fields). */
export type QualityCheckInput = z.input<typeof QualityCheckSchema>;

function resolveParameters(
  spec: CheckTypeSpec,
  written: Record<string, unknown>,
  ctx: Ctx,
): Record<string, unknown> | undefined {
  const normalized = normalizeParameters(written);
  const parsed = spec.parameters.safeParse(normalized, { error: (issue) => issueMessage(issue) });
  if (parsed.success) return parsed.data;
  const known = parameterNames(spec);
  for (const issue of parsed.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const accepted = known.length ? known.join(", ") : "none";
        addFloeIssue(
          ctx,
          "FLOE-DQ101",
          `unknown parameter '${key}' for check type ${spec.type}${didYouMean(key, known)}`,
          ["parameters", ...issue.path, key],
          `Remove '${key}'; ${spec.type} accepts: ${accepted}.`,
        );
      }
      continue;
    }
    addFloeIssue(
      ctx,
      "FLOE-DQ101",
      `bad parameter for check type ${spec.type}: ${issue.message}`,
      ["parameters", ...issue.path],
      `Give ${spec.type} the parameters it accepts: ${known.join(", ") || "none"}.`,
    );
  }
  return undefined;
}

function parameterNames(spec: CheckTypeSpec): string[] {
  return spec.parameters instanceof z.ZodObject ? Object.keys(spec.parameters.shape) : [];
}

function checkColumnPlacement(spec: CheckTypeSpec, check: CheckFields, ctx: Ctx): void {
  if (spec.column === "required" && check.column === undefined) {
    addFloeIssue(
      ctx,
      "FLOE-DQ101",
      `check type ${spec.type} needs a column`,
      ["column"],
      `Add 'column: <name>' to the check.`,
    );
  }
  if (spec.column === "none" && check.column !== undefined) {
    const where = spec.columnParameters.length
      ? `its columns go in parameters (${spec.columnParameters.join(", ")})`
      : "it takes no column";
    addFloeIssue(
      ctx,
      "FLOE-DQ101",
      `check type ${spec.type} is table-level: ${where}`,
      ["column"],
      `Remove 'column' from the check.`,
    );
  }
}

function checkCustomWeight(check: CheckFields, ctx: Ctx): void {
  const w = check.custom_weight;
  if (w === undefined || (w >= CUSTOM_WEIGHT_MIN && w <= CUSTOM_WEIGHT_MAX)) return;
  addFloeIssue(
    ctx,
    "FLOE-DQ101",
    `custom_weight ${w} is outside ${CUSTOM_WEIGHT_MIN} to ${CUSTOM_WEIGHT_MAX}`,
    ["custom_weight"],
    `Give a custom_weight between ${CUSTOM_WEIGHT_MIN} and ${CUSTOM_WEIGHT_MAX}, or remove it to use the severity weight.`,
  );
}

/**
 * Adds a FLOE-DQ101 issue for every check whose name repeats an earlier one. Runs even
 * when some checks are invalid (see `ALWAYS`), so it tolerates unparsed entries.
 */
export function refineUniqueCheckNames(
  checks: readonly unknown[],
  ctx: z.core.$RefinementCtx<unknown>,
): void {
  const seen = new Map<string, number>();
  checks.forEach((check, index) => {
    const name = (check as { name?: unknown } | null)?.name;
    if (typeof name !== "string") return;
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, index);
      return;
    }
    addFloeIssue(
      ctx,
      "FLOE-DQ101",
      `duplicate check name '${name}' (also check #${first + 1} of this model)`,
      [index, "name"],
      "Give every check of a model its own name.",
    );
  });
}

/** Refinement option: run even when other parts of the value already failed. */
export const ALWAYS = { when: () => true } as const;

export const QualitySuiteSchema = z.strictObject({
  model_name: z.string().min(1),
  checks: z.array(QualityCheckSchema).superRefine(refineUniqueCheckNames, ALWAYS),
  timeout_seconds: z.number().int().positive().default(300),
  fail_fast: z.boolean().default(false),
  native_suite: z.string().min(1).optional(),
});
export type QualitySuite = z.output<typeof QualitySuiteSchema>;
