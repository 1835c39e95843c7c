// The "type → SQL compiler" table of floe_sql: one entry per floe check type
// of the vocabulary in @floe/quality-sdk (parameters, levels and aliases live
// there; this file only says how each type becomes SQL).
//
// A compiler returns one of four shapes, which the planner fuses:
// - row: a predicate selecting the rows evaluated and one selecting the rows
//   that fail; the planner counts them with SUM(CASE WHEN ... THEN 1 ELSE 0 END);
// - aggregate: an observed aggregate and a boolean over it;
// - set: a query of its own returning one row (checked, failed);
// - schema: a fact about the relation's columns.
//
// `row_condition` is the portable filter language, translated here with quoted
// columns and bound values. `row_condition_sql` and `expression_is_true.expression`
// are SQL written by the product team in its own configuration (trusted, like
// dbt model SQL) and are inserted as written; every other value is a bound
// parameter.
import {
  type AnomalyMetric,
  conditionToSql,
  intervalText,
  judgeAnomaly,
  parseIsoDuration,
  parseRowCondition,
  strictBounds,
} from "@floe/quality-sdk";
import type { SqlBuilder, SqlValue } from "./sql.js";

export interface ResolvedCheck {
  /** Position in the suite. */
  readonly index: number;
  readonly name: string;
  /** The floe type (aliases already resolved). */
  readonly type: string;
  readonly column: string;
  /** Parameters after alias normalization and schema validation. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

export interface RowSql {
  readonly kind: "row";
  /** Rows that are evaluated (e.g. the column is not null). */
  readonly evaluated: string;
  /** Among evaluated rows, those that fail. Must be true or false for them, never null. */
  readonly failing: string;
  /** Columns whose values are sampled from failing rows (none: no samples). */
  readonly sampleColumns: readonly string[];
}

export interface AggregateSql {
  readonly kind: "aggregate";
  /** Aggregate counting the values the observation is made on. */
  readonly counted: string;
  /** The observed aggregate. */
  readonly observed: string;
  /** Boolean over the observed aggregate; null when there was nothing to observe. */
  readonly passes: string;
  /** Why a null observation is an error for this type, or null when it cannot be null. */
  readonly nothingObserved: string | null;
  /** Judges the observed value in the host instead of `passes` (anomaly checks). */
  readonly judge?: (observed: number) => {
    status: "passed" | "failed" | "skipped";
    details: Record<string, unknown>;
    errorMessage?: string;
  };
}

export interface SetSql {
  readonly kind: "set";
  /** One row: `checked` and `failed` (BIGINT). */
  readonly query: string;
  /** Failing values (column `v` or the sample columns), distinct, ordered, limited by `limit`. */
  sampleQuery(limit: string): string;
  readonly sampleColumns: readonly string[];
}

export interface SchemaSql {
  readonly kind: "schema";
  readonly requiredColumns: readonly string[];
}

export type CompiledCheck = RowSql | AggregateSql | SetSql | SchemaSql;

export interface CompileInput {
  readonly check: ResolvedCheck;
  readonly sql: SqlBuilder;
  /** The quoted relation checked. */
  readonly relation: string;
  /** The row_condition predicate, or TRUE. */
  readonly condition: string;
}

type CheckCompiler = (input: CompileInput) => CompiledCheck;

/**
 * Failing values are sampled from the first this-many failing rows the scan
 * meets, so a sample query stops early when failures are common instead of
 * sorting every failing value of a large table.
 */
export const SAMPLE_SCAN_ROWS = 10_000;

/** Above this many values, accepted_values/not_accepted_values are refused (use relationships). */
export const MAX_VALUE_SET = 10_000;

function param<T>(check: ResolvedCheck, name: string): T {
  return check.parameters[name] as T;
}

/** `expr` within the check's bounds, each side strict or not on its own (strict_min, strict_max). */
function bounds(sql: SqlBuilder, expr: string, check: ResolvedCheck): string {
  const min = param<SqlValue | undefined>(check, "min_value");
  const max = param<SqlValue | undefined>(check, "max_value");
  const strict = strictBounds(check.parameters);
  const parts: string[] = [];
  if (min !== undefined) parts.push(`${expr} ${strict.min ? ">" : ">="} ${sql.bind(min)}`);
  if (max !== undefined) parts.push(`${expr} ${strict.max ? "<" : "<="} ${sql.bind(max)}`);
  return parts.join(" AND ");
}

