export {
  CHECK_TYPES,
  type CheckLevel,
  type CheckTypeSpec,
  checkTypeNames,
  DIMENSIONS,
  type DimensionName,
  ISO_DURATION,
  lookupCheckType,
  normalizeParameters,
  SEVERITIES,
  type SeverityName,
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
  ERROR_CATALOGUE,
  ERROR_DOMAIN,
  FloeError,
  type FloeErrorCode,
  isFloeErrorCode,
} from "./errors.js";
export { createLogger, type LogFields, type LogLevel, type PluginLogger } from "./log.js";
export {
  APP_PROTOCOL_VERSIONS,
  CORE_PROTOCOL_VERSION,
  ENV as PLUGIN_ENV,
  FLOE_API_VERSION,
  HEALTH_SERVICE_NAME,
  MAGIC_COOKIE_VALUE,
  SOCKET_FILE_NAME,
} from "./protocol.js";
export { uncountedResult } from "./results.js";
export { type CallContext, type QualityPlugin, type ServeOptions, servePlugin } from "./serve.js";
export {
  type DecodedErrorInfo,
  errorInfoFromServiceError,
  floeErrorFromServiceError,
  statusFromFloeError,
} from "./status.js";
export { otlpTracesUrl } from "./tracing.js";
