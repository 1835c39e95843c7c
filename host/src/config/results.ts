// Result entities (the seed's QualityCheckResult, QualitySuiteResult, QualityScore,
// ValidationResult, GateResult) as snake_case JSON schemas, and converters between
// them (and QualityConfig) and the generated wire messages.
import {
  checkStatusFromWire,
  checkStatusToWire,
  type contract,
  DIMENSIONS,
  dimensionFromWire,
  dimensionToWire,
  FloeError,
  SEVERITIES,
  severityFromWire,
  severityToWire,
} from "@floe/quality-sdk";
import { z } from "zod";
import { CUSTOM_WEIGHT_MAX, CUSTOM_WEIGHT_MIN } from "./check.js";
import {
  type Dimension,
  DimensionSchema,
  type QualityConfig,
  QualityConfigSchema,
  type Severity,
  SeveritySchema,
  TierSchema,
} from "./quality.js";

export const CHECK_STATUSES = ["passed", "failed", "error", "skipped", "timed_out"] as const;
export const CheckStatusSchema = z.enum(CHECK_STATUSES);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

const count = z.number().int().nonnegative();
const millis = z.number().nonnegative();
const score = z.number().min(0).max(100);
const isoTimestamp = z.iso.datetime({ offset: true });
const struct = z.record(z.string(), z.unknown());

/** What `passed` must be for each status; `skipped` says nothing about it. */
const PASSED_BY_STATUS: Readonly<Record<CheckStatus, boolean | undefined>> = {
  passed: true,
  failed: false,
  error: false,
  timed_out: false,
  skipped: undefined,
};

export const QualityCheckResultSchema = z
  .strictObject({
    check_name: z.string().min(1),
    passed: z.boolean(),
    dimension: DimensionSchema,
    severity: SeveritySchema,
    records_checked: count.default(0),
    records_failed: count.default(0),
    execution_time_ms: millis.default(0),
    details: struct.default(() => ({})),
    error_message: z.string().nullable().default(null),
    custom_weight: z
      .number()
      .min(CUSTOM_WEIGHT_MIN)
      .max(CUSTOM_WEIGHT_MAX)
      .nullable()
      .default(null),
    /** Defaults to `passed` or `failed` after the `passed` flag. */
    status: CheckStatusSchema.optional(),
    /** The FLOE-DQ code when status is `error` or `timed_out`. */
    error_code: z.string().nullable().default(null),
    check_type: z.string().nullable().default(null),
    column: z.string().nullable().default(null),
  })
  .superRefine((r, ctx) => {
    const expected = r.status === undefined ? undefined : PASSED_BY_STATUS[r.status];
    if (expected !== undefined && expected !== r.passed) {
      ctx.addIssue({
        code: "custom",
        path: ["passed"],
        message: `passed is ${r.passed}, but a check with status '${r.status}' has passed: ${expected}`,
        input: r.passed,
      });
    }
  })
  .transform(({ status, ...r }) => ({
    ...r,
    status: status ?? ((r.passed ? "passed" : "failed") as CheckStatus),
  }));
export type QualityCheckResult = z.output<typeof QualityCheckResultSchema>;
/** A check result as written in a file: defaults and the derived status not yet filled in. */
export type QualityCheckResultInput = z.input<typeof QualityCheckResultSchema>;

export const QualitySuiteResultSchema = z.strictObject({
  suite_name: z.string(),
  model_name: z.string(),
  passed: z.boolean(),
  checks: z.array(QualityCheckResultSchema),
  execution_time_ms: millis.default(0),
  summary: struct.default(() => ({})),
  timestamp: isoTimestamp,
});
export type QualitySuiteResult = z.output<typeof QualitySuiteResultSchema>;
export type QualitySuiteResultInput = z.input<typeof QualitySuiteResultSchema>;

export const QualityScoreSchema = z.strictObject({
  overall: score,
  dimension_scores: z.record(DimensionSchema, score),
  checks_passed: count,
  checks_failed: count,
  dbt_tests_passed: count,
  dbt_tests_failed: count,
  model_name: z.string(),
  timestamp: isoTimestamp,
});
export type QualityScore = z.infer<typeof QualityScoreSchema>;

export const ValidationResultSchema = z.strictObject({
  success: z.boolean(),
  errors: z.array(z.string()).default(() => []),
  warnings: z.array(z.string()).default(() => []),
});
export type ValidationResult = z.infer<typeof ValidationResultSchema>;

export const GateResultSchema = z.strictObject({
  passed: z.boolean(),
  tier: TierSchema,
  coverage_actual: score,
  coverage_required: score,
  missing_tests: z.array(z.string()).default(() => []),
  violations: z.array(z.string()).default(() => []),
  model_name: z.string(),
});
export type GateResult = z.infer<typeof GateResultSchema>;

