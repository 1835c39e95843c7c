// Runtime: a model's checks end to end, shared by `floe-quality run`, `demo` and the server.
export { parseArtifacts, parseArtifactsJson, readArtifactsFile } from "./artifacts.js";
export {
  CAUSE_FIX,
  type CheckError,
  ERROR_CAUSES,
  type ErrorCause,
  type RunError,
} from "./cause.js";
export { datasetName, envReferenceOf, resolveConnection } from "./connection.js";
export { dbtCheckResult } from "./dbt.js";
export {
  PluginPool,
  type PluginPoolOptions,
  type PluginSummary,
} from "./plugin-pool.js";
export {
  type CheckProgress,
  findModel,
  type QualityRunOutcome,
  type RunDeps,
  type RunModelInput,
  runModelQuality,
  storedOutcome,
  suiteOf,
} from "./run.js";
export { type ModelRun, runModels } from "./run-many.js";
export { maskSamples, type SamplePolicy, samplePolicy } from "./samples.js";
export { selectModels, selectorItems } from "./select.js";
export { type HostServices, type HostServicesOptions, openHostServices } from "./services.js";
export { checkProgressToProto, diagnosticToProto, runOutcomeToProto } from "./wire.js";
