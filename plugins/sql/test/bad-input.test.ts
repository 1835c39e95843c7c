// Bad input: each broken check reports its own ERROR with a clear message and
// code, and every other check of the suite still runs.
import { describe, expect, it } from "vitest";
import { MAX_VALUE_SET } from "../src/compile/index.js";
import { check, runOn, summary, useEngines } from "./harness.js";

const engines = useEngines();

describe.each(engines)("bad input on $name", (target) => {
  it("a missing table errors every check with the relation named, once per check", async () => {
    const { results } = await runOn(target, "no_such_table", [
      check("a", "not_null", "id"),
      check("b", "unique", "id"),
      check("c", "column_exists", "id"),
    ]);
    for (const name of ["a", "b", "c"]) {
      const r = results.get(name);
      expect(summary(r)).toEqual({
        status: "CHECK_STATUS_ERROR",
        passed: false,
        checked: 0,
        failed: 0,
      });
      expect(r?.errorMessage).toMatch(/^relation no_such_table cannot be read: .*no_such_table/);
      expect(r?.errorCode).toBe("FLOE-DQ102");
    }
  });

  it("regex on an integer, between on text and an unknown column fail alone; the fused neighbours still answer", async () => {
    const { results, queries } = await runOn(
      target,
      "orders",
      [
        check("regex_on_int", "regex", "qty", { regex: "^[0-9]+$" }),
        check("between_on_text", "between", "status", { min_value: 1, max_value: 5 }),
        check("ghost_column", "not_null", "ghost"),
        check("id_not_null", "not_null", "id"),
        check("qty_sum", "sum_between", "qty", { min_value: 28, max_value: 28 }),
      ],
      { maxFailingSamples: 0 },
    );
    expect(summary(results.get("id_not_null"))).toEqual({
      status: "CHECK_STATUS_PASSED",
      passed: true,
      checked: 8,
      failed: 0,
    });
    expect(results.get("qty_sum")?.details?.observed_value).toBe(28);
    for (const name of ["regex_on_int", "between_on_text", "ghost_column"]) {
      expect(results.get(name)?.status).toBe(3);
      expect(results.get(name)?.errorMessage).toMatch(
        /^(regex|between|not_null) check failed to run: the database rejected its query: /,
      );
    }
    expect(results.get("ghost_column")?.errorMessage).toMatch(/ghost/);
    expect(results.get("ghost_column")?.errorCode).toBe("FLOE-DQ105");
    // The fused scan, the column probe that rules out the relation, then one statement per check.
    expect(queries.map((q) => q.outcome)).toEqual([
      "error",
      "ok",
      "error",
      "error",
      "error",
      "ok",
      "ok",
    ]);
  });

  it("a 100 000-value set is refused with the limit and the fix; the other checks run", async () => {
    const values = Array.from({ length: 100_000 }, (_, i) => `v${i}`);
    const { results, queries } = await runOn(target, "orders", [
      check("huge_set", "accepted_values", "status", { values }),
      check("id_not_null", "not_null", "id"),
    ]);
    const huge = results.get("huge_set");
    expect(huge?.status).toBe(3);
    expect(huge?.errorCode).toBe("FLOE-DQ101");
    expect(huge?.errorMessage).toBe(
      `100000 values exceed the limit of ${MAX_VALUE_SET} for accepted_values; keep the allowed values in a table and use a relationships check instead`,
    );
    expect(results.get("id_not_null")?.status).toBe(1);
    expect(queries).toHaveLength(1);
    expect(queries[0]?.paramCount).toBe(0);
  });

  it("an empty table: row checks pass with nothing checked, aggregates that need values error", async () => {
    const { results } = await runOn(target, "empty_orders", [
      check("id_not_null", "not_null", "id"),
      check("status_accepted", "accepted_values", "status", { values: ["shipped"] }),
      check("rows", "row_count_between", "", { min_value: 1 }),
      check("qty_mean", "mean_between", "qty", { min_value: 1 }),
      check("created_recent", "recency", "created_at", { max_age: "P1D" }),
      check("id_unique", "unique", "id"),
      check("distinct", "distinct_count_between", "status", { max_value: 3 }),
    ]);
    expect(summary(results.get("id_not_null"))).toEqual({
      status: "CHECK_STATUS_PASSED",
      passed: true,
      checked: 0,
      failed: 0,
    });
    expect(summary(results.get("status_accepted"))).toEqual({
      status: "CHECK_STATUS_PASSED",
      passed: true,
      checked: 0,
      failed: 0,
    });
    expect(summary(results.get("id_unique"))).toEqual({
      status: "CHECK_STATUS_PASSED",
      passed: true,
      checked: 0,
      failed: 0,
    });
    expect(summary(results.get("rows"))).toEqual({
      status: "CHECK_STATUS_FAILED",
      passed: false,
      checked: 0,
      failed: 0,
    });
    expect(results.get("rows")?.details?.observed_value).toBe(0);
    expect(results.get("distinct")?.details?.observed_value).toBe(0);
    expect(results.get("qty_mean")?.status).toBe(3);
    expect(results.get("qty_mean")?.errorMessage).toBe(
      "the column has no non-null values to aggregate (empty table, or every value is null)",
    );
    expect(results.get("created_recent")?.errorMessage).toBe(
      "the column has no non-null timestamps (empty table, or every value is null)",
    );
  });

  it("unknown types and bad parameters come back as FLOE-DQ101 errors without touching the database", async () => {
    const { results, queries } = await runOn(target, "orders", [
      check("typo", "not_nul", "id"),
      check("no_bounds", "between", "qty", {}),
      check("bad_mostly", "not_null", "id", { mostly: 2 }),
      check("no_column", "unique", ""),
      check("disabled", "not_null", "id", {}, { enabled: false }),
    ]);
    expect(queries).toHaveLength(0);
    expect(results.get("typo")?.errorMessage).toMatch(
      /^unknown check type "not_nul"; floe_sql runs not_null, /,
    );
    expect(results.get("no_bounds")?.errorMessage).toBe(
      "between: parameters.min_value: give min_value, max_value or both",
    );
    expect(results.get("bad_mostly")?.errorMessage).toMatch(/^not_null: parameters\.mostly: /);
    expect(results.get("no_column")?.errorMessage).toBe("unique needs a column");
    for (const name of ["typo", "no_bounds", "bad_mostly", "no_column"]) {
      expect(results.get(name)?.errorCode).toBe("FLOE-DQ101");
    }
    expect(results.get("disabled")?.status).toBe(4);
  });

  it("fail_fast stops after the first failing check and skips the rest", async () => {
    const { results, order } = await runOn(
      target,
      "orders",
      [
        check("typo", "not_nul", "id"),
        check("id_not_null", "not_null", "id"),
        check("id_unique", "unique", "id"),
      ],
      { failFast: true },
    );
    expect(order[0]).toBe("typo");
    expect(results.get("id_not_null")?.status).toBe(4);
    expect(results.get("id_not_null")?.errorMessage).toBe(
      "not run: fail_fast stopped the suite after check typo did not pass",
    );
    expect(results.get("id_unique")?.status).toBe(4);
  });
});
