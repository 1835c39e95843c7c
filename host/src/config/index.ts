// Config: the file schemas, the loaders and the three-tier merge with locks.
export {
  type QualityCheck,
  type QualityCheckInput,
  QualityCheckSchema,
  type QualitySuite,
  QualitySuiteSchema,
} from "./check.js";
export {
  type Compute,
  type DomainManifest,
  DomainManifestSchema,
  type EnterpriseManifest,
  EnterpriseManifestSchema,
  type Model,
  type Product,
  ProductSchema,
} from "./files.js";
export {
  CONFIG_LIMIT_VARIABLES,
  type ConfigLimits,
  configLimitsFromEnv,
  DEFAULT_CONFIG_LIMITS,
} from "./limits.js";
export {
  type LoadedFile,
  type LoadResult,
  parseConfigText,
  parseDomainManifest,
  parseEnterpriseManifest,
  parseProduct,
  readSourceText,
  type SourceText,
} from "./load.js";
export {
  type ConfigLayer,
  type LayerName,
  type Lock,
  type MergeResult,
  mergeLayers,
  resolveQualityConfig,
} from "./merge.js";
export {
  type GateTier,
  GateTierSchema,
  type QualityConfig,
  QualityConfigSchema,
  type QualityGates,
  QualityGatesSchema,
  type Tier,
} from "./quality.js";
export {
  type GateResult,
  GateResultSchema,
  type QualityCheckResult,
  QualityCheckResultSchema,
  type QualityScore,
  QualityScoreSchema,
  type QualitySuiteResult,
  QualitySuiteResultSchema,
  type ValidationResult,
  ValidationResultSchema,
} from "./results.js";