// ---- enums: names in files, numbers on the wire (the SDK's mapping) ----

export function dimensionToProto(dimension: Dimension): contract.Dimension {
  return dimensionToWire(dimension);
}

export function severityToProto(severity: Severity): contract.Severity {
  return severityToWire(severity);
}

export function checkStatusToProto(status: CheckStatus): contract.CheckStatus {
  return checkStatusToWire(status);
}

/** The dimension name of a wire value; `undefined` for UNSPECIFIED or unknown numbers. */
export function dimensionFromProto(value: contract.Dimension): Dimension | undefined {
  return dimensionFromWire(value);
}

/** The severity name of a wire value; `undefined` for UNSPECIFIED or unknown numbers. */
export function severityFromProto(value: contract.Severity): Severity | undefined {
  return severityFromWire(value);
}

/** The status name of a wire value; `undefined` for UNSPECIFIED or unknown numbers. */
export function checkStatusFromProto(value: contract.CheckStatus): CheckStatus | undefined {
  return checkStatusFromWire(value);
}

/** A wire message that breaks the contract (an UNSPECIFIED enum where a value is required). */
export class ContractViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ContractViolation";
  }
}

// ---- check results ----

export function checkResultToProto(r: QualityCheckResult): contract.QualityCheckResult {
  return {
    checkName: r.check_name,
    passed: r.passed,
    dimension: dimensionToWire(r.dimension),
    severity: severityToWire(r.severity),
    recordsChecked: r.records_checked,
    recordsFailed: r.records_failed,
    executionTimeMs: r.execution_time_ms,
    details: r.details,
    errorMessage: r.error_message ?? undefined,
    customWeight: r.custom_weight ?? undefined,
    status: checkStatusToWire(r.status),
    errorCode: r.error_code ?? "",
    checkType: r.check_type ?? "",
    column: r.column ?? "",
  };
}

/**
 * The snake_case result of a wire message. An UNSPECIFIED status is derived from
 * `passed` (as in files); an UNSPECIFIED dimension or severity is a contract
 * violation, because scoring cannot place or weigh the check.
 */
export function checkResultFromProto(m: contract.QualityCheckResult): QualityCheckResult {
  const dimension = dimensionFromProto(m.dimension);
  if (dimension === undefined) {
    throw new ContractViolation(
      `check result '${m.checkName}': dimension ${m.dimension} is not one of ${DIMENSIONS.join(", ")}`,
    );
  }
  const severity = severityFromProto(m.severity);
  if (severity === undefined) {
    throw new ContractViolation(
      `check result '${m.checkName}': severity ${m.severity} is not one of ${SEVERITIES.join(", ")}`,
    );
  }
  return {
    check_name: m.checkName,
    passed: m.passed,
    dimension,
    severity,
    records_checked: m.recordsChecked,
    records_failed: m.recordsFailed,
    execution_time_ms: m.executionTimeMs,
    details: m.details ?? {},
    error_message: m.errorMessage ?? null,
    custom_weight: m.customWeight ?? null,
    status: checkStatusFromProto(m.status) ?? (m.passed ? "passed" : "failed"),
    error_code: m.errorCode || null,
    check_type: m.checkType || null,
    column: m.column || null,
  };
}

// ---- suite results ----

export function suiteResultToProto(r: QualitySuiteResult): contract.QualitySuiteResult {
  return {
    suiteName: r.suite_name,
    modelName: r.model_name,
    passed: r.passed,
    checks: r.checks.map(checkResultToProto),
    executionTimeMs: r.execution_time_ms,
    summary: r.summary,
    timestamp: new Date(r.timestamp),
  };
}

/** A suite result without a timestamp on the wire is stamped with `now`. */
export function suiteResultFromProto(
  m: contract.QualitySuiteResult,
  now: Date = new Date(),
): QualitySuiteResult {
  return {
    suite_name: m.suiteName,
    model_name: m.modelName,
    passed: m.passed,
    checks: m.checks.map(checkResultFromProto),
    execution_time_ms: m.executionTimeMs,
    summary: m.summary ?? {},
    timestamp: (m.timestamp ?? now).toISOString(),
  };
}

// ---- scores ----

export function scoreToProto(s: QualityScore): contract.QualityScore {
  return {
    overall: s.overall,
    dimensionScores: { ...s.dimension_scores },
    checksPassed: s.checks_passed,
    checksFailed: s.checks_failed,
    dbtTestsPassed: s.dbt_tests_passed,
    dbtTestsFailed: s.dbt_tests_failed,
    modelName: s.model_name,
    timestamp: new Date(s.timestamp),
  };
}

