// The public surface of @floe/quality-host: the few names a user needs.

export {
  type CompiledArtifacts,
  CompiledArtifactsSchema,
  compileProject,
  writeArtifacts,
} from "./compile/index.js";
export {
  type ConfigLayer,
  mergeLayers,
  type Product,
  parseDomainManifest,
  parseEnterpriseManifest,
  parseProduct,
  type QualityCheck,
  QualityCheckSchema,
  type QualitySuite,
  QualitySuiteSchema,
  readSourceText,
  resolveQualityConfig,
} from "./config/index.js";
export {
  type CalculationParameters,
  CalculationParametersSchema,
  type DimensionWeights,
  DimensionWeightsSchema,
  type GateTier,
  GateTierSchema,
  type OverrideConfig,
  OverrideConfigSchema,
  type QualityConfig,
  QualityConfigSchema,
  type QualityGates,
  QualityGatesSchema,
  type QualityThresholds,
  QualityThresholdsSchema,
} from "./config/quality.js";
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
} from "./config/results.js";
export {
  type Diagnostic,
  DiagnosticsError,
  diagnostic,
  renderDiagnostic,
} from "./errors/index.js";
export { evaluateGates } from "./gates/index.js";
export {
  connectPlugin,
  discoverPlugins,
  launchCommand,
  PluginCallError,
  type PluginClient,
  type PluginDescriptor,
  type RunningPlugin,
  resolveProvider,
  type SidecarOptions,
  type SupervisorOptions,
  startPlugin,
} from "./plugins/index.js";
export {
  openHostServices,
  PluginPool,
  type QualityRunOutcome,
  type RunModelInput,
  readArtifactsFile as readArtifacts,
  runModelQuality,
} from "./runtime/index.js";
export {
  calculateQualityScore,
  type ScoredCheck,
  type ScoreOptions,
  type ScoringConfig,
} from "./scoring/index.js";
export { type HostServer, type HostServerOptions, startHostServer } from "./server/index.js";
