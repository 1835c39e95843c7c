// Shared by the config tests: the seed's quality configuration, as every default fills it in.
import type { QualityConfig } from "../src/config/quality.js";

/** The resolved QualityConfig for `provider: floe_sql` with nothing else written. */
export const SEED_QUALITY_CONFIG: QualityConfig = {
  provider: "floe_sql",
  quality_gates: {
    bronze: { min_test_coverage: 0, required_tests: [], min_score: 0, overridable: true },
    silver: {
      min_test_coverage: 80,
      required_tests: ["not_null", "unique"],
      min_score: 75,
      overridable: true,
    },
    gold: {
      min_test_coverage: 100,
      required_tests: ["not_null", "unique", "accepted_values", "relationships"],
      min_score: 90,
      overridable: true,
    },
  },
  dimension_weights: {
    completeness: 0.25,
    accuracy: 0.25,
    validity: 0.2,
    consistency: 0.15,
    timeliness: 0.15,
  },
  calculation: {
    baseline_score: 70,
    max_positive_influence: 30,
    max_negative_influence: 50,
    severity_weights: { critical: 3, warning: 1, info: 0.5 },
  },
  thresholds: { min_score: 70, warn_score: 85 },
  check_timeout_seconds: 300,
  sample_size: 5,
  sensitive_columns: [],
  store_samples: true,
  enabled: true,
  overrides: {},
};
