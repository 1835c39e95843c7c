// The check vocabulary: one row per floe check type (parameters schema, default
// dimension, level, null rule, GX and dbt names and argument renames, and what
// each shipped plugin does with it). Host, plugins and conformance read this
// table; the Python side and the dbt package read its export, the generated
// sdk/python/src/floe_quality_sdk/vocabulary.json (scripts/generate-vocabulary.ts,
// kept fresh by `npm test`). Nothing else lists check types.
import { z } from "zod";
import { ANOMALY_METRICS } from "./anomaly.js";
import { ISO_DURATION } from "./duration.js";
import {
  DIMENSION_NAMES as DIMENSIONS,
  type DimensionName,
  SEVERITY_NAMES as SEVERITIES,
  type SeverityName,
} from "./enums.js";
import { parseRowCondition, RowConditionError } from "./row-condition.js";

export { DIMENSIONS, type DimensionName, SEVERITIES, type SeverityName };

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

/** The portable row filter: parsed here, so a condition no plugin can translate never compiles. */
const rowCondition = z.string().superRefine((text, ctx) => {
  try {
    parseRowCondition(text);
  } catch (error) {
    if (!(error instanceof RowConditionError)) throw error;
    ctx.addIssue({
      code: "custom",
      message: `row_condition: ${error.message} (at character ${error.offset + 1}); write e.g. status = 'active' AND amount > 0`,
    });
  }
});
/** A raw SQL filter, run as written by the engines that take SQL (floe_sql, dbt_expectations). */
const rowConditionSql = z.string().min(1);

const filters = {
  row_condition: rowCondition.optional(),
  row_condition_sql: rowConditionSql.optional(),
};
const rowBase = { mostly: mostly.optional(), ...filters };

/** Values of a set: a null in the set is dropped (nulls are never checked, except by not_null). */
const valueSet = z
  .array(scalar.nullable())
  .transform((values) => values.filter((v): v is string | number | boolean => v !== null));

type Params = Record<string, unknown>;

function refineParameters(p: Params, ctx: z.core.$RefinementCtx<Params>): void {
  if (p.row_condition !== undefined && p.row_condition_sql !== undefined) {
    ctx.addIssue({
      code: "custom",
      message: "give row_condition or row_condition_sql, not both",
      path: ["row_condition_sql"],
    });
  }
}

function bounded<T extends z.ZodRawShape>(shape: T, integers = false) {
  const b = integers ? z.number().int().nonnegative() : bound;
  return z
    .strictObject({
      min_value: b.optional(),
      max_value: b.optional(),
      ...shape,
    })
    .superRefine((p: Params, ctx) => {
      refineParameters(p, ctx);
      if (p.min_value === undefined && p.max_value === undefined) {
        ctx.addIssue({
          code: "custom",
          message: "give min_value, max_value or both",
          path: ["min_value"],
        });
      } else if (boundsInverted(p.min_value, p.max_value)) {
        ctx.addIssue({
          code: "custom",
          message: `min_value ${JSON.stringify(p.min_value)} is greater than max_value ${JSON.stringify(p.max_value)}: no value could pass`,
          path: ["min_value"],
        });
      }
    })
    .meta({
      // The exported JSON schema says it too, for the Python plugins that validate with it.
      anyOf: [{ required: ["min_value"] }, { required: ["max_value"] }],
    });
}

function boundsInverted(min: unknown, max: unknown): boolean {
  if (typeof min === "number" && typeof max === "number") return min > max;
  if (typeof min === "string" && typeof max === "string") return min > max;
  return false;
}

function plain<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape).superRefine(refineParameters);
}

/** `strictly` makes both bounds strict; `strict_min` / `strict_max` one side each (GX's kwargs). */
const strictness = {
  strictly: z.boolean().optional(),
  strict_min: z.boolean().optional(),
  strict_max: z.boolean().optional(),
};

const aggregateBounds = bounded({ ...strictness, ...filters });

export { ISO_DURATION };

/** The plugins shipped with floe-quality; each says for every type whether it runs it. */
export const SHIPPED_PLUGINS = [
  "floe_sql",
  "great_expectations",
  "dbt_expectations",
  "floe_spark",
] as const;
export type ShippedPlugin = (typeof SHIPPED_PLUGINS)[number];

/** `runs`, or why the plugin declines the type (shown to users and in the docs). */
export type PluginSupport = "runs" | { readonly declines: string };

const ALL_RUN: Readonly<Record<ShippedPlugin, PluginSupport>> = {
  floe_sql: "runs",
  great_expectations: "runs",
  dbt_expectations: "runs",
  floe_spark: "runs",
};

/** Why a plugin without the host's run history declines a type that reads it. */
const NEEDS_HISTORY: PluginSupport = {
  declines: "needs the run history the host keeps; run anomaly checks with floe_sql",
};

