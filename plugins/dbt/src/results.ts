// dbt test outcomes → the suite's QualityCheckResults. Each check is found by
// meta.floe_check; the check's own definition supplies type, column, dimension,
// severity and weight; the floe_counts test supplies records_checked (rows the
// check evaluates) and, for row-level checks, records_failed (dbt reports 0
// failures for any passing test, a passing `mostly` check included).
//
// Two sources, one meaning: while dbt runs, its structured log reports each
// test as it finishes (LogTestResult, with the node's meta), so results stream
// to the host as they come; what the log cannot say (errors and their
// messages, skips) waits for run_results.json + manifest.json, read by the
// SDK's parser that the host's ingest uses too.
import type { contract, DbtTestResult } from "@floe/quality-sdk";
import { dimensionToWire, FloeError, lookupCheckType } from "@floe/quality-sdk";
import { COUNTS_ROLE, type PlannedCheck } from "./project.js";

const COUNTS_TEST = "floe_counts";
const COUNTS_PREFIX = "floe_counts:";

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

/**
 * The counts of floe_counts' log line: [rows, evaluated_1, failed_1,
 * observed_1, ...] in the order of the suite's planned checks (observed: the
 * aggregate's value as text, for aggregate checks).
 */
export type SuiteCounts = readonly (number | string | null)[];

/** An observed value as JSON: a number when the text is one, else the text. */
function observedValue(text: number | string | null | undefined): number | string | undefined {
  if (text === null || text === undefined) return undefined;
  const number = Number(text);
  return typeof text === "string" && text.trim() !== "" && Number.isFinite(number) ? number : text;
}