/** Dimensions missing from the wire map score 100, as a dimension without checks does. */
export function scoreFromProto(m: contract.QualityScore, now: Date = new Date()): QualityScore {
  const dimension_scores = Object.fromEntries(
    DIMENSIONS.map((d) => [d, m.dimensionScores[d] ?? 100]),
  ) as Record<Dimension, number>;
  return {
    overall: m.overall,
    dimension_scores,
    checks_passed: m.checksPassed,
    checks_failed: m.checksFailed,
    dbt_tests_passed: m.dbtTestsPassed,
    dbt_tests_failed: m.dbtTestsFailed,
    model_name: m.modelName,
    timestamp: (m.timestamp ?? now).toISOString(),
  };
}

// ---- validation and gate results (host → orchestrator) ----

export function validationResultToProto(r: ValidationResult): contract.ValidationResult {
  return { success: r.success, errors: [...r.errors], warnings: [...r.warnings], diagnostics: [] };
}

export function gateResultToProto(r: GateResult): contract.GateResult {
  return {
    passed: r.passed,
    tier: r.tier,
    coverageActual: r.coverage_actual,
    coverageRequired: r.coverage_required,
    missingTests: [...r.missing_tests],
    violations: [...r.violations],
    modelName: r.model_name,
  };
}

// ---- QualityConfig ----

export function qualityConfigToProto(c: QualityConfig): contract.QualityConfig {
  const tier = (t: QualityConfig["quality_gates"]["gold"]): contract.GateTier => ({
    minTestCoverage: t.min_test_coverage,
    requiredTests: [...t.required_tests],
    minScore: t.min_score,
    overridable: t.overridable,
  });
  return {
    provider: c.provider,
    qualityGates: {
      bronze: tier(c.quality_gates.bronze),
      silver: tier(c.quality_gates.silver),
      gold: tier(c.quality_gates.gold),
    },
    dimensionWeights: { ...c.dimension_weights },
    calculation: {
      baselineScore: c.calculation.baseline_score,
      maxPositiveInfluence: c.calculation.max_positive_influence,
      maxNegativeInfluence: c.calculation.max_negative_influence,
      severityWeights: { ...c.calculation.severity_weights },
    },
    thresholds: { minScore: c.thresholds.min_score, warnScore: c.thresholds.warn_score },
    checkTimeoutSeconds: c.check_timeout_seconds,
    enabled: c.enabled,
    overrides: Object.fromEntries(
      Object.entries(c.overrides).map(([path, o]) => [path, { overridable: o.overridable }]),
    ),
  };
}

/** Copies the fields that are set; unset ones are left for the schema's defaults. */
function definedOnly(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/**
 * A validated QualityConfig from a wire message: fields the message leaves unset
 * take the seed defaults. A GateTier message that is present carries its
 * `required_tests` as they are (an empty list means none), since proto3 cannot
 * tell an empty repeated field from an unset one. An invalid config (weights
 * not summing to 1, an empty provider) is FLOE-DQ100 naming the field.
 */
export function qualityConfigFromProto(m: contract.QualityConfig): QualityConfig {
  const tier = (t: contract.GateTier | undefined) =>
    t === undefined
      ? undefined
      : definedOnly({
          min_test_coverage: t.minTestCoverage,
          required_tests: t.requiredTests,
          min_score: t.minScore,
          overridable: t.overridable,
        });
  const c = m.calculation;
  const input = definedOnly({
    provider: m.provider,
    quality_gates:
      m.qualityGates &&
      definedOnly({
        bronze: tier(m.qualityGates.bronze),
        silver: tier(m.qualityGates.silver),
        gold: tier(m.qualityGates.gold),
      }),
    dimension_weights: m.dimensionWeights && definedOnly({ ...m.dimensionWeights }),
    calculation:
      c &&
      definedOnly({
        baseline_score: c.baselineScore,
        max_positive_influence: c.maxPositiveInfluence,
        max_negative_influence: c.maxNegativeInfluence,
        severity_weights:
          Object.keys(c.severityWeights).length > 0 ? { ...c.severityWeights } : undefined,
      }),
    thresholds:
      m.thresholds &&
      definedOnly({ min_score: m.thresholds.minScore, warn_score: m.thresholds.warnScore }),
    check_timeout_seconds: m.checkTimeoutSeconds,
    enabled: m.enabled,
    overrides: m.overrides,
  });
  const parsed = QualityConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join(".") ?? "";
    throw new FloeError("FLOE-DQ100", `QualityConfig message: ${issue?.message ?? "invalid"}`, {
      path: path || "quality",
    });
  }
  return parsed.data;
}
