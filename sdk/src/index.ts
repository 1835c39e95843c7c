export {
  ANOMALY_DEFAULTS,
  ANOMALY_METRICS,
  type AnomalyJudgement,
  type AnomalyMetric,
  type AnomalyParameters,
  judgeAnomaly,
} from "./anomaly.js";
export {
  CHECK_TYPES,
  type CheckLevel,
  type CheckTypeSpec,
  checkTypeNames,
  type DbtMapping,
  DIMENSIONS,
  type DimensionName,
  type GxMapping,
  ISO_DURATION,
  lookupCheckType,
  type NullRule,
  normalizeParameters,
  PARAMETER_ALIASES,
  type PluginSupport,
  SEVERITIES,
  type SeverityName,
  SHIPPED_PLUGINS,
  type ShippedPlugin,
  strictBounds,
  typesRunBy,
} from "./checks.js";
export * as contract from "./contract.js";
export {
  DBT_TEST_DIMENSIONS,
  type DbtCheckStatus,
  type DbtDeclaredTest,
  type DbtTestResult,
  type DbtTestResultOptions,
  declaredDbtTests,
  dimensionOfDbtTest,
  parseDbtTestResults,
  readDbtTestResults,
} from "./dbt/tests.js";
export {
  assertDuckdbFileReadable,
  type DuckdbFileVersion,
  duckdbConversionCommand,
  duckdbConvertedPath,
  duckdbFileVersion,
  NODE_DUCKDB,
} from "./duckdb-file.js";
export {
  type DurationParts,
  intervalText,
  parseIsoDuration,
  subtractDuration,
} from "./duration.js";
export {
  CHECK_STATUS_NAMES,
  type CheckStatusName,
  checkStatusFromWire,
  checkStatusToWire,
  dimensionFromWire,
  dimensionToWire,
  severityFromWire,
  severityToWire,
} from "./enums.js";
export {
  ERROR_CATALOGUE,
  ERROR_DOMAIN,
  FloeError,
  type FloeErrorCode,
  isFloeErrorCode,
} from "./errors.js";
export { createLogger, type LogFields, type LogLevel, type PluginLogger } from "./log.js";
export {
  displayRelation,
  identifierByteLimit,
  parseRelation,
  quoteIdentifier,
  quoteRelation,
  quoteSparkIdentifier,
  type RelationName,
  RelationNameError,
  relationParts,
  type SqlDialect,
  sqlDialectNamed,
  storedIdentifier,
  withDefaultSchema,
} from "./names.js";
export {
  APP_PROTOCOL_VERSIONS,
  CORE_PROTOCOL_VERSION,
  duplicateCheckName,
  ENV as PLUGIN_ENV,
  FLOE_API_MAJOR,
  FLOE_API_VERSION,
  HEALTH_SERVICE_NAME,
  isCompatibleFloeApiVersion,
  isSemanticVersion,
  MAGIC_COOKIE_VALUE,
  SOCKET_FILE_NAME,
} from "./protocol.js";
export { uncountedResult } from "./results.js";
export {
  type Condition,
  type ConditionValue,
  conditionColumns,
  conditionToSql,
  parseRowCondition,
  RowConditionError,
  type SqlWriter,
  sqlLiteral,
} from "./row-condition.js";
export {
  connectionSecrets,
  REDACTED,
  scrubbedDeep,
  scrubbedError,
  scrubSecrets,
} from "./secrets.js";
export { type CallContext, type QualityPlugin, type ServeOptions, servePlugin } from "./serve.js";
export {
  type DecodedErrorInfo,
  type DecodedStatusDetails,
  ERROR_INFO_TYPE_URL,
  errorInfoFromServiceError,
  floeErrorFromServiceError,
  grpcCodeFor,
  STATUS_DETAILS_KEY,
  statusDetailsOf,
  statusFromFloeError,
} from "./status.js";
export { batchSpanSettings, otlpTracesUrl } from "./tracing.js";
