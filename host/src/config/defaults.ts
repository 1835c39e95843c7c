// The built-in enterprise layer of one-file projects (`run --config floe.yaml`):
// the embedded floe_sql provider and nothing else, so every other setting takes
// the seed's defaults from the QualityConfig schema (thresholds min 70 / warn 85,
// the bronze/silver/gold gates of TIER_DEFAULTS, the seed weights). No locks:
// a one-file project owns all of its settings.
import type { SourceText } from "./load.js";

export const BUILT_IN_PROVIDER = "floe_sql";

export const BUILT_IN_ENTERPRISE: SourceText = {
  file: "(built-in enterprise defaults)",
  text: `scope: enterprise\nname: built-in\nplugins:\n  quality:\n    provider: ${BUILT_IN_PROVIDER}\n`,
};