/** How rows with nulls count (documented per type in docs/configuration.md). */
export type NullRule =
  /** Rows where the column is null are neither checked nor failed. */
  | "skipped"
  /** A null is the failure (not_null). */
  | "failure"
  /** Rows where any named column is null are skipped (pair_greater_than). */
  | "skipped_if_any_null"
  /** Rows where every named column is null are skipped (compound_unique). */
  | "skipped_if_all_null"
  /** Aggregates ignore nulls; a column with no non-null value is an error. */
  | "ignored"
  /** Null is not false: a row whose expression is null passes (dbt's expression_is_true). */
  | "not_failed"
  /** Nulls play no part (row counts, schema). */
  | "none";

export interface GxMapping {
  /** GX 1.x expectation class, or null when the plugin runs the type as SQL. */
  readonly expectation: string | null;
  /** floe parameter → GX kwarg, where the names differ. */
  readonly renames?: Readonly<Record<string, string>>;
  /** kwargs always passed, so GX means what floe means (e.g. ignore_row_if). */
  readonly kwargs?: Readonly<Record<string, unknown>>;
}

export interface DbtMapping {
  /** dbt / dbt-expectations test name (accepted as an alias). */
  readonly name: string;
  /** The generic test of the floe_expectations dbt package that runs the type. */
  readonly test: string;
  /** floe parameter → dbt argument, where the names differ. */
  readonly renames?: Readonly<Record<string, string>>;
}

export interface CheckTypeSpec {
  /** The floe type name. */
  readonly type: string;
  readonly level: CheckLevel;
  /** `required`: the check targets one column; `none`: table-level (columns, if any, are parameters). */
  readonly column: "required" | "none";
  readonly dimension: DimensionName;
  readonly nulls: NullRule;
  readonly parameters: z.ZodType<Record<string, unknown>>;
  /** Parameter names that hold column names (checked like `column` for existence). */
  readonly columnParameters: readonly string[];
  /** Great Expectations 1.x expectation class, when GX has one. */
  readonly gx: string | null;
  readonly gxMapping: GxMapping;
  /** dbt / dbt-expectations test name. */
  readonly dbt: string;
  readonly dbtMapping: DbtMapping;
  /** Other accepted spellings (GX snake-case names, dbt-expectations names). */
  readonly aliases: readonly string[];
  readonly plugins: Readonly<Record<ShippedPlugin, PluginSupport>>;
}

interface SpecInput
  extends Omit<CheckTypeSpec, "gx" | "gxMapping" | "dbt" | "dbtMapping" | "plugins"> {
  readonly gx: GxMapping;
  readonly dbt: DbtMapping;
  readonly plugins?: Readonly<Record<ShippedPlugin, PluginSupport>>;
}

function spec(s: SpecInput): CheckTypeSpec {
  return {
    ...s,
    gx: s.gx.expectation,
    gxMapping: s.gx,
    dbt: s.dbt.name,
    dbtMapping: s.dbt,
    plugins: s.plugins ?? ALL_RUN,
  };
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
    nulls: "ignored",
    parameters: aggregateBounds,
    columnParameters: [],
    gx: { expectation: gxClass },
    dbt: {
      name: `expect_column_${what}_to_be_between`,
      test: `expect_column_${what}_to_be_between`,
    },
    aliases: [`expect_column_${what}_to_be_between`],
  });

const VALUES = { values: "value_set" } as const;

