// @floe/quality-plugin-sql: the floe_sql engine for embedding (the plugin
// process itself is main.ts).

export { DIALECTS, MAX_VALUE_SET, SUPPORTED_CHECK_TYPES } from "./compile/index.js";
export { openDuckDb } from "./engines/duckdb.js";
export {
  type Engine,
  type EngineOptions,
  openEngine,
  type QueryLogEntry,
} from "./engines/index.js";
export { openPostgres } from "./engines/postgres.js";
export { createSqlPlugin, PLUGIN_NAME, PLUGIN_VERSION, type SqlPluginOptions } from "./plugin.js";
export { DEFAULT_MAX_FAILING_SAMPLES, runSuite, type SuiteRun } from "./run.js";
