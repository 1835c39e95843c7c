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
  ERROR_CATALOGUE,
  ERROR_DOMAIN,
  FloeError,
  type FloeErrorCode,
  isFloeErrorCode,
} from "./errors.js";