export const CHECK_TYPES: readonly CheckTypeSpec[] = [
  spec({
    type: "not_null",
    level: "row",
    column: "required",
    dimension: "completeness",
    nulls: "failure",
    parameters: plain(rowBase),
    columnParameters: [],
    gx: { expectation: "ExpectColumnValuesToNotBeNull" },
    dbt: { name: "not_null", test: "expect_column_values_to_not_be_null" },
    aliases: ["expect_column_values_to_not_be_null"],
  }),
  spec({
    type: "unique",
    level: "set",
    column: "required",
    dimension: "consistency",
    nulls: "skipped",
    parameters: plain(filters),
    columnParameters: [],
    gx: { expectation: "ExpectColumnValuesToBeUnique" },
    dbt: { name: "unique", test: "expect_column_values_to_be_unique" },
    aliases: ["expect_column_values_to_be_unique"],
  }),
  spec({
    type: "accepted_values",
    level: "row",
    column: "required",
    dimension: "validity",
    nulls: "skipped",
    parameters: plain({ values: valueSet, ...rowBase }),
    columnParameters: [],
    gx: { expectation: "ExpectColumnValuesToBeInSet", renames: VALUES },
    dbt: {
      name: "accepted_values",
      test: "expect_column_values_to_be_in_set",
      renames: VALUES,
    },
    aliases: ["expect_column_values_to_be_in_set"],
  }),
  spec({
    type: "not_accepted_values",
    level: "row",
    column: "required",
    dimension: "validity",
    nulls: "skipped",
    parameters: plain({ values: valueSet, ...rowBase }),
    columnParameters: [],
    gx: { expectation: "ExpectColumnValuesToNotBeInSet", renames: VALUES },
    dbt: {
      name: "expect_column_values_to_not_be_in_set",
      test: "expect_column_values_to_not_be_in_set",
      renames: VALUES,
    },
    aliases: ["expect_column_values_to_not_be_in_set"],
  }),
  spec({
    type: "between",
    level: "row",
    column: "required",
    dimension: "accuracy",
    nulls: "skipped",
    parameters: bounded({ ...strictness, ...rowBase }),
    columnParameters: [],
    gx: { expectation: "ExpectColumnValuesToBeBetween" },
    dbt: {
      name: "expect_column_values_to_be_between",
      test: "expect_column_values_to_be_between",
    },
    aliases: ["expect_column_values_to_be_between"],
  }),
  spec({
    type: "regex",
    level: "row",
    column: "required",
    dimension: "validity",
    nulls: "skipped",
    // Searched, not anchored; the empty pattern matches every value (as in GX and SQL).
    parameters: plain({ regex: z.string(), ...rowBase }),
    columnParameters: [],
    gx: { expectation: "ExpectColumnValuesToMatchRegex" },
    dbt: {
      name: "expect_column_values_to_match_regex",
      test: "expect_column_values_to_match_regex",
    },
    aliases: ["expect_column_values_to_match_regex"],
  }),
  spec({
    type: "length_between",
    level: "row",
    column: "required",
    dimension: "validity",
    nulls: "skipped",
    parameters: bounded(rowBase, true),
    columnParameters: [],
    gx: { expectation: "ExpectColumnValueLengthsToBeBetween" },
    dbt: {
      name: "expect_column_value_lengths_to_be_between",
      test: "expect_column_value_lengths_to_be_between",
    },
    aliases: ["expect_column_value_lengths_to_be_between"],
  }),
  spec({
    type: "row_count_between",
    level: "aggregate",
    column: "none",
    dimension: "completeness",
    nulls: "none",
    parameters: bounded(filters, true),
    columnParameters: [],
    gx: { expectation: "ExpectTableRowCountToBeBetween" },
    dbt: {
      name: "expect_table_row_count_to_be_between",
      test: "expect_table_row_count_to_be_between",
    },
    aliases: ["expect_table_row_count_to_be_between"],
  }),
  spec({
    type: "column_exists",
    level: "schema",
    column: "required",
    dimension: "completeness",
    nulls: "none",
    parameters: z.strictObject({}),
    columnParameters: [],
    gx: { expectation: "ExpectColumnToExist" },
    dbt: { name: "expect_column_to_exist", test: "expect_column_to_exist" },
    aliases: ["expect_column_to_exist"],
  }),
  spec({
    type: "compound_unique",
    level: "set",
    column: "none",
    dimension: "consistency",
    nulls: "skipped_if_all_null",
    parameters: plain({ columns: z.array(z.string().min(1)).min(2), ...filters }),
    columnParameters: ["columns"],
    gx: { expectation: "ExpectCompoundColumnsToBeUnique", renames: { columns: "column_list" } },
    dbt: {
      name: "expect_compound_columns_to_be_unique",
      test: "expect_compound_columns_to_be_unique",
      renames: { columns: "column_list" },
    },
    aliases: ["expect_compound_columns_to_be_unique"],
  }),
  spec({
    type: "pair_greater_than",
    level: "row",
    column: "none",
    dimension: "consistency",
    nulls: "skipped_if_any_null",
    parameters: plain({
      column_a: z.string().min(1),
      column_b: z.string().min(1),
      or_equal: z.boolean().optional(),
      ...rowBase,
    }),
    columnParameters: ["column_a", "column_b"],
    gx: {
      expectation: "ExpectColumnPairValuesAToBeGreaterThanB",
      renames: { column_a: "column_A", column_b: "column_B" },
      // GX's default counts a row with a null as failed; floe skips it.
      kwargs: { ignore_row_if: "either_value_is_missing" },
    },
    dbt: {
      name: "expect_column_pair_values_A_to_be_greater_than_B",
      test: "expect_column_pair_values_A_to_be_greater_than_B",
      renames: { column_a: "column_A", column_b: "column_B" },
    },
    aliases: ["expect_column_pair_values_a_to_be_greater_than_b"],
  }),
  spec({
    type: "relationships",
    level: "set",
    column: "required",
    dimension: "consistency",
    nulls: "skipped",
    parameters: plain({ to: z.string().min(1), field: z.string().min(1), ...filters }),
    columnParameters: [],
    gx: { expectation: null },
    dbt: { name: "relationships", test: "relationships" },
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
    nulls: "ignored",
    parameters: aggregateBounds,
    columnParameters: [],
    gx: { expectation: "ExpectColumnUniqueValueCountToBeBetween" },
    dbt: {
      name: "expect_column_unique_value_count_to_be_between",
      test: "expect_column_unique_value_count_to_be_between",
    },
    aliases: ["expect_column_unique_value_count_to_be_between"],
  }),
  spec({
    type: "recency",
    level: "aggregate",
    column: "required",
    dimension: "timeliness",
    nulls: "ignored",
    parameters: plain({
      max_age: z.string().regex(ISO_DURATION, "an ISO-8601 duration such as P1D, PT6H or P1M"),
      ...filters,
    }),
    columnParameters: [],
    gx: { expectation: null },
    dbt: {
      name: "expect_row_values_to_have_recent_data",
      test: "expect_row_values_to_have_recent_data",
    },
    aliases: ["expect_row_values_to_have_recent_data"],
  }),
  spec({
    type: "expression_is_true",
    level: "row",
    column: "none",
    dimension: "validity",
    nulls: "not_failed",
    parameters: plain({ expression: z.string().min(1), ...rowBase }),
    columnParameters: [],
    gx: { expectation: null },
    dbt: { name: "expression_is_true", test: "expression_is_true" },
    aliases: [],
  }),
  spec({
    // Today's metric against the run history (judgeAnomaly in anomaly.ts); `history`
    // is filled by the host from its run history store, never written in a config.
    type: "anomaly",
    level: "aggregate",
    column: "none",
    dimension: "accuracy",
    nulls: "ignored",
    parameters: z
      .strictObject({
        metric: z.enum(ANOMALY_METRICS),
        metric_column: z.string().min(1).optional(),
        lookback_runs: z.number().int().min(3).optional(),
        min_history: z.number().int().min(3).optional(),
        max_z: z.number().positive().optional(),
        min_relative_change: z.number().nonnegative().optional(),
        history: z.array(z.number()).optional(),
      })
      .superRefine((p, ctx) => {
        const needsColumn = p.metric !== "row_count";
        if (needsColumn && p.metric_column === undefined) {
          ctx.addIssue({
            code: "custom",
            message: `metric ${p.metric} is measured on a column: give metric_column`,
            path: ["metric_column"],
          });
        } else if (!needsColumn && p.metric_column !== undefined) {
          ctx.addIssue({
            code: "custom",
            message: "metric row_count counts the table's rows: drop metric_column",
            path: ["metric_column"],
          });
        }
        if (
          p.min_history !== undefined &&
          p.min_history > (p.lookback_runs ?? Number.POSITIVE_INFINITY)
        ) {
          ctx.addIssue({
            code: "custom",
            message: `min_history ${p.min_history} is above lookback_runs ${p.lookback_runs}: the check could never run`,
            path: ["min_history"],
          });
        }
      }),
    columnParameters: ["metric_column"],
    gx: { expectation: null },
    dbt: { name: "floe_anomaly", test: "floe_anomaly" },
    aliases: [],
    plugins: {
      floe_sql: "runs",
      great_expectations: NEEDS_HISTORY,
      dbt_expectations: NEEDS_HISTORY,
      floe_spark: NEEDS_HISTORY,
    },
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
export const PARAMETER_ALIASES: Readonly<Record<string, string>> = {
  value_set: "values",
  column_list: "columns",
  column_A: "column_a",
  column_B: "column_b",
  // dbt's `where` config is SQL: the engine-specific filter.
  where: "row_condition_sql",
  combination_of_columns: "columns",
};

/**
 * Translates alias parameter names (GX `value_set`, dbt `column_A`, `where`, ...)
 * to the floe names, and `strictly` to its two sides. Pure; unknown names are kept
 * for the schema to reject.
 */
export function normalizeParameters(parameters: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parameters)) {
    out[PARAMETER_ALIASES[key] ?? key] = value;
  }
  if (out.strictly !== undefined) {
    const strict = out.strictly === true;
    delete out.strictly;
    out.strict_min ??= strict;
    out.strict_max ??= strict;
  }
  return out;
}

/** The strictness of each bound after normalization. */
export function strictBounds(parameters: Readonly<Record<string, unknown>>): {
  min: boolean;
  max: boolean;
} {
  const both = parameters.strictly === true;
  return {
    min: parameters.strict_min === undefined ? both : parameters.strict_min === true,
    max: parameters.strict_max === undefined ? both : parameters.strict_max === true,
  };
}

/** The plugins of `SHIPPED_PLUGINS` that run `type` (all of them for most types). */
export function typesRunBy(plugin: ShippedPlugin): string[] {
  return CHECK_TYPES.filter((s) => s.plugins[plugin] === "runs").map((s) => s.type);
}
