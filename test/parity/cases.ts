// The cross-provider parity table: every case of the conformance fixture (every
// check type, with nulls and mostly) plus the edge cases whose meaning the
// vocabulary decides, each with the exact outcome every provider must give.
// A provider may differ only where DOCUMENTED_DIFFERENCES says so, with the
// reason that docs/configuration.md also gives.
import { subtractDuration } from "@floe/quality-sdk";
import {
  type CheckCase,
  checkCase,
  type FixtureTable,
  rows,
  verdict,
} from "../../conformance/src/fixture/data.js";

export type Provider = "floe_sql" | "great_expectations" | "dbt_expectations" | "floe_spark";
export type Engine = "duckdb" | "postgres" | "spark";

const c = checkCase;

/**
 * Edge cases on the conformance `customers` table (rows in
 * conformance/src/fixture/data.ts): regions eu 1,2,5,8,9; us 3,4,7; apac 6,10;
 * status null in row 6; email null in rows 3 and 6; manager_id null in rows 1 and 8.
 */
export function edgeCases(customersRelation: string): CheckCase[] {
  const active = ["active", "inactive", "pending"];
  return [
    c(
      "px_pair_nulls",
      "pair_greater_than",
      "",
      { column_a: "manager_id", column_b: "id" },
      rows(8, 7, false),
      "rows with a null in either column are skipped, not failed (only 99 > 6 passes)",
    ),
    c(
      "px_strict_min",
      "between",
      "age",
      { min_value: 17, max_value: 130, strict_min: true },
      rows(9, 1, false),
      "strict_min is strict on the lower bound only: 17 fails, 130 passes",
    ),
    c(
      "px_strict_max",
      "between",
      "age",
      { min_value: 17, max_value: 130, strict_max: true },
      rows(9, 1, false),
      "strict_max is strict on the upper bound only: 130 fails, 17 passes",
    ),
    c(
      "px_av_empty",
      "accepted_values",
      "status",
      { values: [] },
      rows(9, 9, false),
      "the empty set accepts no value",
    ),
    c(
      "px_nav_empty",
      "not_accepted_values",
      "status",
      { values: [] },
      rows(9, 0, true),
      "the empty set forbids no value",
    ),
    c(
      "px_nav_null",
      "not_accepted_values",
      "status",
      { values: [null, "banned"] },
      rows(9, 1, false),
      "a null in the set is dropped: nulls are never checked",
    ),
    c(
      "px_av_null",
      "accepted_values",
      "status",
      { values: [null, ...active] },
      rows(9, 1, false),
      "a null in the set is dropped",
    ),
    c(
      "px_regex_empty",
      "regex",
      "code",
      { regex: "" },
      rows(9, 0, true),
      "the empty pattern matches every value",
    ),
    c(
      "px_rc_in",
      "not_null",
      "email",
      { row_condition: "region IN ('us', 'apac')" },
      rows(5, 2, false),
      "rows 3, 4, 6, 7, 10; emails of 3 and 6 are null",
    ),
    c(
      "px_rc_not",
      "not_null",
      "email",
      { row_condition: "NOT status = 'active'" },
      rows(4, 1, false),
      "SQL truth: the null status of row 6 is not selected by NOT",
    ),
    c(
      "px_rc_or_null",
      "not_null",
      "email",
      { row_condition: "status IS NULL OR age > 50" },
      rows(3, 1, false),
      "rows 6, 7 and 10",
    ),
    c(
      "px_rc_count",
      "row_count_between",
      "",
      { row_condition: "region = 'eu'", min_value: 5, max_value: 5 },
      verdict(true),
      "five eu rows",
    ),
    c(
      "px_rc_unique",
      "unique",
      "id",
      { row_condition: "region = 'eu'" },
      rows(5, 2, false),
      "ids 1, 2, 5, 8, 8",
    ),
    c(
      "px_rc_mean",
      "mean_between",
      "amount",
      { row_condition: "region = 'us'", min_value: 46, max_value: 47 },
      verdict(true),
      "mean of 30, 40, 70",
    ),
    c(
      "px_rc_between",
      "between",
      "age",
      { row_condition: "code IS NOT NULL AND region != 'apac'", min_value: 18, max_value: 120 },
      rows(7, 2, false),
      "rows 1-5, 7-9 less the null age of row 4; 17 and 130 fail",
    ),
    c(
      "px_rc_relationships",
      "relationships",
      "manager_id",
      { to: customersRelation, field: "id", row_condition: "region = 'us'" },
      rows(3, 0, true),
      "managers 1, 2, 3 exist",
    ),
    c(
      "px_rc_expression",
      "expression_is_true",
      "",
      { expression: "limit_amount >= amount", row_condition: "region = 'us'" },
      rows(3, 1, false),
      "row 3 (25 < 30)",
    ),
  ];
}

export const EVENTS = "parity_events";

/** One event 362 days old: within P12M counted in calendar months (365 or 366 days), outside 12 × 30 days. */
export function eventsTable(builtAt: number): FixtureTable {
  const at = new Date(builtAt - 362 * 86_400_000).toISOString();
  return {
    name: EVENTS,
    columns: [
      { name: "id", type: "integer" },
      { name: "ts", type: "timestamptz" },
    ],
    rows: [[1, at]],
  };
}

/** Cases on the events table: recency in calendar months. */
export function recencyCases(builtAt: number): CheckCase[] {
  // Guard the premise: 12 calendar months back is always more than 362 days.
  const twelveMonths =
    builtAt - subtractDuration(new Date(builtAt), { months: 12, days: 0, seconds: 0 }).getTime();
  if (twelveMonths < 365 * 86_400_000)
    throw new Error("twelve calendar months are at least 365 days");
  return [
    c(
      "px_recency_p12m",
      "recency",
      "ts",
      { max_age: "P12M" },
      verdict(true),
      "362 days old, 12 calendar months allowed",
    ),
    c(
      "px_recency_p1y",
      "recency",
      "ts",
      { max_age: "P1Y" },
      verdict(true),
      "a year is a calendar year",
    ),
    c(
      "px_recency_p11m",
      "recency",
      "ts",
      { max_age: "P11M" },
      verdict(false),
      "older than 11 months",
    ),
  ];
}

/**
 * Where a provider is allowed to differ, and why (the same reasons are listed in
 * docs/configuration.md, "Differences between providers"). Key: `provider/engine/case`.
 */
export const DOCUMENTED_DIFFERENCES: Readonly<
  Record<string, { expected: unknown; reason: string }>
> = {};
