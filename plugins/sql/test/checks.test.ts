// Every check type on the known-defect orders table, on a real DuckDB file
// and a real PostgreSQL database: exact counts, verdicts and observed values.
import { describe, expect, it } from "vitest";
import { check, runOn, summary, useEngines } from "./harness.js";

const engines = useEngines();

const SUITE = [
  check("id_not_null", "not_null", "id"),
  check("customer_not_null", "not_null", "customer_id"),
  check("customer_mostly_875", "not_null", "customer_id", { mostly: 0.875 }),
  check("customer_mostly_876", "not_null", "customer_id", { mostly: 0.876 }),
  check("id_unique", "unique", "id"),
  check("email_unique", "expect_column_values_to_be_unique", "email"),
  check("status_accepted", "accepted_values", "status", {
    values: ["shipped", "pending", "cancelled"],
  }),
  check("status_not_cancelled", "not_accepted_values", "status", { values: ["cancelled"] }),
  check("amount_between", "between", "amount", { min_value: 0, max_value: 100 }),
  check("amount_between_mostly_71", "between", "amount", {
    min_value: 0,
    max_value: 100,
    mostly: 0.71,
  }),
  check("amount_between_mostly_72", "between", "amount", {
    min_value: 0,
    max_value: 100,
    mostly: 0.72,
  }),
  check("amount_strict", "between", "amount", { min_value: 10.5, max_value: 50, strictly: true }),
  check("amount_inclusive", "between", "amount", { min_value: 10.5, max_value: 50 }),
  check("email_regex", "regex", "email", { regex: "^[^@]+@[^@]+\\.com$" }),
  check("status_length", "length_between", "status", { min_value: 6, max_value: 7 }),
  check("rows_ok", "row_count_between", "", { min_value: 1, max_value: 10 }),
  check("rows_too_few", "row_count_between", "", { min_value: 9 }),
  check("email_exists", "column_exists", "email"),
  check("nope_exists", "column_exists", "nope"),
  check("customer_status_unique", "compound_unique", "", { columns: ["customer_id", "status"] }),
  check("shipped_after_created", "pair_greater_than", "", {
    column_a: "shipped_at",
    column_b: "created_at",
  }),
  check("shipped_not_before_created", "pair_greater_than", "", {
    column_a: "shipped_at",
    column_b: "created_at",
    or_equal: true,
  }),
  check("customer_fk", "relationships", "customer_id", { to: "customers", field: "id" }),
  check("qty_mean", "mean_between", "qty", { min_value: 3, max_value: 5 }),
  check("qty_min", "min_between", "qty", { min_value: 2 }),
  check("qty_max", "max_between", "qty", { max_value: 7 }),
  check("qty_max_strict", "max_between", "qty", { max_value: 7, strictly: true }),
  check("qty_sum", "sum_between", "qty", { min_value: 28, max_value: 28 }),
  check("created_min", "min_between", "created_at", { min_value: "2023-12-31" }),
  check("created_max_bound", "max_between", "created_at", { max_value: "2024-01-06 12:00:00" }),
  check("qty_stdev", "stdev_between", "qty", { max_value: 2 }),
  check("status_distinct", "distinct_count_between", "status", { min_value: 4, max_value: 4 }),
  check("created_recent", "recency", "created_at", { max_age: "P1D" }),
  check("created_within_a_century", "recency", "created_at", { max_age: "P100Y" }),
  check("amount_positive", "expression_is_true", "", { expression: "amount >= 0" }),
  check("pending_have_customer", "not_null", "customer_id", {
    row_condition: "status = 'pending'",
  }),
  check("big_qty_have_customer", "not_null", "customer_id", { row_condition: "qty > 3" }),
  check("big_qty_max", "max_between", "amount", { max_value: 100, row_condition: "qty > 3" }),
  check("pending_unique_ids", "unique", "id", { where: "status = 'pending'" }),
];