/**
 * The SQL predicate selecting the rows a check looks at: the portable
 * row_condition translated (columns quoted, values bound), the engine-specific
 * row_condition_sql as written, or TRUE.
 */
export function conditionSql(
  sql: SqlBuilder,
  parameters: Readonly<Record<string, unknown>>,
): string {
  if (typeof parameters.row_condition === "string") {
    return conditionToSql(parseRowCondition(parameters.row_condition), {
      ident: (name) => sql.ident(name),
      value: (value) => sql.bind(value),
    });
  }
  if (typeof parameters.row_condition_sql === "string") return `(${parameters.row_condition_sql})`;
  return "TRUE";
}

/** The value set as a SQL list, or null for the empty set (which no value is in). */
function valueList(sql: SqlBuilder, check: ResolvedCheck): string | null {
  const values = param<SqlValue[]>(check, "values");
  if (values.length === 0) return null;
  if (values.length > MAX_VALUE_SET) {
    throw new CheckCompileError(
      `${values.length} values exceed the limit of ${MAX_VALUE_SET} for ${check.type}; keep the allowed values in a table and use a relationships check instead`,
    );
  }
  const kinds = new Set(values.map((v) => typeof v));
  const bind = kinds.size > 1 ? (v: SqlValue) => sql.bindText(v) : (v: SqlValue) => sql.bind(v);
  return values.map(bind).join(", ");
}

/**
 * `fn` over the values of `expr` on the rows where `condition` holds. Written
 * as fn(CASE WHEN ...) rather than FILTER (WHERE ...): DuckDB evaluates a
 * hundred CASE aggregates about twice as fast as a hundred FILTER clauses,
 * and PostgreSQL runs both alike.
 */
export function aggregateWhere(fn: string, expr: string, condition: string, modifier = ""): string {
  if (condition === "TRUE") return `${fn}(${modifier}${expr})`;
  return `${fn}(${modifier}CASE WHEN ${condition} THEN ${expr} END)`;
}

/** Rows where `condition` holds (0, not null, on an empty table). */
export function countWhere(condition: string): string {
  if (condition === "TRUE") return "COUNT(*)";
  return `COALESCE(SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END), 0)`;
}

/** A check the compiler refuses (the message is for the person who wrote it). */
export class CheckCompileError extends Error {}

const notNullColumn = ({ sql, check }: CompileInput) => `${sql.ident(check.column)} IS NOT NULL`;

/** A column aggregate (`fn` over the column's non-null values), cast to float when `numeric`. */
function columnAggregate(fn: string, numeric: boolean, nothing: string): CheckCompiler {
  return ({ sql, check, condition }) => {
    const column = sql.ident(check.column);
    const filtered = aggregateWhere(fn, column, condition);
    const observed = numeric ? `CAST(${filtered} AS ${sql.dialect.floatType})` : filtered;
    return {
      kind: "aggregate",
      counted: aggregateWhere("COUNT", column, condition),
      observed,
      passes: bounds(sql, observed, check),
      nothingObserved: nothing,
    };
  };
}

const NO_VALUES =
  "the column has no non-null values to aggregate (empty table, or every value is null)";

