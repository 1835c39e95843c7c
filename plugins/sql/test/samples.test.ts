// Failing samples without a scan per failed check on DuckDB: the failed row-level
// checks of a fused scan are sampled together in one more statement (one scan of
// the relation), the failed set checks in one more statement; on PostgreSQL one
// statement per failed check, run concurrently. Every check gets the same samples
// as when it is sampled alone.
import { describe, expect, it } from "vitest";
import {
  parseRelation,
  resolveCheck,
  sampleStatement,
  samplesStatement,
} from "../src/compile/index.js";
import { check, runOn, useEngines } from "./harness.js";

const engines = useEngines();

const ROW_CHECKS = [
  check("customer_not_null", "not_null", "customer_id"),
  check("status_accepted", "accepted_values", "status", {
    values: ["shipped", "pending", "cancelled"],
  }),
  check("status_not_cancelled", "not_accepted_values", "status", { values: ["cancelled"] }),
  check("amount_between", "between", "amount", { min_value: 0, max_value: 100 }),
  check("amount_strict", "between", "amount", { min_value: 10.5, max_value: 50, strictly: true }),
  check("email_regex", "regex", "email", { regex: "^[^@]+@[^@]+\\.com$" }),
  check("status_length", "length_between", "status", { min_value: 6, max_value: 7 }),
  check("shipped_not_before_created", "pair_greater_than", "", {
    column_a: "shipped_at",
    column_b: "created_at",
    or_equal: true,
  }),
  check("shipped_after_created", "pair_greater_than", "", {
    column_a: "shipped_at",
    column_b: "created_at",
  }),
  check("big_qty_amount", "between", "amount", {
    min_value: 0,
    max_value: 45,
    row_condition: "qty > 3",
  }),
  check("amount_positive", "expression_is_true", "", { expression: "amount >= 0" }),
  check("id_not_null", "not_null", "id"),
  check("qty_max", "max_between", "qty", { max_value: 7 }),
];

const SET_CHECKS = [
  check("id_unique", "unique", "id"),
  check("email_unique", "unique", "email"),
  check("customer_status_unique", "compound_unique", "", { columns: ["customer_id", "status"] }),
  check("customer_fk", "relationships", "customer_id", { to: "customers", field: "id" }),
  check("pending_unique_ids", "unique", "id", { row_condition: "status = 'pending'" }),
];

const samplesOf = (results: Map<string, { details?: Record<string, unknown> }>) =>
  Object.fromEntries(
    [...results].map(([name, r]) => [name, r.details?.failing_samples]).filter(([, s]) => s),
  );

