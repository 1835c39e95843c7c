// dbt test outcomes → the suite's QualityCheckResults. Each check is found by
// meta.floe_check; the check's own definition supplies type, column, dimension,
// severity and weight; the row-count test supplies records_checked.
//
// Two sources, one meaning: while dbt runs, its structured log reports each
// test as it finishes (LogTestResult, with the node's meta), so results stream
// to the host as they come; what the log cannot say (errors and their
// messages, skips) waits for run_results.json + manifest.json, read by the
// SDK's parser that the host's ingest uses too.
import type { contract, DbtTestResult } from "@floe/quality-sdk";
import { FloeError } from "@floe/quality-sdk";
import { type PlannedCheck, ROW_COUNT_ROLE } from "./project.js";

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

/** What one dbt test said, from either source. */
interface TestOutcome {
  readonly status: DbtTestResult["status"];
  readonly dbtStatus: string;
  readonly failures: number;
  readonly executionMs: number;
  readonly errorMessage: string | null;
  readonly testName: string | null;
  readonly uniqueId: string;
}

function checkResult(
  planned: PlannedCheck,
  outcome: TestOutcome,
  recordsChecked: number,
): contract.QualityCheckResult {
  const { check, type, dimension } = planned;
  const status = STATUSES[outcome.status];
  return {
    checkName: check.name,
    passed: outcome.status === "passed",
    dimension: DIMENSIONS[dimension] ?? 0,
    severity: check.severity,
    recordsChecked,
    recordsFailed: outcome.failures,
    executionTimeMs: outcome.executionMs,
    details: {
      dbt_status: outcome.dbtStatus,
      dbt_test: outcome.testName,
      dbt_unique_id: outcome.uniqueId,
    },
    ...(outcome.errorMessage ? { errorMessage: outcome.errorMessage } : {}),
    ...(check.customWeight !== undefined ? { customWeight: check.customWeight } : {}),
    status,
    errorCode: status === 3 ? "FLOE-DQ102" : "",
    checkType: type,
    column: check.column,
  };
}

/**
 * Results of the checks not in `reported`, from the parsed artifacts of the run.
 * A check dbt did not report at all is an error of the plugin's project.
 */
export function checkResultsOf(
  checks: readonly PlannedCheck[],
  results: readonly DbtTestResult[],
  reported: ReadonlySet<string> = new Set(),
): contract.QualityCheckResult[] {
  const rowCount = results.find((r) => r.test_name === ROW_COUNT_TEST);
  // The row-count test always ends as a dbt warning carrying the count (see floe_row_count).
  const recordsChecked = rowCount?.dbt_status === "warn" ? rowCount.records_failed : 0;
  const byCheck = new Map<string, DbtTestResult>();
  for (const result of results) {
    if (result.test_name !== ROW_COUNT_TEST) byCheck.set(result.check_name, result);
  }
  return checks
    .filter((planned) => !reported.has(planned.check.name))
    .map((planned) => {
      const result = byCheck.get(planned.check.name);
      if (!result) {
        throw new FloeError(
          "FLOE-DQ100",
          `dbt reported no result for check ${JSON.stringify(planned.check.name)}`,
          {
            fix: "Run the suite again; if it persists, remove the plugin's work directory (FLOE_DBT_WORKDIR).",
          },
        );
      }
      return checkResult(
        planned,
        {
          status: result.status,
          dbtStatus: result.dbt_status,
          failures: result.records_failed,
          executionMs: result.execution_time_ms,
          errorMessage: result.error_message,
          testName: result.test_name,
          uniqueId: result.unique_id,
        },
        recordsChecked,
      );
    });
}

/** dbt log statuses a finished test can be reported with before the run ends. */
const LIVE_STATUSES: Readonly<Record<string, DbtTestResult["status"]>> = {
  pass: "passed",
  fail: "failed",
  warn: "failed",
};

/**
 * Turns dbt's LogTestResult events into check results as tests finish. Results
 * wait for the row count (records_checked), which is the cheapest test and
 * normally among the first to finish.
 */
export class LiveResults {
  private readonly byName: ReadonlyMap<string, PlannedCheck>;
  private readonly held: { planned: PlannedCheck; outcome: TestOutcome }[] = [];
  private rowCount: number | undefined;
  /** Names of the checks already emitted. */
  readonly reported = new Set<string>();

  constructor(
    checks: readonly PlannedCheck[],
    private readonly emit: (result: contract.QualityCheckResult) => void,
  ) {
    this.byName = new Map(checks.map((c) => [c.check.name, c]));
  }

  /** `data` of a LogTestResult event. */
  take(data: Record<string, unknown>): void {
    const info = (data.node_info ?? {}) as { meta?: Record<string, unknown>; unique_id?: string };
    const meta = info.meta ?? {};
    const dbtStatus = String(data.status ?? "");
    const failures = typeof data.num_failures === "number" ? data.num_failures : 0;
    if (meta.floe_role === ROW_COUNT_ROLE) {
      if (dbtStatus !== "warn") return;
      this.rowCount = failures;
      for (const { planned, outcome } of this.held.splice(0)) this.send(planned, outcome);
      return;
    }
    const planned =
      typeof meta.floe_check === "string" ? this.byName.get(meta.floe_check) : undefined;
    const status = LIVE_STATUSES[dbtStatus];
    if (!planned || !status || this.reported.has(planned.check.name)) return;
    const outcome: TestOutcome = {
      status,
      dbtStatus,
      failures,
      executionMs: typeof data.execution_time === "number" ? data.execution_time * 1000 : 0,
      errorMessage: null,
      testName: planned.test,
      uniqueId: info.unique_id ?? "",
    };
    if (this.rowCount === undefined) this.held.push({ planned, outcome });
    else this.send(planned, outcome);
  }

  private send(planned: PlannedCheck, outcome: TestOutcome): void {
    this.reported.add(planned.check.name);
    this.emit(checkResult(planned, outcome, this.rowCount ?? 0));
  }
}