const COMPILERS: Readonly<Record<string, CheckCompiler>> = {
  not_null: ({ sql, check }) => ({
    kind: "row",
    evaluated: "TRUE",
    failing: `${sql.ident(check.column)} IS NULL`,
    sampleColumns: [],
  }),
  // An empty set accepts nothing (every non-null value fails) and forbids nothing.
  accepted_values: (input) => {
    const list = valueList(input.sql, input.check);
    return {
      kind: "row",
      evaluated: notNullColumn(input),
      failing: list === null ? "TRUE" : `NOT (${input.sql.ident(input.check.column)} IN (${list}))`,
      sampleColumns: [input.check.column],
    };
  },
  not_accepted_values: (input) => {
    const list = valueList(input.sql, input.check);
    return {
      kind: "row",
      evaluated: notNullColumn(input),
      failing: list === null ? "FALSE" : `${input.sql.ident(input.check.column)} IN (${list})`,
      sampleColumns: [input.check.column],
    };
  },
  between: (input) => ({
    kind: "row",
    evaluated: notNullColumn(input),
    failing: `NOT (${bounds(input.sql, input.sql.ident(input.check.column), input.check)})`,
    sampleColumns: [input.check.column],
  }),
  regex: ({ sql, check }) => ({
    kind: "row",
    evaluated: `${sql.ident(check.column)} IS NOT NULL`,
    failing: `NOT ${sql.dialect.regexMatches(sql.ident(check.column), sql.bind(param<string>(check, "regex")))}`,
    sampleColumns: [check.column],
  }),
  length_between: ({ sql, check }) => ({
    kind: "row",
    evaluated: `${sql.ident(check.column)} IS NOT NULL`,
    failing: `NOT (${bounds(sql, `length(${sql.ident(check.column)})`, check)})`,
    sampleColumns: [check.column],
  }),
  pair_greater_than: ({ sql, check }) => {
    const a = sql.ident(param<string>(check, "column_a"));
    const b = sql.ident(param<string>(check, "column_b"));
    const op = param<boolean | undefined>(check, "or_equal") === true ? ">=" : ">";
    return {
      kind: "row",
      evaluated: `${a} IS NOT NULL AND ${b} IS NOT NULL`,
      failing: `NOT (${a} ${op} ${b})`,
      sampleColumns: [param<string>(check, "column_a"), param<string>(check, "column_b")],
    };
  },
  expression_is_true: ({ check }) => ({
    kind: "row",
    evaluated: "TRUE",
    // dbt's semantics: a row fails when the expression is false; null is not a failure.
    failing: `COALESCE(NOT (${param<string>(check, "expression")}), FALSE)`,
    sampleColumns: [],
  }),
  row_count_between: ({ sql, check, condition }) => {
    const observed = countWhere(condition);
    return {
      kind: "aggregate",
      counted: observed,
      observed,
      passes: bounds(sql, observed, check),
      nothingObserved: null,
    };
  },
  mean_between: columnAggregate("AVG", true, NO_VALUES),
  min_between: columnAggregate("MIN", false, NO_VALUES),
  max_between: columnAggregate("MAX", false, NO_VALUES),
  sum_between: columnAggregate("SUM", true, NO_VALUES),
  stdev_between: columnAggregate(
    "STDDEV_SAMP",
    true,
    "the sample standard deviation needs at least two non-null values",
  ),
  distinct_count_between: ({ sql, check, condition }) => {
    const column = sql.ident(check.column);
    const observed = aggregateWhere("COUNT", column, condition, "DISTINCT ");
    return {
      kind: "aggregate",
      counted: aggregateWhere("COUNT", column, condition),
      observed,
      passes: bounds(sql, observed, check),
      nothingObserved: null,
    };
  },
  recency: ({ sql, check, condition }) => {
    const column = sql.ident(check.column);
    const latest = aggregateWhere("MAX", column, condition);
    const maxAge = sql.bind(intervalText(parseIsoDuration(param<string>(check, "max_age"))));
    return {
      kind: "aggregate",
      counted: aggregateWhere("COUNT", column, condition),
      observed: `CAST(${latest} AS ${sql.dialect.textType})`,
      // Both sides without time zone, so DATE, TIMESTAMP and TIMESTAMPTZ columns compare alike.
      passes: `CAST(${latest} AS TIMESTAMP) >= CAST(now() AS TIMESTAMP) - CAST(${maxAge} AS INTERVAL)`,
      nothingObserved:
        "the column has no non-null timestamps (empty table, or every value is null)",
    };
  },
  unique: ({ sql, check, relation, condition }) => {
    const column = sql.ident(check.column);
    const groups = `SELECT ${column} AS v, COUNT(*) AS n FROM ${relation} WHERE (${condition}) AND ${column} IS NOT NULL GROUP BY ${column}`;
    return {
      kind: "set",
      query: `SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS checked, CAST(COALESCE(SUM(CASE WHEN n > 1 THEN n ELSE 0 END), 0) AS BIGINT) AS failed FROM (${groups}) AS g`,
      sampleQuery: (limit) =>
        `SELECT CAST(v AS ${sql.dialect.textType}) AS v FROM (${groups}) AS g WHERE n > 1 ORDER BY 1 LIMIT ${limit}`,
      sampleColumns: [check.column],
    };
  },
  compound_unique: ({ sql, check, relation, condition }) => {
    const names = param<string[]>(check, "columns");
    const columns = names.map((c) => sql.ident(c));
    const allNull = columns.map((c) => `${c} IS NULL`).join(" AND ");
    const aliases = columns.map((c, i) => `${c} AS v${i}`).join(", ");
    // GX's default ignore_row_if="all_values_are_missing": rows where every column is null are not checked.
    const groups = `SELECT ${aliases}, COUNT(*) AS n FROM ${relation} WHERE (${condition}) AND NOT (${allNull}) GROUP BY ${columns.join(", ")}`;
    const texts = columns
      .map((_, i) => `CAST(v${i} AS ${sql.dialect.textType}) AS v${i}`)
      .join(", ");
    return {
      kind: "set",
      query: `SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS checked, CAST(COALESCE(SUM(CASE WHEN n > 1 THEN n ELSE 0 END), 0) AS BIGINT) AS failed FROM (${groups}) AS g`,
      sampleQuery: (limit) =>
        `SELECT ${texts} FROM (${groups}) AS g WHERE n > 1 ORDER BY ${columns.map((_, i) => i + 1).join(", ")} LIMIT ${limit}`,
      sampleColumns: names,
    };
  },
  relationships: ({ sql, check, relation, condition }) => {
    const column = `c.${sql.ident(check.column)}`;
    const parent = sql.relation(param<string>(check, "to"));
    const orphan = `NOT EXISTS (SELECT 1 FROM ${parent} AS p WHERE p.${sql.ident(param<string>(check, "field"))} = ${column})`;
    const from = `FROM ${relation} AS c WHERE (${condition}) AND ${column} IS NOT NULL`;
    return {
      kind: "set",
      query: `SELECT COUNT(*) AS checked, ${countWhere(orphan)} AS failed ${from}`,
      sampleQuery: (limit) =>
        `SELECT v FROM (SELECT CAST(${column} AS ${sql.dialect.textType}) AS v ${from} AND ${orphan} LIMIT ${SAMPLE_SCAN_ROWS}) AS s GROUP BY v ORDER BY v LIMIT ${limit}`,
      sampleColumns: [check.column],
    };
  },
  column_exists: ({ check }) => ({ kind: "schema", requiredColumns: [check.column] }),
  anomaly: ({ sql, check }) => {
    const metric = param<AnomalyMetric>(check, "metric");
    const name = param<string | undefined>(check, "metric_column");
    const column = name === undefined ? "" : sql.ident(name);
    const float = sql.dialect.floatType;
    const observed: Record<AnomalyMetric, string> = {
      row_count: "COUNT(*)",
      null_fraction: `CAST(COUNT(*) - COUNT(${column}) AS ${float}) / NULLIF(COUNT(*), 0)`,
      mean: `CAST(AVG(${column}) AS ${float})`,
      distinct_count: `COUNT(DISTINCT ${column})`,
      // Seconds since the newest value (both sides without time zone, as recency).
      freshness: `CAST(EXTRACT(EPOCH FROM CAST(now() AS TIMESTAMP)) - EXTRACT(EPOCH FROM CAST(MAX(${column}) AS TIMESTAMP)) AS ${float})`,
    };
    const history = param<number[] | undefined>(check, "history") ?? [];
    return {
      kind: "aggregate",
      counted: name === undefined || metric === "null_fraction" ? "COUNT(*)" : `COUNT(${column})`,
      observed: observed[metric],
      passes: "TRUE",
      nothingObserved:
        metric === "row_count" || metric === "distinct_count"
          ? null
          : `the ${metric} of ${name} has no value (empty table, or every value is null)`,
      judge: (value) => {
        const j = judgeAnomaly(value, history, check.parameters);
        return {
          status: j.status,
          details: j.details,
          ...(j.reason === undefined ? {} : { errorMessage: j.reason }),
        };
      },
    };
  },
};

/** The floe types floe_sql runs (a subset of the vocabulary: today all of it). */
export const SUPPORTED_CHECK_TYPES: readonly string[] = Object.keys(COMPILERS);

export function compileCheck(input: CompileInput): CompiledCheck {
  const compiler = COMPILERS[input.check.type];
  if (compiler === undefined)
    throw new CheckCompileError(`floe_sql does not run check type ${input.check.type}`);
  return compiler(input);
}
