// Parsed dbt test results (the SDK's parser, shared with the host's ingest) →
// the suite's QualityCheckResults. Each check is found by meta.floe_check; the
// check's own definition supplies type, column, dimension, severity and weight;
// the row-count test supplies records_checked.
import { type contract, type DbtTestResult, FloeError } from "@floe/quality-sdk";
import type { PlannedCheck } from "./project.js";

const ROW_COUNT_TEST = "floe_row_count";

const DIMENSIONS: Readonly<Record<string, contract.Dimension>> = {
  completeness: 1,
  accuracy: 2,
  validity: 3,
  consistency: 4,
  timeliness: 5,
};

const STATUSES: Readonly<Record<DbtTestResult["status"], contract.CheckStatus>> = {
  passed: 1,
  failed: 2,
  error: 3,
  skipped: 4,
};

export function checkResultsOf(
  checks: readonly PlannedCheck[],
  results: readonly DbtTestResult[],
): contract.QualityCheckResult[] {
  const rowCount = results.find((r) => r.test_name === ROW_COUNT_TEST);
  // The row-count test always ends as a dbt warning carrying the count (see floe_row_count).
  const recordsChecked = rowCount?.dbt_status === "warn" ? rowCount.records_failed : 0;
  const byCheck = new Map<string, DbtTestResult>();
  for (const result of results)
    if (result.test_name !== ROW_COUNT_TEST) byCheck.set(result.check_name, result);
  return checks.map(({ check, type, dimension }) => {
    const result = byCheck.get(check.name);
    if (!result) {
      throw new FloeError(
        "FLOE-DQ100",
        `dbt reported no result for check ${JSON.stringify(check.name)}`,
        {
          fix: "Run the suite again; if it persists, remove the plugin's work directory (FLOE_DBT_WORKDIR).",
        },
      );
    }
    const status = STATUSES[result.status];
    return {
      checkName: check.name,
      passed: result.passed,
      dimension: DIMENSIONS[dimension] ?? 0,
      severity: check.severity,
      recordsChecked,
      recordsFailed: result.records_failed,
      executionTimeMs: result.execution_time_ms,
      details: {
        dbt_status: result.dbt_status,
        dbt_test: result.test_name,
        dbt_unique_id: result.unique_id,
      },
      ...(result.error_message ? { errorMessage: result.error_message } : {}),
      ...(check.customWeight !== undefined ? { customWeight: check.customWeight } : {}),
      status,
      errorCode: status === 3 ? "FLOE-DQ102" : "",
      checkType: type,
      column: check.column,
    };
  });
}
