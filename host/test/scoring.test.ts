import { DIMENSIONS } from "@floe/quality-sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CalculationParameters,
  CalculationParametersSchema,
  type Dimension,
  type DimensionWeights,
  DimensionWeightsSchema,
  type Severity,
} from "../src/config/quality.js";
import {
  type CheckStatus,
  type QualityCheckResult,
  QualityCheckResultSchema,
  QualityScoreSchema,
} from "../src/config/results.js";
import {
  calculateQualityScore,
  checkWeight,
  dimensionScores,
  overallScore,
  type ScoredCheck,
  type ScoringConfig,
} from "../src/scoring/index.js";

const defaults: ScoringConfig = {
  dimension_weights: DimensionWeightsSchema.parse({}),
  calculation: CalculationParametersSchema.parse({}),
};

function config(
  weights: Partial<DimensionWeights> = {},
  calculation: Partial<CalculationParameters> = {},
): ScoringConfig {
  return {
    dimension_weights: DimensionWeightsSchema.parse(weights),
    calculation: CalculationParametersSchema.parse(calculation),
  };
}

let serial = 0;
function check(
  dimension: Dimension,
  severity: Severity,
  status: CheckStatus,
  custom_weight: number | null = null,
): QualityCheckResult {
  serial += 1;
  return QualityCheckResultSchema.parse({
    check_name: `check_${serial}`,
    passed: status === "passed",
    dimension,
    severity,
    status,
    custom_weight,
  });
}

const onePerDimension = (status: CheckStatus) =>
  DIMENSIONS.map((d) => check(d, "critical", status));

const NOW = new Date("2026-01-02T03:04:05.000Z");

