// Fusion: a 50-check suite on one table costs at most 3 statements (the fused
// scan, the batched set checks, the column list), and fusing changes no answer.
import { describe, expect, it } from "vitest";
import { check, runOn, useEngines } from "./harness.js";

const engines = useEngines();

function fiftyChecks() {
  const checks = [];
  const columns = [
    "id",
    "customer_id",
    "status",
    "amount",
    "email",
    "qty",
    "created_at",
    "shipped_at",
  ];
  for (const c of columns) {
    checks.push(check(`${c}_not_null`, "not_null", c));
    checks.push(check(`${c}_not_null_mostly`, "not_null", c, { mostly: 0.8 }));
    checks.push(check(`${c}_exists`, "column_exists", c));
  }
  for (const c of ["id", "customer_id", "email"]) checks.push(check(`${c}_unique`, "unique", c));
  checks.push(
    check("cust_status_unique", "compound_unique", "", { columns: ["customer_id", "status"] }),
  );
  checks.push(
    check("customer_fk", "relationships", "customer_id", { to: "customers", field: "id" }),
  );
  for (const [i, max] of [10, 100, 5000].entries()) {
    checks.push(
      check(`amount_between_${i}`, "between", "amount", { min_value: 0, max_value: max }),
    );
  }
  checks.push(
    check("status_accepted", "accepted_values", "status", {
      values: ["shipped", "pending", "cancelled"],
    }),
  );
  checks.push(check("status_rejected", "not_accepted_values", "status", { values: ["unknown"] }));
  checks.push(check("email_regex", "regex", "email", { regex: "@" }));
  checks.push(check("status_len", "length_between", "status", { min_value: 1, max_value: 9 }));
  checks.push(check("rows", "row_count_between", "", { min_value: 8, max_value: 8 }));
  checks.push(
    check("ship_after", "pair_greater_than", "", {
      column_a: "shipped_at",
      column_b: "created_at",
      or_equal: true,
    }),
  );
  checks.push(check("qty_mean", "mean_between", "qty", { min_value: 4, max_value: 4 }));
  checks.push(check("qty_min", "min_between", "qty", { min_value: 1 }));
  checks.push(check("qty_max", "max_between", "qty", { max_value: 7 }));
  checks.push(check("qty_sum", "sum_between", "qty", { max_value: 100 }));
  checks.push(check("qty_stdev", "stdev_between", "qty", { max_value: 3 }));
  checks.push(check("status_distinct", "distinct_count_between", "status", { max_value: 4 }));
  checks.push(check("created_recent", "recency", "created_at", { max_age: "P100Y" }));
  checks.push(check("amount_expr", "expression_is_true", "", { expression: "amount < 2000" }));
  checks.push(
    check("pending_ids", "not_null", "customer_id", { row_condition: "status = 'pending'" }),
  );
  checks.push(
    check("qty_cond", "between", "qty", { min_value: 4, max_value: 7, row_condition: "qty > 3" }),
  );
  checks.push(
    check("amount_cond", "max_between", "amount", { max_value: 100, row_condition: "qty < 5" }),
  );
  checks.push(check("id_cond_unique", "unique", "id", { row_condition: "qty < 7" }));
  return checks;
}

describe.each(engines)("fusion on $name", (target) => {
  it("runs a 50-check suite in at most 3 statements", async () => {
    const suite = fiftyChecks();
    expect(suite).toHaveLength(50);
    const { results, queries } = await runOn(target, "orders", suite, { maxFailingSamples: 0 });
    expect(results.size).toBe(50);
    expect([...results.values()].filter((r) => r.status === 3)).toEqual([]);
    expect(queries.length).toBeLessThanOrEqual(3);
    expect(queries.map((q) => q.outcome)).toEqual(["ok", "ok", "ok"]);
  });

  it("gives every check the same answer fused as alone", async () => {
    const suite = fiftyChecks();
    const fused = await runOn(target, "orders", suite, { maxFailingSamples: 0 });
    for (const one of suite) {
      const alone = await runOn(target, "orders", [one], { maxFailingSamples: 0 });
      const a = alone.results.get(one.name);
      const f = fused.results.get(one.name);
      expect({
        name: one.name,
        status: f?.status,
        checked: f?.recordsChecked,
        failed: f?.recordsFailed,
        details: f?.details,
      }).toEqual({
        name: one.name,
        status: a?.status,
        checked: a?.recordsChecked,
        failed: a?.recordsFailed,
        details: a?.details,
      });
    }
  });
});