describe.each(engines)("every check type on $name", (target) => {
  it("returns exact records_checked, records_failed, verdicts and observed values", async () => {
    const { results } = await runOn(target, "orders", SUITE);
    const s = (name: string) => summary(results.get(name));
    const passed = (checked: number, failed: number) => ({
      status: "CHECK_STATUS_PASSED",
      passed: true,
      checked,
      failed,
    });
    const failed = (checked: number, failedRows: number) => ({
      status: "CHECK_STATUS_FAILED",
      passed: false,
      checked,
      failed: failedRows,
    });
    const observed = (name: string) => results.get(name)?.details?.observed_value;
    const samples = (name: string) => results.get(name)?.details?.failing_samples;

    expect(results.size).toBe(SUITE.length);
    expect(s("id_not_null")).toEqual(passed(8, 0));
    expect(s("customer_not_null")).toEqual(failed(8, 1));
    expect(s("customer_mostly_875")).toEqual(passed(8, 1));
    expect(s("customer_mostly_876")).toEqual(failed(8, 1));
    expect(s("id_unique")).toEqual(failed(8, 2));
    expect(samples("id_unique")).toEqual(["7"]);
    expect(s("email_unique")).toEqual(failed(7, 2));
    expect(samples("email_unique")).toEqual(["a@x.com"]);
    expect(s("status_accepted")).toEqual(failed(7, 1));
    expect(samples("status_accepted")).toEqual(["unknown"]);
    expect(s("status_not_cancelled")).toEqual(failed(7, 1));
    expect(s("amount_between")).toEqual(failed(7, 2));
    expect(samples("amount_between")).toEqual(
      target.name === "duckdb" ? ["-5.0", "1000.0"] : ["-5", "1000"],
    );
    expect(s("amount_between_mostly_71")).toEqual(passed(7, 2));
    expect(s("amount_between_mostly_72")).toEqual(failed(7, 2));
    expect(s("amount_strict")).toEqual(failed(7, 4));
    expect(s("amount_inclusive")).toEqual(failed(7, 2));
    expect(s("email_regex")).toEqual(failed(7, 1));
    expect(samples("email_regex")).toEqual(["not-an-email"]);
    expect(s("status_length")).toEqual(failed(7, 1));
    expect(samples("status_length")).toEqual(["cancelled"]);
    expect(s("rows_ok")).toEqual(passed(8, 0));
    expect(observed("rows_ok")).toBe(8);
    expect(s("rows_too_few")).toEqual(failed(8, 0));
    expect(observed("rows_too_few")).toBe(8);
    expect(s("email_exists")).toEqual(passed(1, 0));
    expect(s("nope_exists")).toEqual(failed(1, 1));
    expect(s("customer_status_unique")).toEqual(failed(8, 2));
    expect(samples("customer_status_unique")).toEqual([{ customer_id: "2", status: "shipped" }]);
    expect(s("shipped_after_created")).toEqual(failed(6, 2));
    expect(s("shipped_not_before_created")).toEqual(failed(6, 1));
    expect(samples("shipped_not_before_created")).toEqual([
      { shipped_at: "2024-01-03 00:00:00", created_at: "2024-01-04 00:00:00" },
    ]);
    expect(s("customer_fk")).toEqual(failed(7, 2));
    expect(samples("customer_fk")).toEqual(["98", "99"]);
    expect(s("qty_mean")).toEqual(passed(7, 0));
    expect(observed("qty_mean")).toBe(4);
    expect(s("qty_min")).toEqual(failed(7, 0));
    expect(observed("qty_min")).toBe(1);
    expect(s("qty_max")).toEqual(passed(7, 0));
    expect(observed("qty_max")).toBe(7);
    expect(s("qty_max_strict")).toEqual(failed(7, 0));
    expect(s("qty_sum")).toEqual(passed(7, 0));
    expect(observed("qty_sum")).toBe(28);
    expect(s("created_min")).toEqual(passed(7, 0));
    expect(observed("created_min")).toBe("2024-01-01T00:00:00.000Z");
    expect(s("created_max_bound")).toEqual(failed(7, 0));
    expect(observed("created_max_bound")).toBe("2024-01-07T00:00:00.000Z");
    expect(s("qty_stdev")).toEqual(failed(7, 0));
    expect(observed("qty_stdev")).toBeCloseTo(Math.sqrt(28 / 6), 12);
    expect(s("status_distinct")).toEqual(passed(7, 0));
    expect(observed("status_distinct")).toBe(4);
    expect(s("created_recent")).toEqual(failed(7, 0));
    expect(observed("created_recent")).toBe("2024-01-07 00:00:00");
    expect(s("created_within_a_century")).toEqual(passed(7, 0));
    expect(s("amount_positive")).toEqual(failed(8, 1));
    expect(s("pending_have_customer")).toEqual(passed(2, 0));
    expect(s("big_qty_have_customer")).toEqual(failed(4, 1));
    expect(s("big_qty_max")).toEqual(failed(3, 0));
    expect(observed("big_qty_max")).toBe(1000);
    expect(s("pending_unique_ids")).toEqual(passed(2, 0));
  });

  it("reports the type's default dimension when the check leaves it unspecified", async () => {
    const { results } = await runOn(target, "orders", [
      check("n", "not_null", "id"),
      check("r", "recency", "created_at", { max_age: "P1D" }),
    ]);
    expect(results.get("n")?.dimension).toBe(1);
    expect(results.get("r")?.dimension).toBe(5);
  });

  it("samples nothing when max_failing_samples is 0 and never samples a sensitive column", async () => {
    const suite = [
      check("email_regex", "regex", "email", { regex: "^[^@]+@[^@]+\\.com$" }),
      check("status_accepted", "accepted_values", "status", {
        values: ["shipped", "pending", "cancelled"],
      }),
    ];
    const off = await runOn(target, "orders", suite, { maxFailingSamples: 0 });
    expect(off.results.get("email_regex")?.details?.failing_samples).toBeUndefined();
    expect(off.queries).toHaveLength(1);
    const masked = await runOn(target, "orders", suite, {
      maxFailingSamples: 1,
      sensitiveColumns: ["email"],
    });
    expect(masked.results.get("email_regex")?.details?.failing_samples).toBeUndefined();
    expect(masked.results.get("status_accepted")?.details?.failing_samples).toEqual(["unknown"]);
    expect(masked.queries).toHaveLength(2);
  });
});