function checkResult(
  planned: PlannedCheck,
  index: number,
  outcome: TestOutcome,
  counts: SuiteCounts | undefined,
): contract.QualityCheckResult {
  const { check, type, dimension } = planned;
  const status = STATUSES[outcome.status];
  const evaluated = counts?.[1 + 3 * index];
  const failed = counts?.[2 + 3 * index];
  const observed = observedValue(counts?.[3 + 3 * index]);
  const recordsChecked = typeof evaluated === "number" ? evaluated : 0;
  const recordsFailed =
    typeof failed === "number" && (outcome.status === "passed" || outcome.status === "failed")
      ? failed
      : outcome.failures;
  return {
    checkName: check.name,
    passed: outcome.status === "passed",
    dimension: dimensionToWire(dimension),
    severity: check.severity,
    recordsChecked,
    recordsFailed,
    executionTimeMs: outcome.executionMs,
    details: {
      dbt_status: outcome.dbtStatus,
      dbt_test: outcome.testName,
      dbt_unique_id: outcome.uniqueId,
      ...(observed !== undefined ? { observed_value: observed } : {}),
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
 * Results of the checks not in `reported`, from the parsed artifacts of the run
 * and the counts logged during it. A check dbt did not report at all is an
 * error of the plugin's project.
 */
export function checkResultsOf(
  checks: readonly PlannedCheck[],
  results: readonly DbtTestResult[],
  counts: SuiteCounts | undefined,
  reported: ReadonlySet<string> = new Set(),
): contract.QualityCheckResult[] {
  const byCheck = new Map<string, DbtTestResult>();
  for (const result of results) {
    if (result.test_name !== COUNTS_TEST) byCheck.set(result.check_name, result);
  }
  const out: contract.QualityCheckResult[] = [];
  checks.forEach((planned, index) => {
    if (reported.has(planned.check.name)) return;
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
    out.push(
      checkResult(
        planned,
        index,
        {
          status: result.status,
          dbtStatus: result.dbt_status,
          failures: result.records_failed,
          executionMs: result.execution_time_ms,
          errorMessage: result.error_message,
          testName: result.test_name,
          uniqueId: result.unique_id,
        },
        counts,
      ),
    );
  });
  return out;
}

/** dbt log statuses a finished test can be reported with before the run ends. */
const LIVE_STATUSES: Readonly<Record<string, DbtTestResult["status"]>> = {
  pass: "passed",
  fail: "failed",
  warn: "failed",
};

/**
 * Turns dbt's log events into check results as tests finish: LogTestResult
 * for each test, and floe_counts' JinjaLogInfo line for the counts. Results
 * wait for the counts, which come from one cheap scan that normally finishes
 * among the first.
 */
export class LiveResults {
  private readonly index: ReadonlyMap<string, number>;
  private readonly held: { index: number; outcome: TestOutcome }[] = [];
  /** The suite's counts, once floe_counts has logged them. */
  counts: SuiteCounts | undefined;
  /** Names of the checks already emitted. */
  readonly reported = new Set<string>();

  /** The first check that failed, once one has. */
  firstFailure: string | undefined;

  /** `onFailure`: called once, at the first failed check (fail_fast), after its result is emitted. */
  constructor(
    private readonly checks: readonly PlannedCheck[],
    private readonly emit: (result: contract.QualityCheckResult) => void,
    private readonly onFailure?: () => void,
  ) {
    this.index = new Map(checks.map((c, i) => [c.check.name, i]));
  }

  /** One dbt log event (`name` and `data` of a `--log-format json` line). */
  take(name: string, msg: string, data: Record<string, unknown>): void {
    const info = (data.node_info ?? {}) as { meta?: Record<string, unknown>; unique_id?: string };
    const meta = info.meta ?? {};
    if (
      name === "JinjaLogInfo" &&
      meta.floe_role === COUNTS_ROLE &&
      msg.startsWith(COUNTS_PREFIX)
    ) {
      this.counts = parseCounts(msg.slice(COUNTS_PREFIX.length));
      for (const { index, outcome } of this.held.splice(0)) this.send(index, outcome);
      return;
    }
    if (name !== "LogTestResult") return;
    const dbtStatus = String(data.status ?? "");
    const index = typeof meta.floe_check === "string" ? this.index.get(meta.floe_check) : undefined;
    const status = LIVE_STATUSES[dbtStatus];
    if (index === undefined || !status) return;
    const planned = this.checks[index] as PlannedCheck;
    if (this.reported.has(planned.check.name)) return;
    const outcome: TestOutcome = {
      status,
      dbtStatus,
      failures: typeof data.num_failures === "number" ? data.num_failures : 0,
      executionMs: typeof data.execution_time === "number" ? data.execution_time * 1000 : 0,
      errorMessage: null,
      testName: planned.test,
      uniqueId: info.unique_id ?? "",
    };
    if (this.counts === undefined) this.held.push({ index, outcome });
    else this.send(index, outcome);
    if (status === "failed" && this.onFailure && this.firstFailure === undefined) {
      this.firstFailure = planned.check.name;
      // No waiting for the counts: the run stops here.
      this.flush();
      this.onFailure();
    }
  }

  /**
   * Emits the results still waiting for the counts, without them
   * (records_checked 0, records_failed = dbt's failures): used just before a
   * deadline, when a slow check also slows the counting scan, so that checks
   * dbt has finished are reported rather than timed out.
   */
  flush(): void {
    for (const { index, outcome } of this.held.splice(0)) this.send(index, outcome);
  }

  private send(index: number, outcome: TestOutcome): void {
    const planned = this.checks[index] as PlannedCheck;
    this.reported.add(planned.check.name);
    this.emit(checkResult(planned, index, outcome, this.counts));
  }
}

function parseCounts(text: string): SuiteCounts | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const valid = (v: unknown) => v === null || typeof v === "number" || typeof v === "string";
    if (Array.isArray(parsed) && parsed.every(valid)) return parsed;
  } catch {
    // Not ours: counts stay unknown and results fall back to dbt's failures.
  }
  return undefined;
}

/** A check that did not run: disabled, or kept from running by fail_fast. */
export function skippedResult(
  check: contract.QualityCheck,
  message: string,
): contract.QualityCheckResult {
  const spec = lookupCheckType(check.type);
  return {
    checkName: check.name,
    passed: false,
    dimension: check.dimension || (spec ? dimensionToWire(spec.dimension) : 0),
    severity: check.severity,
    recordsChecked: 0,
    recordsFailed: 0,
    executionTimeMs: 0,
    details: undefined,
    errorMessage: message,
    ...(check.customWeight !== undefined ? { customWeight: check.customWeight } : {}),
    status: 4,
    errorCode: "",
    checkType: spec?.type ?? check.type,
    column: check.column,
  };
}
