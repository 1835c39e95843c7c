// OpenLineage RunEvents (spec 2-0-2) for a quality run: pure builders, no I/O.
// Facet versions are the ones floe-quality validates against; a consumer that
// knows them reads assertions, metrics, errors and the parent run natively.

export const OPENLINEAGE_SCHEMA_URL =
  "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
export const PRODUCER = "https://floe.dev/floe-quality/0.1.0";

/** The schema URL of every facet floe-quality emits, by facet name. */
export const FACET_SCHEMAS = {
  dataQualityAssertions:
    "https://openlineage.io/spec/facets/1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet",
  dataQualityMetrics:
    "https://openlineage.io/spec/facets/1-0-3/DataQualityMetricsInputDatasetFacet.json#/$defs/DataQualityMetricsInputDatasetFacet",
  errorMessage:
    "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
  jobType: "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
  parent: "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet",
  floeQualityScore:
    "https://floe.dev/spec/facets/1-0-0/FloeQualityScoreRunFacet.json#/$defs/FloeQualityScoreRunFacet",
  floeQualityError:
    "https://floe.dev/spec/facets/1-0-0/FloeQualityErrorRunFacet.json#/$defs/FloeQualityErrorRunFacet",
} as const;

/** The custom run facet of a run whose checks could not run (verdict error); its schema ships in docs/spec/. */
export const ERROR_FACET_NAME = "floeQualityError";

/** The custom run facet that carries the score; its schema ships in docs/spec/. */
export const SCORE_FACET_NAME = "floeQualityScore";

export type RunEventType = "START" | "COMPLETE" | "FAIL";

/** What lineage needs of a check result (a view of QualityCheckResult). */
export interface LineageCheck {
  check_name: string;
  check_type?: string | null | undefined;
  column?: string | null | undefined;
  passed: boolean;
  status?: string | undefined;
  severity: string;
  records_checked?: number | undefined;
  records_failed?: number | undefined;
  details?: Record<string, unknown> | undefined;
}

/** What lineage needs of a score. */
export interface LineageScore {
  overall: number;
  dimension_scores: Record<string, number>;
  checks_passed: number;
  checks_failed: number;
  dbt_tests_passed: number;
  dbt_tests_failed: number;
}

export interface QualityRunLineage {
  runId: string;
  /** Job namespace; the job name is `<model>.quality`. */
  namespace: string;
  model: string;
  /** The checked dataset, named per the OpenLineage naming conventions (no credentials). */
  dataset: { namespace: string; name: string };
  parent?: { runId: string; namespace: string; name: string } | undefined;
}

export interface RunEvent {
  eventType: RunEventType;
  eventTime: string;
  producer: string;
  schemaURL: string;
  run: { runId: string; facets?: Record<string, unknown> };
  job: { namespace: string; name: string; facets?: Record<string, unknown> };
  inputs: Array<{
    namespace: string;
    name: string;
    inputFacets?: Record<string, unknown>;
  }>;
  outputs: never[];
}

function facet(kind: keyof typeof FACET_SCHEMAS, body: Record<string, unknown>) {
  return { _producer: PRODUCER, _schemaURL: FACET_SCHEMAS[kind], ...body };
}

const SEVERITY_LEVELS: Readonly<Record<string, string>> = {
  critical: "error",
  warning: "warn",
  info: "info",
};

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A check that could not run asserted nothing about the data. */
const NOT_ASSERTED = new Set(["skipped", "error", "timed_out"]);

function assertionsOf(checks: readonly LineageCheck[]) {
  return checks
    .filter((c) => !NOT_ASSERTED.has(c.status ?? ""))
    .map((c) => {
      const assertion: Record<string, unknown> = {
        assertion: c.check_type || "custom",
        success: c.passed,
        severity: SEVERITY_LEVELS[c.severity] ?? c.severity,
        name: c.check_name,
      };
      if (c.column) assertion.column = c.column;
      const expected = asText(c.details?.expected);
      const actual = asText(c.details?.observed_value);
      if (expected !== undefined) assertion.expected = expected;
      if (actual !== undefined) assertion.actual = actual;
      return assertion;
    });
}

/**
 * rowCount from a check that counted the whole table, nullCount per column from
 * unconditional not_null checks: only numbers the checks actually measured.
 */
