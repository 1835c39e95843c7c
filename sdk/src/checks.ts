// The check vocabulary: one row per floe check type (parameters schema, default
// dimension, level, GX and dbt names). Host, plugins and conformance all read
// this table; nothing else lists check types.
import { z } from "zod";

export const DIMENSIONS = [
  "completeness",
  "accuracy",
  "validity",
  "consistency",
  "timeliness",
] as const;
export type DimensionName = (typeof DIMENSIONS)[number];

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type SeverityName = (typeof SEVERITIES)[number];

/**
 * How a check is evaluated:
 * - `row`: every non-null row is checked (records_checked = rows evaluated);
 * - `aggregate`: one observed value for the column or table;
 * - `set`: needs its own query over the whole table (uniqueness, relationships);
 * - `schema`: a fact about the table's structure.
 */
export type CheckLevel = "row" | "aggregate" | "set" | "schema";

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const bound = z.union([z.number(), z.string()]);
const mostly = z.number().min(0).max(1);
const rowCondition = z.string().min(1);

const rowBase = { mostly: mostly.optional(), row_condition: rowCondition.optional() };

function bounded<T extends z.ZodRawShape>(shape: T) {
  return z
    .strictObject({
      min_value: bound.optional(),
      max_value: bound.optional(),
      ...shape,
    })
    .refine(hasABound, { message: "give min_value, max_value or both", path: ["min_value"] });
}

function hasABound(p: Record<string, unknown>): boolean {
  return p.min_value !== undefined || p.max_value !== undefined;
}

const aggregateBounds = bounded({
  strictly: z.boolean().optional(),
  row_condition: rowCondition.optional(),
});

/** ISO-8601 duration such as P1D, PT6H, P1DT12H, PT30M. */
export const ISO_DURATION =
  /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

export interface CheckTypeSpec {
  /** The floe type name. */
  readonly type: string;
  readonly level: CheckLevel;
  /** `required`: the check targets one column; `none`: table-level (columns, if any, are parameters). */
  readonly column: "required" | "none";
  readonly dimension: DimensionName;
  readonly parameters: z.ZodType<Record<string, unknown>>;
  /** Parameter names that hold column names (checked like `column` for existence). */
  readonly columnParameters: readonly string[];
  /** Great Expectations 1.x expectation class, when GX has one. */
  readonly gx: string | null;
  /** dbt / dbt-expectations test name. */
  readonly dbt: string;
  /** Other accepted spellings (GX snake-case names, dbt-expectations names). */
  readonly aliases: readonly string[];
}

function spec(s: CheckTypeSpec): CheckTypeSpec {
  return s;
}

const columnAggregate = (
  type: string,
  what: "mean" | "min" | "max" | "sum" | "stdev",
  gxClass: string,
): CheckTypeSpec =>
  spec({
    type,
    level: "aggregate",
    column: "required",
    dimension: "accuracy",
    parameters: aggregateBounds,
    columnParameters: [],
    gx: gxClass,
    dbt: `expect_column_${what}_to_be_between`,
    aliases: [`expect_column_${what}_to_be_between`],
  });

