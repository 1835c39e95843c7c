// The anomaly rule (judgeAnomaly) and the anomaly check's parameters in the vocabulary.
import { describe, expect, it } from "vitest";
import { judgeAnomaly, lookupCheckType } from "../src/index.js";

describe("judgeAnomaly", () => {
  it("is skipped while the history is shorter than min_history", () => {
    expect(judgeAnomaly(10, [10, 11, 9, 10, 10, 12])).toEqual({
      status: "skipped",
      reason: "history too short: 6 earlier run(s), the check needs 7 (min_history)",
      details: { observed_value: 10, history_length: 6 },
    });
  });

  it("scores with the median absolute deviation", () => {
    // median 100, deviations [0, 2, 2, 4, 4, 6, 6] → MAD 4; z = 0.6745 · 30 / 4.
    const history = [94, 96, 98, 100, 102, 104, 106];
    const judged = judgeAnomaly(130, history);
    expect(judged.status).toBe("failed");
    expect(judged.details).toEqual({
      observed_value: 130,
      history_length: 7,
      median: 100,
      mad: 4,
      robust_z: (0.6745 * 30) / 4,
      relative_change: 0.3,
    });
    // z 4.72 > 3.5, but a 3 % change is within min_relative_change 0.1: not an anomaly.
    expect(judgeAnomaly(103, [99.4, 99.6, 99.8, 100, 100.2, 100.4, 100.6]).status).toBe("passed");
    expect(judgeAnomaly(110, history).status).toBe("passed");
  });

  it("falls back to the mean absolute deviation when MAD is 0, and to an unbounded z for a constant history", () => {
    // median 20, deviations [0, 0, 0, 0, 1, 1, 2]: MAD 0, MeanAD 4/7.
    const judged = judgeAnomaly(10, [20, 21, 19, 20, 20, 22, 20]);
    expect(judged.status).toBe("failed");
    expect(judged.details.robust_z).toBeCloseTo(-10 / (1.253314 * (4 / 7)), 12);
    expect(judged.details.relative_change).toBe(0.5);
    const constant = judgeAnomaly(12, [10, 10, 10, 10, 10, 10, 10]);
    expect(constant).toMatchObject({
      status: "failed",
      details: { median: 10, mad: 0, robust_z: null, relative_change: 0.2 },
    });
    expect(judgeAnomaly(10, [10, 10, 10, 10, 10, 10, 10]).details.robust_z).toBe(0);
  });

  it("uses only the newest lookback_runs values and the parameters given", () => {
    const old = Array.from({ length: 20 }, () => 1000);
    const recent = [500, 505, 495, 500, 502, 498, 500];
    // Back to 1000: an anomaly against the last 7 runs, the median of the last 27.
    expect(judgeAnomaly(1000, [...old, ...recent], { lookback_runs: 7 }).status).toBe("failed");
    expect(judgeAnomaly(1000, [...old, ...recent], { lookback_runs: 27 }).status).toBe("passed");
    expect(judgeAnomaly(130, [94, 96, 98, 100, 102, 104, 106], { max_z: 6 }).status).toBe("passed");
    expect(
      judgeAnomaly(130, [94, 96, 98, 100, 102, 104, 106], { min_relative_change: 0.5 }).status,
    ).toBe("passed");
    expect(judgeAnomaly(10, [10, 10, 10], { min_history: 3 }).status).toBe("passed");
  });
});

describe("the anomaly check's parameters", () => {
  const parameters = lookupCheckType("anomaly")!.parameters;
  const issues = (p: Record<string, unknown>) =>
    parameters.safeParse(p).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];

  it("need metric_column for a column metric and refuse it for row_count", () => {
    expect(issues({ metric: "row_count" })).toEqual([]);
    expect(issues({ metric: "mean" })).toEqual([
      "metric_column: metric mean is measured on a column: give metric_column",
    ]);
    expect(issues({ metric: "row_count", metric_column: "id" })).toEqual([
      "metric_column: metric row_count counts the table's rows: drop metric_column",
    ]);
    expect(issues({ metric: "median", metric_column: "id" })).toHaveLength(1);
    expect(issues({ metric: "row_count", min_history: 10, lookback_runs: 5 })).toEqual([
      "min_history: min_history 10 is above lookback_runs 5: the check could never run",
    ]);
  });

  it("is run by floe_sql and declined by the other shipped plugins", () => {
    const spec = lookupCheckType("anomaly")!;
    expect(spec.plugins.floe_sql).toBe("runs");
    expect(spec.plugins.great_expectations).toEqual({
      declines: "needs the run history the host keeps; run anomaly checks with floe_sql",
    });
    expect(spec.plugins.dbt_expectations).toEqual(spec.plugins.great_expectations);
  });
});
