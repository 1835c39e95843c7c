// dbt tests as first-class checks: each test of a dbt run becomes a check result
// under its dbt name, with its model, column, floe check type and dbt identity
// in `details` (mapping: docs/scoring.md, "dbt test results").
import type { DbtTestResult } from "@floe/quality-sdk";
import type { QualityCheckResult } from "../config/results.js";

/** The dbt test as a QualityCheckResult; `details.source` is "dbt". */
export function dbtCheckResult(test: DbtTestResult): QualityCheckResult {
  return {
    check_name: test.check_name,
    passed: test.passed,
    dimension: test.dimension,
    severity: test.severity,
    records_checked: 0,
    records_failed: test.records_failed,
    execution_time_ms: test.execution_time_ms,
    details: {
      source: "dbt",
      unique_id: test.unique_id,
      test_name: test.test_name,
      dbt_status: test.dbt_status,
      ...(test.model === null ? {} : { model: test.model }),
    },
    error_message: test.error_message,
    custom_weight: null,
    status: test.status,
    error_code: test.status === "error" ? "FLOE-DQ108" : null,
    check_type: test.check_type,
    column: test.column,
  };
}
