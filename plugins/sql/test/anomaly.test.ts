// Anomaly checks on the known-defect orders table (a real DuckDB file and a
// real PostgreSQL database): each metric measured in the fused scan, judged
// against the history the host hands over, skipped while it is short.
import { contract } from "@floe/quality-sdk";
import { describe, expect, it } from "vitest";
import { check, runOn, useEngines } from "./harness.js";

const engines = useEngines();

/** Seven earlier values around `around` (±1 %): a steady history. */
const steady = (around: number) => [0.99, 1, 1.01, 1, 0.995, 1.005, 1].map((f) => f * around);

const SUITE = [
  check("rows_usual", "anomaly", "", { metric: "row_count", history: steady(8) }),
  check("rows_doubled", "anomaly", "", { metric: "row_count", history: steady(4) }),
  check("rows_short", "anomaly", "", { metric: "row_count", history: [8, 8, 8] }),
  check("email_nulls", "anomaly", "", {
    metric: "null_fraction",
    metric_column: "email",
    history: steady(0.125),
  }),
  check("qty_mean_jump", "anomaly", "", {
    metric: "mean",
    metric_column: "qty",
    history: steady(2),
  }),
  check("status_distinct", "anomaly", "", {
    metric: "distinct_count",
    metric_column: "status",
    history: steady(4),
  }),
  check("created_freshness", "anomaly", "", {
    metric: "freshness",
    metric_column: "created_at",
    history: [1, 2, 3],
    min_history: 3,
  }),
];

describe.each(engines)("anomaly checks on $name", (target) => {
  it("measures each metric in the scan and judges it against the given history", async () => {
    const before = Date.now() / 1000;
    const { results, queries } = await runOn(target, "orders", SUITE);
    const after = Date.now() / 1000;
    const got = (name: string) => {
      const r = results.get(name)!;
      return { status: r.status, observed: r.details?.observed_value, message: r.errorMessage };
    };
    const {
      CHECK_STATUS_PASSED: PASSED,
      CHECK_STATUS_FAILED: FAILED,
      CHECK_STATUS_SKIPPED: SKIPPED,
    } = contract.CheckStatus;
    expect(got("rows_usual")).toMatchObject({ status: PASSED, observed: 8 });
    expect(got("rows_doubled")).toMatchObject({ status: FAILED, observed: 8 });
    expect(results.get("rows_doubled")!.details?.relative_change).toBe(1);
    expect(got("rows_short")).toEqual({
      status: SKIPPED,
      observed: 8,
      message: "history too short: 3 earlier run(s), the check needs 7 (min_history)",
    });
    expect(got("email_nulls")).toMatchObject({ status: PASSED, observed: 0.125 });
    // qty 1..7 and a null: mean 4 against a history of 2.
    expect(got("qty_mean_jump")).toMatchObject({ status: FAILED, observed: 4 });
    expect(got("status_distinct")).toMatchObject({ status: PASSED, observed: 4 });
    // The newest created_at is 2024-01-07 00:00:00: seconds since then, far above 1..3.
    const fresh = got("created_freshness");
    expect(fresh.status).toBe(FAILED);
    const newest = Date.UTC(2024, 0, 7) / 1000;
    expect(fresh.observed).toBeGreaterThanOrEqual(Math.floor(before - newest) - 1);
    expect(fresh.observed).toBeLessThanOrEqual(Math.ceil(after - newest) + 1);
    // One fused scan for every anomaly check (no statement of their own).
    expect(queries.filter((q) => /COUNT\(DISTINCT/.test(q.sql))).toHaveLength(1);
  });
});
