// The quality configuration schemas: the seed's entities, snake_case fields and
// defaults. These zod schemas are the single source of truth for config files;
// the TypeScript types are derived from them.
import { DIMENSIONS, SEVERITIES } from "@floe/quality-sdk";
import { z } from "zod";
import { addFloeIssue } from "./issue.js";

export const DimensionSchema = z.enum(DIMENSIONS);
export type Dimension = z.infer<typeof DimensionSchema>;

export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

/** How far a dimension-weight sum may stray from 1 (floating-point slack only). */
export const WEIGHT_SUM_TOLERANCE = 1e-9;

const weight = z.number().min(0).max(1);

/** The most failing values a check may keep. */
export const MAX_SAMPLE_SIZE = 100;
const percent = z.number().min(0).max(100);

/** 0.30000000000000004 → "0.3": the sum a person would have written. */
function formatWeightSum(sum: number): string {
  return String(Number(sum.toPrecision(12)));
}

/** Reports FLOE-DQ100 when all five weights are numbers and do not sum to 1. */
export function refineWeightSum(
  weights: Record<string, unknown>,
  ctx: z.core.$RefinementCtx<unknown>,
): void {
  // A mistyped or missing weight is reported elsewhere (or filled by a later layer);
  // a sum over it would only add noise.
  if (!DIMENSIONS.every((d) => typeof weights[d] === "number")) return;
  const sum = DIMENSIONS.reduce((total, d) => total + (weights[d] as number), 0);
  if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) {
    addFloeIssue(
      ctx,
      "FLOE-DQ100",
      `dimension weights sum to ${formatWeightSum(sum)}, not 1`,
      [],
      "Make completeness, accuracy, validity, consistency and timeliness sum to 1.",
    );
  }
}

export const DimensionWeightsSchema = z
  .strictObject({
    completeness: weight.default(0.25),
    accuracy: weight.default(0.25),
    validity: weight.default(0.2),
    consistency: weight.default(0.15),
    timeliness: weight.default(0.15),
  })
  .superRefine(refineWeightSum);
export type DimensionWeights = z.infer<typeof DimensionWeightsSchema>;

export const SeverityWeightsSchema = z.strictObject({
  critical: z.number().nonnegative().default(3.0),
  warning: z.number().nonnegative().default(1.0),
  info: z.number().nonnegative().default(0.5),
});
export type SeverityWeights = z.infer<typeof SeverityWeightsSchema>;

export const CalculationParametersSchema = z.strictObject({
  baseline_score: percent.default(70),
  max_positive_influence: percent.default(30),
  max_negative_influence: percent.default(50),
  severity_weights: SeverityWeightsSchema.prefault({}),
});
export type CalculationParameters = z.infer<typeof CalculationParametersSchema>;

export const QualityThresholdsSchema = z.strictObject({
  min_score: percent.default(70),
  warn_score: percent.default(85),
});
export type QualityThresholds = z.infer<typeof QualityThresholdsSchema>;

interface TierDefaults {
  min_test_coverage: number;
  required_tests: readonly string[];
  min_score: number;
}

/**
 * A gate tier whose omitted fields take `defaults`: a partially written `silver`
 * keeps silver's other settings rather than bronze's.
 */
function gateTierSchema(defaults: TierDefaults) {
  return z.strictObject({
    min_test_coverage: percent.default(defaults.min_test_coverage),
    required_tests: z.array(z.string().min(1)).default(() => [...defaults.required_tests]),
    min_score: percent.default(defaults.min_score),
    overridable: z.boolean().default(true),
  });
}

export const TIER_DEFAULTS = {
  bronze: { min_test_coverage: 0, required_tests: [], min_score: 0 },
  silver: { min_test_coverage: 80, required_tests: ["not_null", "unique"], min_score: 75 },
  gold: {
    min_test_coverage: 100,
    required_tests: ["not_null", "unique", "accepted_values", "relationships"],
    min_score: 90,
  },
} as const satisfies Record<string, TierDefaults>;

export const GateTierSchema = gateTierSchema(TIER_DEFAULTS.bronze);
export type GateTier = z.infer<typeof GateTierSchema>;

export const TIERS = ["bronze", "silver", "gold"] as const;
export const TierSchema = z.enum(TIERS);
export type Tier = z.infer<typeof TierSchema>;

export const QualityGatesSchema = z.strictObject({
  bronze: gateTierSchema(TIER_DEFAULTS.bronze).prefault({}),
  silver: gateTierSchema(TIER_DEFAULTS.silver).prefault({}),
  gold: gateTierSchema(TIER_DEFAULTS.gold).prefault({}),
});
export type QualityGates = z.infer<typeof QualityGatesSchema>;

export const OverrideConfigSchema = z.strictObject({
  overridable: z.boolean().default(true),
});
export type OverrideConfig = z.infer<typeof OverrideConfigSchema>;

export const QualityConfigSchema = z.strictObject({
  provider: z.string().min(1),
  quality_gates: QualityGatesSchema.prefault({}),
  dimension_weights: DimensionWeightsSchema.prefault({}),
  calculation: CalculationParametersSchema.prefault({}),
  thresholds: QualityThresholdsSchema.prefault({}),
  check_timeout_seconds: z.number().int().positive().default(300),
  enabled: z.boolean().default(true),
  /** Failing values kept per failed check (details.failing_samples); 0 asks for none. */
  sample_size: z.number().int().min(0).max(MAX_SAMPLE_SIZE).default(5),
  /**
   * Columns whose values never leave the host as written: `email` (any model) or
   * `customers.email`. Their samples are replaced by a stable keyed hash.
   */
  sensitive_columns: z.array(z.string().min(1)).default(() => []),
  /**
   * `false`: failing samples are shown on the terminal of `floe-quality run` only,
   * never written to JSON, JUnit, lineage or gRPC outcomes.
   */
  store_samples: z.boolean().default(true),
  overrides: z.record(z.string(), OverrideConfigSchema).default(() => ({})),
});
export type QualityConfig = z.infer<typeof QualityConfigSchema>;
/** A QualityConfig as written in a file, before defaults are filled in. */
export type QualityConfigInput = z.input<typeof QualityConfigSchema>;
