// The seed's scoring algorithm, exactly (docs/scoring.md). Pure: no clock unless
// none is given, no I/O, no rounding. Summation follows the order of the inputs,
// so a result is reproducible bit for bit and improving one check never lowers
// a score (floating-point addition, multiplication and division are monotone).
import { DIMENSIONS } from "@floe/quality-sdk";
import type {
  CalculationParameters,
  Dimension,
  DimensionWeights,
  QualityConfig,
  SeverityWeights,
} from "../config/quality.js";
import type { CheckStatus, QualityCheckResult, QualityScore } from "../config/results.js";

/**
 * What scoring reads from a check result. Plugin results (`QualityCheckResult`)
 * and dbt test results (`DbtTestResult` from the SDK) both have this shape.
 */
export type ScoredCheck = Pick<QualityCheckResult, "dimension" | "severity" | "status"> & {
  readonly custom_weight?: number | null | undefined;
};

/** The parts of a QualityConfig that scoring reads. */
export type ScoringConfig = Pick<QualityConfig, "dimension_weights" | "calculation">;

export interface ScoreOptions {
  /** dbt test results (from `parseDbtTestResults`); they score as checks and are counted apart. */
  readonly dbtResults?: readonly ScoredCheck[] | undefined;
  readonly modelName?: string | undefined;
  /** The score's timestamp; the current time when omitted. */
  readonly now?: Date | undefined;
}

/** How a status counts: a check that could not run (error, timed out) proves nothing, so it fails. */
const OUTCOME: Readonly<Record<CheckStatus, "pass" | "fail" | "left_out">> = {
  passed: "pass",
  failed: "fail",
  error: "fail",
  timed_out: "fail",
  skipped: "left_out",
};

/** The weight of one check within its dimension: `custom_weight` if set, else its severity's weight. */
export function checkWeight(check: ScoredCheck, severityWeights: SeverityWeights): number {
  return check.custom_weight ?? severityWeights[check.severity];
}

/**
 * Per dimension, the weighted mean of 100 (passed) and 0 (failed) over its
 * checks. A dimension without checks scores 100; so does one whose checks all
 * weigh 0, since it has no weighted evidence either way. Skipped checks are left out.
 *
 * Computed as 100 × (passed weight / total weight): the passed weight is a
 * sub-sum of the total taken in the same order, so the ratio never exceeds 1
 * through rounding and an all-passing dimension scores exactly 100.
 */
export function dimensionScores(
  checks: readonly ScoredCheck[],
  severityWeights: SeverityWeights,
): Record<Dimension, number> {
  const passed = Object.fromEntries(DIMENSIONS.map((d) => [d, 0])) as Record<Dimension, number>;
  const total = Object.fromEntries(DIMENSIONS.map((d) => [d, 0])) as Record<Dimension, number>;
  for (const check of checks) {
    const outcome = OUTCOME[check.status];
    if (outcome === "left_out") continue;
    const weight = checkWeight(check, severityWeights);
    total[check.dimension] += weight;
    if (outcome === "pass") passed[check.dimension] += weight;
  }
  return Object.fromEntries(
    DIMENSIONS.map((d) => [d, total[d] > 0 ? 100 * (passed[d] / total[d]) : 100]),
  ) as Record<Dimension, number>;
}

/**
 * Σ dimension score × dimension weight, then held within
 * [baseline − max_negative_influence, baseline + max_positive_influence], then
 * clamped to [0, 100]. With valid parameters the clamp only catches the
 * rounding a weight sum within 1e-9 of 1 leaves (100.00000000000001).
 */
export function overallScore(
  scores: Readonly<Record<Dimension, number>>,
  dimensionWeights: DimensionWeights,
  calculation: CalculationParameters,
): number {
  let weighted = 0;
  for (const d of DIMENSIONS) weighted += scores[d] * dimensionWeights[d];
  const ceiling = calculation.baseline_score + calculation.max_positive_influence;
  const floor = calculation.baseline_score - calculation.max_negative_influence;
  const capped = Math.min(ceiling, Math.max(floor, weighted));
  return Math.min(100, Math.max(0, capped));
}

interface Tally {
  passed: number;
  failed: number;
}

function tally(checks: readonly ScoredCheck[]): Tally {
  const t: Tally = { passed: 0, failed: 0 };
  for (const check of checks) {
    const outcome = OUTCOME[check.status];
    if (outcome === "pass") t.passed += 1;
    else if (outcome === "fail") t.failed += 1;
  }
  return t;
}

/**
 * The QualityScore of a model's check results, with dbt test results joined as
 * further checks. `checks_passed`/`checks_failed` count the plugin checks only,
 * `dbt_tests_passed`/`dbt_tests_failed` the dbt tests; skipped ones are in
 * neither. Scores are not rounded.
 */
export function calculateQualityScore(
  results: readonly ScoredCheck[],
  config: ScoringConfig,
  options: ScoreOptions = {},
): QualityScore {
  const dbt = options.dbtResults ?? [];
  const scores = dimensionScores([...results, ...dbt], config.calculation.severity_weights);
  const checks = tally(results);
  const dbtTests = tally(dbt);
  return {
    overall: overallScore(scores, config.dimension_weights, config.calculation),
    dimension_scores: scores,
    checks_passed: checks.passed,
    checks_failed: checks.failed,
    dbt_tests_passed: dbtTests.passed,
    dbt_tests_failed: dbtTests.failed,
    model_name: options.modelName ?? "",
    timestamp: (options.now ?? new Date()).toISOString(),
  };
}
