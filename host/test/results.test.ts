import { contract, FloeError } from "@floe/quality-sdk";
import { describe, expect, it } from "vitest";
import { QualityConfigSchema } from "../src/config/quality.js";
import {
  ContractViolation,
  checkResultFromProto,
  checkResultToProto,
  GateResultSchema,
  gateResultToProto,
  QualityCheckResultSchema,
  QualityScoreSchema,
  QualitySuiteResultSchema,
  qualityConfigFromProto,
  qualityConfigToProto,
  scoreFromProto,
  scoreToProto,
  suiteResultFromProto,
  suiteResultToProto,
  ValidationResultSchema,
} from "../src/config/results.js";

const timedOut = QualityCheckResultSchema.parse({
  check_name: "amount_in_range",
  passed: false,
  dimension: "accuracy",
  severity: "warning",
  records_checked: 1200,
  records_failed: 0,
  execution_time_ms: 30000.5,
  details: { observed: null, engine: "postgres", sample: [1, "x"] },
  error_message: "canceled after 30 s",
  custom_weight: 2.5,
  status: "timed_out",
  error_code: "FLOE-DQ106",
  check_type: "between",
  column: "amount",
});

describe("QualityCheckResult", () => {
  it("fills the seed defaults and derives status from passed", () => {
    const passed = QualityCheckResultSchema.parse({
      check_name: "id_present",
      passed: true,
      dimension: "completeness",
      severity: "critical",
    });
    expect(passed).toEqual({
      check_name: "id_present",
      passed: true,
      dimension: "completeness",
      severity: "critical",
      records_checked: 0,
      records_failed: 0,
      execution_time_ms: 0,
      details: {},
      error_message: null,
      custom_weight: null,
      status: "passed",
      error_code: null,
      check_type: null,
      column: null,
    });
    const failed = QualityCheckResultSchema.parse({ ...passed, passed: false, status: undefined });
    expect(failed.status).toBe("failed");
  });

  it("accepts a skipped check whatever its passed flag", () => {
    for (const passed of [true, false]) {
      const r = QualityCheckResultSchema.parse({
        check_name: "off",
        passed,
        dimension: "validity",
        severity: "info",
        status: "skipped",
      });
      expect(r.status).toBe("skipped");
    }
  });

  it("rejects a status that contradicts passed, at the passed field", () => {
    const r = QualityCheckResultSchema.safeParse({
      check_name: "x",
      passed: true,
      dimension: "validity",
      severity: "info",
      status: "error",
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["passed", "passed is true, but a check with status 'error' has passed: false"],
    ]);
  });

  it("rejects unknown keys, negative counts and out-of-range custom weights", () => {
    const base = { check_name: "x", passed: true, dimension: "validity", severity: "info" };
    const paths = (input: object) =>
      QualityCheckResultSchema.safeParse(input).error?.issues.map((i) =>
        [i.code, i.path.join(".")].join(" "),
      );
    expect(paths({ ...base, colum: "a" })).toEqual(["unrecognized_keys "]);
    expect(paths({ ...base, records_failed: -1 })).toEqual(["too_small records_failed"]);
    expect(paths({ ...base, custom_weight: 0 })).toEqual(["too_small custom_weight"]);
    expect(paths({ ...base, dimension: "freshness" })).toEqual(["invalid_value dimension"]);
  });

  it("converts to the wire message with numeric enums and back", () => {
    const wire = checkResultToProto(timedOut);
    expect(wire).toEqual({
      checkName: "amount_in_range",
      passed: false,
      dimension: contract.Dimension.DIMENSION_ACCURACY,
      severity: contract.Severity.SEVERITY_WARNING,
      recordsChecked: 1200,
      recordsFailed: 0,
      executionTimeMs: 30000.5,
      details: { observed: null, engine: "postgres", sample: [1, "x"] },
      errorMessage: "canceled after 30 s",
      customWeight: 2.5,
      status: contract.CheckStatus.CHECK_STATUS_TIMED_OUT,
      errorCode: "FLOE-DQ106",
      checkType: "between",
      column: "amount",
    });
    expect(wire.dimension).toBe(2);
    expect(wire.status).toBe(5);
    expect(checkResultFromProto(wire)).toEqual(timedOut);
  });

  it("survives protobuf binary encoding", () => {
    const bytes = contract.QualityCheckResult.encode(checkResultToProto(timedOut)).finish();
    expect(checkResultFromProto(contract.QualityCheckResult.decode(bytes))).toEqual(timedOut);
  });

  it("maps empty wire strings to null and an unspecified status to one derived from passed", () => {
    const wire = contract.QualityCheckResult.fromPartial({
      checkName: "c",
      passed: true,
      dimension: contract.Dimension.DIMENSION_TIMELINESS,
      severity: contract.Severity.SEVERITY_INFO,
    });
    const r = checkResultFromProto(wire);
    expect(r.status).toBe("passed");
    expect([r.error_code, r.check_type, r.column, r.error_message, r.custom_weight]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(r.details).toEqual({});
  });

  it("refuses a wire result without a dimension or severity", () => {
    const noDimension = contract.QualityCheckResult.fromPartial({
      checkName: "c",
      severity: contract.Severity.SEVERITY_INFO,
    });
    expect(() => checkResultFromProto(noDimension)).toThrow(ContractViolation);
    expect(() => checkResultFromProto(noDimension)).toThrow(
      "check result 'c': dimension 0 is not one of completeness, accuracy, validity, consistency, timeliness",
    );
    const noSeverity = contract.QualityCheckResult.fromPartial({
      checkName: "c",
      dimension: contract.Dimension.DIMENSION_VALIDITY,
    });
    expect(() => checkResultFromProto(noSeverity)).toThrow(
      "check result 'c': severity 0 is not one of critical, warning, info",
    );
  });
});

describe("QualitySuiteResult", () => {
  const suite = QualitySuiteResultSchema.parse({
    suite_name: "orders_suite",
    model_name: "orders",
    passed: false,
    checks: [timedOut],
    execution_time_ms: 31000,
    summary: { total: 1, failed: 1 },
    timestamp: "2026-03-04T05:06:07.089Z",
  });

  it("converts to the wire message (Timestamp as Date) and back", () => {
    const wire = suiteResultToProto(suite);
    expect(wire.timestamp).toEqual(new Date("2026-03-04T05:06:07.089Z"));
    expect(wire.checks[0]?.status).toBe(contract.CheckStatus.CHECK_STATUS_TIMED_OUT);
    const bytes = contract.QualitySuiteResult.encode(wire).finish();
    expect(suiteResultFromProto(contract.QualitySuiteResult.decode(bytes))).toEqual(suite);
  });

  it("stamps a wire suite result without a timestamp with the given time", () => {
    const wire = contract.QualitySuiteResult.fromPartial({ suiteName: "s", modelName: "m" });
    const r = suiteResultFromProto(wire, new Date("2026-01-01T00:00:00Z"));
    expect(r.timestamp).toBe("2026-01-01T00:00:00.000Z");
    expect(r.summary).toEqual({});
  });

  it("requires an ISO-8601 timestamp with a zone", () => {
    const r = QualitySuiteResultSchema.safeParse({ ...suite, timestamp: "yesterday" });
    expect(r.error?.issues.map((i) => i.path.join("."))).toEqual(["timestamp"]);
  });
});

describe("QualityScore", () => {
  const score = QualityScoreSchema.parse({
    overall: 81.25,
    dimension_scores: {
      completeness: 25,
      accuracy: 100,
      validity: 100,
      consistency: 100,
      timeliness: 100,
    },
    checks_passed: 1,
    checks_failed: 1,
    dbt_tests_passed: 4,
    dbt_tests_failed: 0,
    model_name: "orders",
    timestamp: "2026-03-04T05:06:07.000Z",
  });

  it("converts to the wire message and back", () => {
    const bytes = contract.QualityScore.encode(scoreToProto(score)).finish();
    expect(scoreFromProto(contract.QualityScore.decode(bytes))).toEqual(score);
  });

  it("requires every dimension in dimension_scores", () => {
    const { timeliness: _, ...four } = score.dimension_scores;
    const r = QualityScoreSchema.safeParse({ ...score, dimension_scores: four });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["dimension_scores", "timeliness"]);
  });
});