export const CHECK_TYPES: readonly CheckTypeSpec[] = [
  spec({
    type: "not_null",
    level: "row",
    column: "required",
    dimension: "completeness",
    parameters: z.strictObject(rowBase),
    columnParameters: [],
    gx: "ExpectColumnValuesToNotBeNull",
    dbt: "not_null",
    aliases: ["expect_column_values_to_not_be_null"],
  }),
  spec({
    type: "unique",
    level: "set",
    column: "required",
    dimension: "consistency",
    parameters: z.strictObject({ row_condition: rowCondition.optional() }),
    columnParameters: [],
    gx: "ExpectColumnValuesToBeUnique",
    dbt: "unique",
    aliases: ["expect_column_values_to_be_unique"],
  }),
  spec({
    type: "accepted_values",
    level: "row",
    column: "required",
    dimension: "validity",
    parameters: z.strictObject({ values: z.array(scalar).min(1), ...rowBase }),
    columnParameters: [],
    gx: "ExpectColumnValuesToBeInSet",
    dbt: "accepted_values",
    aliases: ["expect_column_values_to_be_in_set"],
  }),
  spec({
    type: "not_accepted_values",
    level: "row",
    column: "required",
    dimension: "validity",
    parameters: z.strictObject({ values: z.array(scalar).min(1), ...rowBase }),
    columnParameters: [],
    gx: "ExpectColumnValuesToNotBeInSet",
    dbt: "expect_column_values_to_not_be_in_set",
    aliases: ["expect_column_values_to_not_be_in_set"],
  }),
  spec({
    type: "between",
    level: "row",
    column: "required",
    dimension: "accuracy",
    parameters: bounded({ strictly: z.boolean().optional(), ...rowBase }),
    columnParameters: [],
    gx: "ExpectColumnValuesToBeBetween",
    dbt: "expect_column_values_to_be_between",
    aliases: ["expect_column_values_to_be_between"],
  }),
  spec({
    type: "regex",
    level: "row",
    column: "required",
    dimension: "validity",
    parameters: z.strictObject({ regex: z.string().min(1), ...rowBase }),
    columnParameters: [],
    gx: "ExpectColumnValuesToMatchRegex",
    dbt: "expect_column_values_to_match_regex",
    aliases: ["expect_column_values_to_match_regex"],
  }),
  spec({
    type: "length_between",
    level: "row",
    column: "required",
    dimension: "validity",
    parameters: z
      .strictObject({
        min_value: z.number().int().nonnegative().optional(),
        max_value: z.number().int().nonnegative().optional(),
        ...rowBase,
      })
      .refine(hasABound, { message: "give min_value, max_value or both", path: ["min_value"] }),
    columnParameters: [],
    gx: "ExpectColumnValueLengthsToBeBetween",
    dbt: "expect_column_value_lengths_to_be_between",
    aliases: ["expect_column_value_lengths_to_be_between"],
  }),
  spec({
    type: "row_count_between",
    level: "aggregate",
    column: "none",
    dimension: "completeness",
    parameters: z
      .strictObject({
        min_value: z.number().int().nonnegative().optional(),
        max_value: z.number().int().nonnegative().optional(),
        row_condition: rowCondition.optional(),
      })
      .refine(hasABound, { message: "give min_value, max_value or both", path: ["min_value"] }),
    columnParameters: [],
    gx: "ExpectTableRowCountToBeBetween",
    dbt: "expect_table_row_count_to_be_between",
    aliases: ["expect_table_row_count_to_be_between"],
  }),
  spec({
    type: "column_exists",
    level: "schema",
    column: "required",
    dimension: "completeness",
    parameters: z.strictObject({}),
    columnParameters: [],
    gx: "ExpectColumnToExist",
    dbt: "expect_column_to_exist",
    aliases: ["expect_column_to_exist"],
  }),
  spec({
    type: "compound_unique",
    level: "set",
    column: "none",
    dimension: "consistency",
    parameters: z.strictObject({
      columns: z.array(z.string().min(1)).min(2),
      row_condition: rowCondition.optional(),
    }),
    columnParameters: ["columns"],
    gx: "ExpectCompoundColumnsToBeUnique",
    dbt: "expect_compound_columns_to_be_unique",
    aliases: ["expect_compound_columns_to_be_unique"],
  }),
  spec({
    type: "pair_greater_than",
    level: "row",
    column: "none",
    dimension: "consistency",
    parameters: z.strictObject({
      column_a: z.string().min(1),
      column_b: z.string().min(1),
      or_equal: z.boolean().optional(),
      ...rowBase,
    }),
    columnParameters: ["column_a", "column_b"],
    gx: "ExpectColumnPairValuesAToBeGreaterThanB",
    dbt: "expect_column_pair_values_A_to_be_greater_than_B",
    aliases: ["expect_column_pair_values_a_to_be_greater_than_b"],
  }),
  spec({
    type: "relationships",
    level: "set",
    column: "required",
    dimension: "consistency",
    parameters: z.strictObject({
      to: z.string().min(1),
      field: z.string().min(1),
      row_condition: rowCondition.optional(),
    }),
    columnParameters: [],
    gx: null,
    dbt: "relationships",
    aliases: [],
  }),
  columnAggregate("mean_between", "mean", "ExpectColumnMeanToBeBetween"),
  columnAggregate("min_between", "min", "ExpectColumnMinToBeBetween"),
  columnAggregate("max_between", "max", "ExpectColumnMaxToBeBetween"),
  columnAggregate("sum_between", "sum", "ExpectColumnSumToBeBetween"),
  columnAggregate("stdev_between", "stdev", "ExpectColumnStdevToBeBetween"),
  spec({
    type: "distinct_count_between",
    level: "aggregate",
    column: "required",
    dimension: "accuracy",
    parameters: aggregateBounds,
    columnParameters: [],
    gx: "ExpectColumnUniqueValueCountToBeBetween",
    dbt: "expect_column_unique_value_count_to_be_between",
    aliases: ["expect_column_unique_value_count_to_be_between"],
  }),
  spec({
    type: "recency",
    level: "aggregate",
    column: "required",
    dimension: "timeliness",
    parameters: z.strictObject({
      max_age: z.string().regex(ISO_DURATION, "an ISO-8601 duration such as P1D or PT6H"),
      row_condition: rowCondition.optional(),
    }),
    columnParameters: [],
    gx: null,
    dbt: "expect_row_values_to_have_recent_data",
    aliases: ["expect_row_values_to_have_recent_data"],
  }),
  spec({
    type: "expression_is_true",
    level: "row",
    column: "none",
    dimension: "validity",
    parameters: z.strictObject({ expression: z.string().min(1), ...rowBase }),
    columnParameters: [],
    gx: null,
    dbt: "expression_is_true",
    aliases: [],
  }),
];

