// Check results a plugin reports without counting anything: a check that timed
// out, was skipped or could not start still needs a complete result message.
import {
  CheckStatus,
  type QualityCheck,
  type QualityCheckResult,
} from "./gen/floe/quality/v1/types.js";

/** A result for `check` with nothing counted, not passed and no status; `fields` complete it. */
export function uncountedResult(
  check: QualityCheck,
  fields: Partial<QualityCheckResult> = {},
): QualityCheckResult {
  return {
    checkName: check.name,
    passed: false,
    dimension: check.dimension,
    severity: check.severity,
    recordsChecked: 0,
    recordsFailed: 0,
    executionTimeMs: 0,
    details: undefined,
    errorMessage: undefined,
    customWeight: check.customWeight,
    status: CheckStatus.CHECK_STATUS_UNSPECIFIED,
    errorCode: "",
    checkType: check.type,
    column: check.column,
    ...fields,
  };
}