describe("ValidationResult and GateResult", () => {
  it("default their lists to empty and convert to the wire", () => {
    expect(ValidationResultSchema.parse({ success: true })).toEqual({
      success: true,
      errors: [],
      warnings: [],
    });
    const gate = GateResultSchema.parse({
      passed: false,
      tier: "gold",
      coverage_actual: 50,
      coverage_required: 100,
      missing_tests: ["unique"],
      violations: ["coverage 50% is below 100%"],
      model_name: "customers",
    });
    expect(gateResultToProto(gate)).toEqual({
      passed: false,
      tier: "gold",
      coverageActual: 50,
      coverageRequired: 100,
      missingTests: ["unique"],
      violations: ["coverage 50% is below 100%"],
      modelName: "customers",
    });
    expect(GateResultSchema.safeParse({ ...gate, tier: "platinum" }).success).toBe(false);
  });
});

describe("QualityConfig on the wire", () => {
  it("round-trips a resolved config through the binary encoding", () => {
    const config = QualityConfigSchema.parse({
      provider: "floe_sql",
      quality_gates: { silver: { required_tests: [], min_score: 60, overridable: false } },
      dimension_weights: { completeness: 0.4, accuracy: 0.1 },
      calculation: { baseline_score: 60, severity_weights: { info: 0.25 } },
      thresholds: { min_score: 50 },
      check_timeout_seconds: 120,
      enabled: false,
      overrides: { dimension_weights: { overridable: false } },
    });
    const bytes = contract.QualityConfig.encode(qualityConfigToProto(config)).finish();
    expect(qualityConfigFromProto(contract.QualityConfig.decode(bytes))).toEqual(config);
  });

  it("fills the seed defaults for everything a message leaves unset", () => {
    const wire = contract.QualityConfig.fromPartial({ provider: "great_expectations" });
    expect(qualityConfigFromProto(wire)).toEqual(
      QualityConfigSchema.parse({ provider: "great_expectations" }),
    );
  });

  it("reports weights that do not sum to 1 as FLOE-DQ100 naming the sum", () => {
    const wire = contract.QualityConfig.fromPartial({
      provider: "floe_sql",
      dimensionWeights: { completeness: 0.15 },
    });
    let caught: unknown;
    try {
      qualityConfigFromProto(wire);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FloeError);
    expect((caught as FloeError).code).toBe("FLOE-DQ100");
    expect((caught as FloeError).path).toBe("dimension_weights");
    expect((caught as FloeError).message).toBe(
      "QualityConfig message: dimension weights sum to 0.9, not 1",
    );
  });
});
