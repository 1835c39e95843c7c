import { describe, expect, it } from "vitest";
import {
  DimensionWeightsSchema,
  GateTierSchema,
  QualityConfigSchema,
  QualityGatesSchema,
} from "../src/config/quality.js";
import { SEED_QUALITY_CONFIG } from "./config-support.js";

function issues(result: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return result.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("QualityConfig schema", () => {
  it("fills every seed default around a provider", () => {
    expect(QualityConfigSchema.parse({ provider: "floe_sql" })).toEqual(SEED_QUALITY_CONFIG);
  });

  it("keeps a tier's own defaults for the fields a partial tier omits", () => {
    const gates = QualityGatesSchema.parse({ silver: { min_score: 60 } });
    expect(gates.silver).toEqual({
      min_test_coverage: 80,
      required_tests: ["not_null", "unique"],
      min_score: 60,
      overridable: true,
    });
    expect(GateTierSchema.parse({})).toEqual({
      min_test_coverage: 0,
      required_tests: [],
      min_score: 0,
      overridable: true,
    });
  });

  it("names the actual sum when dimension weights do not sum to 1", () => {
    expect(issues(DimensionWeightsSchema.safeParse({ completeness: 0.15 }))).toEqual([
      ": dimension weights sum to 0.9, not 1",
    ]);
    expect(issues(DimensionWeightsSchema.safeParse({ accuracy: 0.35 }))).toEqual([
      ": dimension weights sum to 1.1, not 1",
    ]);
  });

  it("accepts weights within 1e-9 of summing to 1", () => {
    expect(DimensionWeightsSchema.safeParse({ completeness: 0.2500000005 }).success).toBe(true);
    expect(DimensionWeightsSchema.safeParse({ completeness: 0.250000002 }).success).toBe(false);
  });

  it("rejects negative weights, out-of-range parameters and unknown keys", () => {
    expect(
      issues(
        QualityConfigSchema.safeParse({
          provider: "floe_sql",
          dimension_weights: { completeness: -0.25, accuracy: 0.75 },
          calculation: { baseline_score: 120, severity_weights: { critical: -1 } },
          thresholds: { min_scor: 50 },
        }),
      ),
    ).toEqual([
      "dimension_weights.completeness: Too small: expected number to be >=0",
      "calculation.baseline_score: Too big: expected number to be <=100",
      "calculation.severity_weights.critical: Too small: expected number to be >=0",
      'thresholds: Unrecognized key: "min_scor"',
    ]);
  });

  it("requires a provider", () => {
    expect(issues(QualityConfigSchema.safeParse({}))).toEqual([
      "provider: Invalid input: expected string, received undefined",
    ]);
  });
});
