// Runtime: a model's checks end to end, shared by `floe-quality run`, `demo` and the server.
export { parseArtifacts, parseArtifactsJson, readArtifactsFile } from "./artifacts.js";
export { datasetName, envReferenceOf, resolveConnection } from "./connection.js";
export {
  defaultWorkspaceRoot,
  PluginPool,
  type PluginPoolOptions,
  type PluginSummary,
} from "./plugin-pool.js";
export {
  type CheckProgress,
  type DbtResultsInput,
  type QualityRunOutcome,
  type RunDeps,
  type RunModelInput,
  runModelQuality,
} from "./run.js";
export { type HostServices, type HostServicesOptions, openHostServices } from "./services.js";
export { decideVerdict, formatScore, type Verdict, type VerdictOutcome } from "./verdict.js";