describe("calculateQualityScore", () => {
  it("scores 100 in every dimension and overall when there are no checks", () => {
    const score = calculateQualityScore([], defaults, { now: NOW, modelName: "orders" });
    expect(score).toEqual({
      overall: 100,
      dimension_scores: {
        completeness: 100,
        accuracy: 100,
        validity: 100,
        consistency: 100,
        timeliness: 100,
      },
      checks_passed: 0,
      checks_failed: 0,
      dbt_tests_passed: 0,
      dbt_tests_failed: 0,
      model_name: "orders",
      timestamp: "2026-01-02T03:04:05.000Z",
    });
    expect(QualityScoreSchema.parse(score)).toEqual(score);
  });

  it("scores 100 when every check passes", () => {
    const score = calculateQualityScore(onePerDimension("passed"), defaults, { now: NOW });
    expect(score.overall).toBe(100);
    expect(score.checks_passed).toBe(5);
    expect(score.checks_failed).toBe(0);
  });

  it("scores 20 with the default parameters when every check fails (baseline 70 − 50)", () => {
    const score = calculateQualityScore(onePerDimension("failed"), defaults, { now: NOW });
    expect(score.dimension_scores).toEqual({
      completeness: 0,
      accuracy: 0,
      validity: 0,
      consistency: 0,
      timeliness: 0,
    });
    expect(score.overall).toBe(20);
    expect(score.checks_failed).toBe(5);
  });

  it("weighs a check by its severity: critical 3, warning 1, info 0.5", () => {
    // validity: critical passed (3) + warning failed (1) → 100 × 3/4 = 75
    // overall = 25 + 25 + 75 × 0.20 + 15 + 15 = 95
    const score = calculateQualityScore(
      [check("validity", "critical", "passed"), check("validity", "warning", "failed")],
      defaults,
    );
    expect(score.dimension_scores.validity).toBe(75);
    expect(score.overall).toBe(95);
  });

  it("uses custom_weight instead of the severity weight when set", () => {
    // completeness: critical passed (3) + failed with custom_weight 9 → 100 × 3/12 = 25
    // overall = 25 × 0.25 + 100 × 0.25 + 100 × 0.20 + 100 × 0.15 + 100 × 0.15 = 81.25
    const results = [
      check("completeness", "critical", "passed"),
      check("completeness", "critical", "failed", 9),
    ];
    const score = calculateQualityScore(results, defaults);
    expect(score.dimension_scores.completeness).toBe(25);
    expect(score.overall).toBe(81.25);
    // the same failure at its severity weight (3): 100 × 3/6 = 50 → 12.5 + 75 = 87.5
    const bySeverity = calculateQualityScore(
      [check("completeness", "critical", "passed"), check("completeness", "critical", "failed")],
      defaults,
    );
    expect(bySeverity.overall).toBe(87.5);
  });

  it("applies non-default dimension weights", () => {
    // completeness 0, accuracy 100, validity 0, consistency and timeliness empty (100)
    const results = [
      check("completeness", "critical", "failed"),
      check("accuracy", "critical", "passed"),
      check("validity", "critical", "failed"),
    ];
    // defaults: 0 × 0.25 + 100 × 0.25 + 0 × 0.20 + 100 × 0.15 + 100 × 0.15 = 55
    expect(calculateQualityScore(results, defaults).overall).toBe(55);
    // {0.5, 0.5, 0, 0, 0}: 0 × 0.5 + 100 × 0.5 = 50
    const halves = config({
      completeness: 0.5,
      accuracy: 0.5,
      validity: 0,
      consistency: 0,
      timeliness: 0,
    });
    expect(calculateQualityScore(results, halves).overall).toBe(50);
  });

  it("caps a high score at baseline + max_positive_influence", () => {
    // all pass: weighted 100, ceiling 50 + 30 = 80
    const capped = config({}, { baseline_score: 50, max_positive_influence: 30 });
    expect(calculateQualityScore(onePerDimension("passed"), capped).overall).toBe(80);
  });

  it("caps a low score at baseline − max_negative_influence", () => {
    // all fail: weighted 0, floor 70 − 10 = 60
    const capped = config({}, { max_negative_influence: 10 });
    expect(calculateQualityScore(onePerDimension("failed"), capped).overall).toBe(60);
    // half of the weight failing: weighted 0 × 0.25 + 0 × 0.25 + 100 × 0.5 = 50 ≥ floor 20, kept
    const partial = [check("completeness", "info", "failed"), check("accuracy", "info", "failed")];
    expect(calculateQualityScore(partial, defaults).overall).toBe(50);
  });

  it("clamps to [0, 100] when the influence bounds reach past them", () => {
    // weights summing to 1 + 5e-10 are accepted (tolerance 1e-9); all pass weighs
    // 100.00000005, under the ceiling 90 + 30 = 120, so the clamp decides: 100
    const wide = config(
      { completeness: 0.2500000005 },
      { baseline_score: 90, max_positive_influence: 30 },
    );
    expect(calculateQualityScore(onePerDimension("passed"), wide).overall).toBe(100);
    // floor 10 − 50 = −40; all fail weighs 0: the score is 0, never negative
    const low = config({}, { baseline_score: 10, max_negative_influence: 50 });
    expect(calculateQualityScore(onePerDimension("failed"), low).overall).toBe(0);
  });

  it("leaves skipped checks out of scores and counts", () => {
    const results = [
      check("completeness", "critical", "passed"),
      check("completeness", "critical", "skipped"),
      check("accuracy", "warning", "skipped"),
    ];
    const score = calculateQualityScore(results, defaults);
    expect(score.dimension_scores.completeness).toBe(100);
    expect(score.dimension_scores.accuracy).toBe(100);
    expect(score.overall).toBe(100);
    expect(score.checks_passed).toBe(1);
    expect(score.checks_failed).toBe(0);
  });

  it("counts error and timed_out checks as failed", () => {
    // accuracy: 2 passed, 1 error, 1 timed out, all warning (1) → 100 × 2/4 = 50
    // overall = 25 + 50 × 0.25 + 20 + 15 + 15 = 87.5
    const results = [
      check("accuracy", "warning", "passed"),
      check("accuracy", "warning", "error"),
      check("accuracy", "warning", "timed_out"),
      check("accuracy", "warning", "passed"),
    ];
    const score = calculateQualityScore(results, defaults);
    expect(score.dimension_scores.accuracy).toBe(50);
    expect(score.overall).toBe(87.5);
    expect(score.checks_passed).toBe(2);
    expect(score.checks_failed).toBe(2);
  });

  it("joins dbt test results as checks and counts them apart", () => {
    // completeness: plugin check passed; consistency: dbt unique failed;
    // validity: dbt accepted_values passed; one skipped dbt test is left out
    // overall = 25 + 25 + 20 + 0 × 0.15 + 15 = 85
    const dbtResults: ScoredCheck[] = [
      { dimension: "consistency", severity: "critical", status: "failed" },
      { dimension: "validity", severity: "warning", status: "passed" },
      { dimension: "timeliness", severity: "critical", status: "skipped" },
    ];
    const score = calculateQualityScore([check("completeness", "critical", "passed")], defaults, {
      dbtResults,
    });
    expect(score.dimension_scores.consistency).toBe(0);
    expect(score.overall).toBe(85);
    expect(score.checks_passed).toBe(1);
    expect(score.checks_failed).toBe(0);
    expect(score.dbt_tests_passed).toBe(1);
    expect(score.dbt_tests_failed).toBe(1);
  });

  it("scores a dimension whose checks all weigh 0 as 100", () => {
    const free = config({}, { severity_weights: { critical: 3, warning: 1, info: 0 } });
    const score = calculateQualityScore([check("timeliness", "info", "failed")], free);
    expect(score.dimension_scores.timeliness).toBe(100);
    expect(score.overall).toBe(100);
  });
});

describe("checkWeight", () => {
  it("is the custom weight when set, else the severity weight", () => {
    const weights = defaults.calculation.severity_weights;
    expect(checkWeight(check("validity", "info", "passed"), weights)).toBe(0.5);
    expect(checkWeight(check("validity", "info", "passed", 7), weights)).toBe(7);
  });
});