describe.each(engines)("failing samples on $name", (target) => {
  const amount = (duck: string, pg: string) => (target.name === "duckdb" ? duck : pg);
  // DuckDB samples a statement's failed checks in one shared statement; PostgreSQL,
  // which would run that on one process, in one statement per check (see dialect.ts).
  const statements = (duck: number, pg: number) => (target.name === "duckdb" ? duck : pg);
  const allOk = (n: number) => Array.from({ length: n }, () => "ok");

  it("samples every failed row check of the fused scan in one more statement (DuckDB) or one each (PostgreSQL)", async () => {
    const { results, queries } = await runOn(target, "orders", ROW_CHECKS);
    expect(queries.map((q) => q.outcome)).toEqual(allOk(statements(2, 10)));
    if (target.name === "duckdb") expect(queries[1]?.sql.match(/\bFROM "orders"/g)).toHaveLength(1);
    expect(results.size).toBe(ROW_CHECKS.length);
    expect(samplesOf(results)).toEqual({
      status_accepted: ["unknown"],
      status_not_cancelled: ["cancelled"],
      amount_between: [amount("-5.0", "-5"), amount("1000.0", "1000")],
      amount_strict: [
        amount("-5.0", "-5"),
        amount("10.5", "10.5"),
        amount("1000.0", "1000"),
        amount("50.0", "50"),
      ],
      email_regex: ["not-an-email"],
      status_length: ["cancelled"],
      shipped_not_before_created: [
        { shipped_at: "2024-01-03 00:00:00", created_at: "2024-01-04 00:00:00" },
      ],
      shipped_after_created: [
        { shipped_at: "2024-01-03 00:00:00", created_at: "2024-01-04 00:00:00" },
        { shipped_at: "2024-01-05 00:00:00", created_at: "2024-01-05 00:00:00" },
      ],
      big_qty_amount: [amount("-5.0", "-5"), amount("1000.0", "1000")],
    });
    expect(results.get("customer_not_null")?.recordsFailed).toBe(1);
    expect(results.get("amount_positive")?.recordsFailed).toBe(1);
  });

  it("keeps the smallest values up to max_failing_samples for each check", async () => {
    const { results, queries } = await runOn(target, "orders", ROW_CHECKS, {
      maxFailingSamples: 1,
    });
    expect(queries).toHaveLength(statements(2, 10));
    expect(samplesOf(results)).toEqual({
      status_accepted: ["unknown"],
      status_not_cancelled: ["cancelled"],
      amount_between: [amount("-5.0", "-5")],
      amount_strict: [amount("-5.0", "-5")],
      email_regex: ["not-an-email"],
      status_length: ["cancelled"],
      shipped_not_before_created: [
        { shipped_at: "2024-01-03 00:00:00", created_at: "2024-01-04 00:00:00" },
      ],
      shipped_after_created: [
        { shipped_at: "2024-01-03 00:00:00", created_at: "2024-01-04 00:00:00" },
      ],
      big_qty_amount: [amount("-5.0", "-5")],
    });
  });

  it("samples every failed set check in one more statement (DuckDB) or one each (PostgreSQL)", async () => {
    const { results, queries } = await runOn(target, "orders", SET_CHECKS);
    expect(queries.map((q) => q.outcome)).toEqual(allOk(statements(2, 5)));
    expect(samplesOf(results)).toEqual({
      id_unique: ["7"],
      email_unique: ["a@x.com"],
      customer_status_unique: [{ customer_id: "2", status: "shipped" }],
      customer_fk: ["98", "99"],
    });
    expect(results.get("pending_unique_ids")?.passed).toBe(true);
  });

  it("runs a mixed suite in scan, set batch, column list and one sample statement per batch (DuckDB) or per failed check (PostgreSQL)", async () => {
    const suite = [...ROW_CHECKS, ...SET_CHECKS, check("email_exists", "column_exists", "email")];
    const { results, queries } = await runOn(target, "orders", suite);
    expect(results.size).toBe(suite.length);
    expect(queries.map((q) => q.outcome)).toEqual(allOk(statements(5, 16)));
    expect(queries.filter((q) => q.sql.startsWith("WITH f AS MATERIALIZED"))).toHaveLength(
      statements(1, 0),
    );
  });

  it("gives each check the samples it gets when sampled alone", async () => {
    for (const limit of [1, 2, 5]) {
      const suite = [...ROW_CHECKS, ...SET_CHECKS];
      const together = await runOn(target, "orders", suite, { maxFailingSamples: limit });
      const engine = await target.open();
      try {
        const ctx = {
          dialect: engine.dialect,
          relation: parseRelation("orders"),
          defaultSchema: engine.defaultSchema,
        };
        let compared = 0;
        for (const [index, one] of suite.entries()) {
          const resolution = resolveCheck(one, index);
          if (!resolution.ok) throw new Error(one.name);
          const alone = sampleStatement(resolution.check, limit, new Set(), ctx);
          const result = together.results.get(one.name);
          if (alone === null || result?.passed !== false) {
            expect(result?.details?.failing_samples).toBeUndefined();
            continue;
          }
          const rows = await engine.query(alone.statement);
          const expected =
            alone.columns.length === 1
              ? rows.map((r) => r.v ?? r.v0)
              : rows.map((r) => Object.fromEntries(alone.columns.map((c, i) => [c, r[`v${i}`]])));
          expect({ name: one.name, samples: result.details?.failing_samples }).toEqual({
            name: one.name,
            samples: expected,
          });
          compared++;
        }
        expect(compared).toBe(13);
      } finally {
        await engine.close();
      }
    }
  });

  it("gives the same samples when common failures read the relation in branches of their own", async () => {
    const suite = [...ROW_CHECKS, ...SET_CHECKS];
    const resolved = suite.map((one, index) => {
      const resolution = resolveCheck(one, index);
      if (!resolution.ok) throw new Error(one.name);
      return resolution.check;
    });
    const engine = await target.open();
    try {
      const ctx = {
        dialect: engine.dialect,
        relation: parseRelation("orders"),
        defaultSchema: engine.defaultSchema,
      };
      const read = async (failedRows: Map<number, number>) => {
        const planned = samplesStatement(resolved, 2, new Set(), ctx, failedRows);
        if (planned === null) throw new Error("nothing sampled");
        return {
          sql: planned.statement.sql,
          samples: planned.read(await engine.query(planned.statement)),
        };
      };
      const shared = await read(new Map());
      const own = await read(new Map(resolved.map((c) => [c.index, 10_000])));
      expect(shared.sql.startsWith("WITH f AS MATERIALIZED")).toBe(true);
      expect(own.sql).not.toContain("WITH f");
      expect(own.sql.match(/\bFROM "orders" WHERE/g)).toHaveLength(13);
      expect(own.samples).toEqual(shared.samples);
      expect(shared.samples.size).toBe(14);
      const byName = new Map(suite.map((one, i) => [one.name, i]));
      expect(shared.samples.get(byName.get("amount_strict") ?? -1)).toEqual([
        target.name === "duckdb" ? "-5.0" : "-5",
        "10.5",
      ]);
    } finally {
      await engine.close();
    }
  });

  it("never samples a sensitive column and leaves the other checks' samples unchanged", async () => {
    const { results, queries } = await runOn(target, "orders", ROW_CHECKS, {
      sensitiveColumns: ["amount", "shipped_at"],
    });
    expect(queries).toHaveLength(statements(2, 5));
    for (const sample of queries.slice(1)) {
      expect(sample.sql).not.toContain('"amount"');
      expect(sample.sql).not.toContain('"shipped_at"');
    }
    expect(samplesOf(results)).toEqual({
      status_accepted: ["unknown"],
      status_not_cancelled: ["cancelled"],
      email_regex: ["not-an-email"],
      status_length: ["cancelled"],
    });
  });

  it("issues no sample statement when no failed check has values to show", async () => {
    const { results, queries } = await runOn(target, "orders", [
      check("customer_not_null", "not_null", "customer_id"),
      check("amount_positive", "expression_is_true", "", { expression: "amount >= 0" }),
      check("nope_exists", "column_exists", "nope"),
    ]);
    expect(queries).toHaveLength(2);
    expect([...results.values()].map((r) => r.passed)).toEqual([false, false, false]);
  });
});