const byName = new Map<string, CheckTypeSpec>();
for (const s of CHECK_TYPES) {
  byName.set(s.type, s);
  for (const a of s.aliases) byName.set(a, s);
  if (s.gx) byName.set(snakeCase(s.gx), s);
  byName.set(s.dbt.toLowerCase(), s);
}

/** `ExpectColumnValuesToNotBeNull` → `expect_column_values_to_not_be_null`. */
function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** The spec of a floe type or of any accepted alias (GX class or snake name, dbt name). */
export function lookupCheckType(name: string): CheckTypeSpec | undefined {
  return byName.get(name) ?? byName.get(snakeCase(name)) ?? byName.get(name.toLowerCase());
}

/** Every spelling accepted for a check type, for "did you mean" suggestions. */
export function checkTypeNames(): string[] {
  return [...byName.keys()];
}

/**
 * Parameter spellings of GX kwargs and dbt arguments accepted for the floe names,
 * so a check written with an alias type can keep its native argument names.
 */
const PARAMETER_ALIASES: Readonly<Record<string, string>> = {
  value_set: "values",
  column_list: "columns",
  column_A: "column_a",
  column_B: "column_b",
  where: "row_condition",
  combination_of_columns: "columns",
};

/**
 * Translates alias parameter names (GX `value_set`, `strict_min`/`strict_max`,
 * dbt `column_A`, `where`, ...) to the floe names. Pure; unknown names are kept for
 * the schema to reject.
 */
export function normalizeParameters(parameters: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parameters)) {
    out[PARAMETER_ALIASES[key] ?? key] = value;
  }
  if ("strict_min" in out || "strict_max" in out) {
    const strict = out.strict_min === true || out.strict_max === true;
    delete out.strict_min;
    delete out.strict_max;
    if (strict) out.strictly = true;
  }
  return out;
}