function metricsOf(checks: readonly LineageCheck[]) {
  const columnMetrics: Record<string, { nullCount: number }> = {};
  let rowCount: number | undefined;
  for (const c of checks) {
    if (c.status === "skipped" || c.status === "error" || c.status === "timed_out") continue;
    const conditional = c.details?.row_condition !== undefined;
    if (c.check_type === "not_null" && c.column && !conditional && c.records_failed !== undefined) {
      columnMetrics[c.column] = { nullCount: c.records_failed };
      if (c.records_checked !== undefined) rowCount ??= c.records_checked;
    }
    const rows = c.details?.row_count;
    if (typeof rows === "number" && !conditional) rowCount = rows;
  }
  return rowCount === undefined ? { columnMetrics } : { rowCount, columnMetrics };
}

function baseEvent(run: QualityRunLineage, eventType: RunEventType, now: Date): RunEvent {
  const runFacets: Record<string, unknown> = {};
  if (run.parent) {
    runFacets.parent = facet("parent", {
      run: { runId: run.parent.runId },
      job: { namespace: run.parent.namespace, name: run.parent.name },
    });
  }
  return {
    eventType,
    eventTime: now.toISOString(),
    producer: PRODUCER,
    schemaURL: OPENLINEAGE_SCHEMA_URL,
    run: { runId: run.runId, facets: runFacets },
    job: {
      namespace: run.namespace,
      name: `${run.model}.quality`,
      facets: {
        jobType: facet("jobType", {
          processingType: "BATCH",
          integration: "FLOE",
          jobType: "QUALITY_CHECK",
        }),
      },
    },
    inputs: [{ namespace: run.dataset.namespace, name: run.dataset.name }],
    outputs: [],
  };
}

export function buildStartEvent(run: QualityRunLineage, now = new Date()): RunEvent {
  return baseEvent(run, "START", now);
}

/** Why a run's checks could not run (verdict error). */
export interface LineageRunError {
  cause: string;
  retryable: boolean;
  code: string;
  checks: ReadonlyArray<{ check_name: string; cause: string; retryable: boolean; code: string }>;
}

export interface RunEnd {
  checks: readonly LineageCheck[];
  score?: LineageScore | undefined;
  verdict?: "pass" | "warn" | "fail" | "error" | undefined;
  /** Set for verdict error: FAIL with the error facets, not a quality failure. */
  error?: LineageRunError | undefined;
  qualityTier?: string | undefined;
  /** Set when the run failed: a failing verdict (FLOE-DQ102) or an error that stopped it. */
  errorMessage?: string | undefined;
}

/** COMPLETE, or FAIL when `end.errorMessage` is set (a failing verdict or an error). */
export function buildEndEvent(run: QualityRunLineage, end: RunEnd, now = new Date()): RunEvent {
  const failed = end.errorMessage !== undefined;
  const event = baseEvent(run, failed ? "FAIL" : "COMPLETE", now);
  const input = event.inputs[0]!;
  if (end.checks.some((c) => !NOT_ASSERTED.has(c.status ?? ""))) {
    input.inputFacets = {
      dataQualityAssertions: facet("dataQualityAssertions", {
        assertions: assertionsOf(end.checks),
      }),
      dataQualityMetrics: facet("dataQualityMetrics", metricsOf(end.checks)),
    };
  }
  const runFacets = event.run.facets ?? {};
  if (end.score) {
    runFacets[SCORE_FACET_NAME] = facet("floeQualityScore", {
      overall: end.score.overall,
      dimension_scores: end.score.dimension_scores,
      checks_passed: end.score.checks_passed,
      checks_failed: end.score.checks_failed,
      dbt_tests_passed: end.score.dbt_tests_passed,
      dbt_tests_failed: end.score.dbt_tests_failed,
      ...(end.verdict ? { verdict: end.verdict } : {}),
      ...(end.qualityTier ? { quality_tier: end.qualityTier } : {}),
    });
  }
  if (failed) {
    runFacets.errorMessage = facet("errorMessage", {
      message: end.errorMessage,
      programmingLanguage: "TypeScript",
    });
  }
  if (end.error) {
    runFacets[ERROR_FACET_NAME] = facet("floeQualityError", {
      cause: end.error.cause,
      retryable: end.error.retryable,
      code: end.error.code,
      checks: end.error.checks.map((c) => ({
        name: c.check_name,
        cause: c.cause,
        retryable: c.retryable,
        code: c.code,
      })),
      ...(end.qualityTier ? { quality_tier: end.qualityTier } : {}),
    });
  }
  event.run.facets = runFacets;
  return event;
}