describe("overallScore", () => {
  it("is the dimension-weighted sum inside the influence bounds", () => {
    const scores = {
      completeness: 80,
      accuracy: 60,
      validity: 100,
      consistency: 40,
      timeliness: 0,
    };
    // 80 × 0.25 + 60 × 0.25 + 100 × 0.20 + 40 × 0.15 + 0 × 0.15 = 20 + 15 + 20 + 6 + 0 = 61
    expect(overallScore(scores, defaults.dimension_weights, defaults.calculation)).toBe(61);
  });
});

// ---- properties ----

const statusArb = fc.constantFrom<CheckStatus>("passed", "failed", "error", "skipped", "timed_out");
const checkArb: fc.Arbitrary<ScoredCheck> = fc.record({
  dimension: fc.constantFrom(...DIMENSIONS),
  severity: fc.constantFrom<Severity>("critical", "warning", "info"),
  status: statusArb,
  custom_weight: fc.option(fc.double({ min: 0.1, max: 10, noNaN: true }), { nil: null }),
});
const percentArb = fc.double({ min: 0, max: 100, noNaN: true });
const configArb: fc.Arbitrary<ScoringConfig> = fc
  .record({
    raw: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
    baseline_score: percentArb,
    max_positive_influence: percentArb,
    max_negative_influence: percentArb,
    severity: fc.array(fc.double({ min: 0, max: 10, noNaN: true }), {
      minLength: 3,
      maxLength: 3,
    }),
  })
  .filter((r) => r.raw.reduce((a, b) => a + b, 0) > 0.01)
  .map((r) => {
    const sum = r.raw.reduce((a, b) => a + b, 0);
    const w = r.raw.map((x) => x / sum);
    return {
      dimension_weights: DimensionWeightsSchema.parse(
        Object.fromEntries(DIMENSIONS.map((d, i) => [d, w[i]])),
      ),
      calculation: CalculationParametersSchema.parse({
        baseline_score: r.baseline_score,
        max_positive_influence: r.max_positive_influence,
        max_negative_influence: r.max_negative_influence,
        severity_weights: { critical: r.severity[0], warning: r.severity[1], info: r.severity[2] },
      }),
    };
  });

describe("scoring properties", () => {
  it("keeps the overall and every dimension score within [0, 100]", () => {
    fc.assert(
      fc.property(fc.array(checkArb, { maxLength: 40 }), configArb, (checks, cfg) => {
        const score = calculateQualityScore(checks, cfg, { now: NOW });
        expect(score.overall).toBeGreaterThanOrEqual(0);
        expect(score.overall).toBeLessThanOrEqual(100);
        for (const d of DIMENSIONS) {
          expect(score.dimension_scores[d]).toBeGreaterThanOrEqual(0);
          expect(score.dimension_scores[d]).toBeLessThanOrEqual(100);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("never lowers a score when one failed check turns into a passed one", () => {
    const failing = new Set<CheckStatus>(["failed", "error", "timed_out"]);
    fc.assert(
      fc.property(
        fc.array(checkArb, { minLength: 1, maxLength: 40 }),
        configArb,
        fc.nat(),
        (checks, cfg, pick) => {
          const failed = checks.flatMap((c, i) => (failing.has(c.status) ? [i] : []));
          fc.pre(failed.length > 0);
          const index = failed[pick % failed.length] as number;
          const improved = checks.map((c, i) =>
            i === index ? { ...c, status: "passed" as const } : c,
          );
          const before = calculateQualityScore(checks, cfg, { now: NOW });
          const after = calculateQualityScore(improved, cfg, { now: NOW });
          expect(after.overall).toBeGreaterThanOrEqual(before.overall);
          for (const d of DIMENSIONS) {
            expect(after.dimension_scores[d]).toBeGreaterThanOrEqual(before.dimension_scores[d]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("scores dbt results exactly as the same checks given as plugin results", () => {
    fc.assert(
      fc.property(fc.array(checkArb, { maxLength: 20 }), configArb, (checks, cfg) => {
        const asPlugin = calculateQualityScore(checks, cfg, { now: NOW });
        const asDbt = calculateQualityScore([], cfg, { now: NOW, dbtResults: checks });
        expect(asDbt.overall).toBe(asPlugin.overall);
        expect(asDbt.dbt_tests_passed).toBe(asPlugin.checks_passed);
        expect(asDbt.dbt_tests_failed).toBe(asPlugin.checks_failed);
      }),
      { numRuns: 200 },
    );
  });
});

describe("dimensionScores", () => {
  it("scores exactly 100 for an all-passing dimension whatever the weights", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (weights) => {
          const checks = weights.map((w) => check("validity", "info", "passed", w));
          expect(dimensionScores(checks, defaults.calculation.severity_weights).validity).toBe(100);
        },
      ),
    );
  });
});
