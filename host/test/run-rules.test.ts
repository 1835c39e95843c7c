// The pure rules of the run path: why a check could not run (cause, retryable),
// when a run cannot be judged (verdict error), the run's gate, exit codes and
// their roll-up, model selection, sample masking, and the sample settings as
// lockable layer settings.
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import type { CompiledArtifacts } from "../src/compile/artifacts.js";
import { mergeLayers } from "../src/config/merge.js";
import { QualityConfigSchema } from "../src/config/quality.js";
import type { QualityCheckResult } from "../src/config/results.js";
import { FloeError } from "../src/errors/index.js";
import { cannotJudge, exitCodeOf, rollUpExitCodes, runGate } from "../src/gates/verdict.js";
import { PluginCallError } from "../src/plugins/client.js";
import { checkErrorOf, runErrorOf, suiteCheckErrors } from "../src/runtime/cause.js";
import { maskSamples, samplePolicy } from "../src/runtime/samples.js";
import { selectModels } from "../src/runtime/select.js";

const result = (fields: Partial<QualityCheckResult>): QualityCheckResult => ({
  check_name: "c",
  passed: false,
  dimension: "validity",
  severity: "warning",
  records_checked: 0,
  records_failed: 0,
  execution_time_ms: 0,
  details: {},
  error_message: null,
  custom_weight: null,
  status: "error",
  error_code: null,
  check_type: "not_null",
  column: "email",
  ...fields,
});

describe("the cause of a check that could not run", () => {
  it.each([
    ["connect ECONNREFUSED 127.0.0.1:5432", "FLOE-DQ102", "unavailable", true],
    [
      "the suite could not start: Connection terminated unexpectedly",
      "FLOE-DQ102",
      "unavailable",
      true,
    ],
    ['password authentication failed for user "etl"', "FLOE-DQ102", "config", false],
    [
      "relation main.x cannot be read: Catalog Error: Table with name x does not exist!",
      "FLOE-DQ102",
      "config",
      false,
    ],
    ['column "amountt" does not exist', "FLOE-DQ105", "config", false],
    ["canceling statement due to statement timeout", "FLOE-DQ102", "timeout", true],
    ["the plugin divided by zero", "FLOE-DQ102", "internal", false],
  ])("%s (%s) → %s", (message, code, cause, retryable) => {
    expect(checkErrorOf(result({ error_message: message, error_code: code }))).toMatchObject({
      cause,
      retryable,
      code,
      message,
    });
  });

  it("a timed-out check is a retryable timeout whatever its message", () => {
    expect(checkErrorOf(result({ status: "timed_out", error_code: null }))).toMatchObject({
      cause: "timeout",
      retryable: true,
      code: "FLOE-DQ106",
    });
  });

  it("a check that ran has no error", () => {
    expect(checkErrorOf(result({ status: "failed" }))).toBeUndefined();
    expect(checkErrorOf(result({ status: "skipped" }))).toBeUndefined();
  });

  it("a plugin that cannot be reached is unavailable; an unknown provider is config", () => {
    const down = new PluginCallError("floe_sql", status.UNAVAILABLE, "FLOE-DQ001", "not serving");
    const unknown = new PluginCallError("x", status.FAILED_PRECONDITION, "FLOE-DQ001", "unknown");
    expect(
      suiteCheckErrors(["a", "b"], down).map((e) => [e.check_name, e.cause, e.retryable]),
    ).toEqual([
      ["a", "unavailable", true],
      ["b", "unavailable", true],
    ]);
    expect(suiteCheckErrors(["a"], unknown)[0]).toMatchObject({
      cause: "config",
      retryable: false,
    });
    expect(suiteCheckErrors(["a"], new FloeError("FLOE-DQ106", "late"))[0]?.cause).toBe("timeout");
  });

  it("the run's cause is the one to act on first; retryable only when every error is", () => {
    const errors = [
      checkErrorOf(result({ check_name: "a", error_message: "ECONNREFUSED" }))!,
      checkErrorOf(result({ check_name: "b", error_message: "no such table: x" }))!,
    ];
    expect(runErrorOf(errors, "orders")).toMatchObject({
      cause: "config",
      retryable: false,
      code: "FLOE-DQ108",
      message:
        "model orders: 2 check(s) could not run (1 unavailable, 1 config): b: no such table: x",
    });
    expect(runErrorOf(errors.slice(0, 1), "orders")).toMatchObject({
      cause: "unavailable",
      retryable: true,
    });
  });
});

describe("the error rule", () => {
  const c = (severity: "critical" | "warning", st: QualityCheckResult["status"]) => ({
    severity,
    status: st,
  });

  it("judges a run where no check errored", () => {
    expect(cannotJudge([c("critical", "failed"), c("warning", "passed")])).toBe(false);
    expect(cannotJudge([])).toBe(false);
  });

  it("cannot judge when a critical check could not run", () => {
    expect(
      cannotJudge([c("critical", "timed_out"), ...Array(9).fill(c("warning", "passed"))]),
    ).toBe(true);
  });

  it("cannot judge when half of the checks tried could not run; skipped ones are not tried", () => {
    expect(cannotJudge([c("warning", "error"), c("warning", "passed")])).toBe(true);
    expect(
      cannotJudge([c("warning", "error"), c("warning", "passed"), c("warning", "failed")]),
    ).toBe(false);
    // fail_fast: the first check errored, the rest were skipped.
    expect(
      cannotJudge([c("warning", "error"), c("warning", "skipped"), c("warning", "skipped")]),
    ).toBe(true);
  });
});

describe("the run's gate and exit codes", () => {
  const coverage = {
    passed: true,
    tier: "gold" as const,
    coverage_actual: 100,
    coverage_required: 100,
    missing_tests: [],
    violations: [],
    model_name: "customers",
  };
  const gold = { min_test_coverage: 100, required_tests: [], min_score: 90, overridable: true };

  it("applies the tier's min_score to the score, once", () => {
    expect(runGate(coverage, 82.5, gold)).toMatchObject({
      passed: false,
      violations: ["score 82.5 is below the gold gate's min_score 90"],
    });
    expect(runGate(coverage, 90, gold)).toMatchObject({ passed: true, violations: [] });
  });

  it("does not judge min_score without a score (verdict error)", () => {
    expect(runGate(coverage, undefined, gold)).toMatchObject({ passed: true, violations: [] });
  });

  it("exits 0 pass/warn, 1 fail, 3 error; several runs take the worst, a usage error above all", () => {
    expect(["pass", "warn", "fail", "error"].map((v) => exitCodeOf(v as "pass"))).toEqual([
      0, 0, 1, 3,
    ]);
    expect(rollUpExitCodes([0, 1, 0])).toBe(1);
    expect(rollUpExitCodes([1, 3, 0])).toBe(3);
    expect(rollUpExitCodes([3, 2, 1])).toBe(2);
    expect(rollUpExitCodes([])).toBe(0);
  });
});

describe("model selection", () => {
  const model = (name: string, tier: "bronze" | "silver" | "gold", tags: string[] = []) => ({
    name,
    quality_tier: tier,
    relation: name,
    columns: null,
    columns_source: "unknown" as const,
    tags,
    fail_fast: false,
    quality_checks: [],
    dbt_tests: [],
  });
  const artifacts = {
    product: { name: "shop" },
    models: [
      model("customers", "gold", ["pii"]),
      model("orders", "silver", ["finance"]),
      model("stg_orders", "bronze"),
    ],
  } as unknown as CompiledArtifacts;
  const names = (selectors: string[]) => selectModels(artifacts, selectors).map((m) => m.name);

  it("by name, glob, tier and tag, in the artifacts' order, each once", () => {
    expect(names(["stg_*"])).toEqual(["stg_orders"]);
    expect(names(["*orders"])).toEqual(["orders", "stg_orders"]);
    expect(names(["tier:gold,tag:finance"])).toEqual(["customers", "orders"]);
    expect(names(["orders", "tag:finance", "tier:silver"])).toEqual(["orders"]);
  });

  it("an item matching nothing is FLOE-DQ100 with a suggestion", () => {
    expect(() => names(["ordres"])).toThrow(
      /--select ordres matches no model of product shop \(did you mean 'orders'\?\)/,
    );
  });
});

describe("sample masking", () => {
  const config = QualityConfigSchema.parse({
    provider: "floe_sql",
    sample_size: 2,
    sensitive_columns: ["email", "orders.card"],
  });

  it("hashes sensitive values stably, keeps others, cuts to sample_size", () => {
    const policy = samplePolicy(config, "customers", "key");
    const masked = maskSamples(
      result({ status: "failed", details: { failing_samples: ["a@x.com", "b@x.com", "c@x.com"] } }),
      policy,
    );
    const samples = masked.details.failing_samples as string[];
    expect(samples).toHaveLength(2);
    expect(samples[0]).toMatch(/^masked:[0-9a-f]{16}$/);
    expect(samples[0]).toBe(policy.mask("a@x.com"));
    expect(samplePolicy(config, "other", "key").mask("a@x.com")).toBe(samples[0]);
    expect(samplePolicy(config, "customers", "another key").mask("a@x.com")).not.toBe(samples[0]);
    const rows = maskSamples(
      result({
        status: "failed",
        column: null,
        details: { failing_samples: [{ email: "a@x.com", plan: "pro" }] },
      }),
      policy,
    );
    expect(rows.details.failing_samples).toEqual([{ email: policy.mask("a@x.com"), plan: "pro" }]);
  });

  it("a model-qualified entry masks that model's column only", () => {
    const card = result({
      status: "failed",
      column: "card",
      details: { failing_samples: ["4111"] },
    });
    expect(
      maskSamples(card, samplePolicy(config, "orders", "k")).details.failing_samples,
    ).not.toEqual(["4111"]);
    expect(maskSamples(card, samplePolicy(config, "refunds", "k")).details.failing_samples).toEqual(
      ["4111"],
    );
  });

  it("masks the observed value of a sensitive column unless it aggregates many rows", () => {
    const policy = samplePolicy(config, "customers", "k");
    const max = result({
      status: "failed",
      check_type: "max_between",
      details: { observed_value: "zed@x.com" },
    });
    const mean = result({
      status: "failed",
      check_type: "mean_between",
      details: { observed_value: 12.5 },
    });
    expect(maskSamples(max, policy).details.observed_value).toBe(policy.mask("zed@x.com"));
    expect(maskSamples(mean, policy).details.observed_value).toBe(12.5);
  });
});

describe("sample settings in the layers", () => {
  it("are lockable by the enterprise layer (FLOE-DQ107 below)", () => {
    const merged = mergeLayers([
      {
        layer: "enterprise",
        file: "manifest.yaml",
        quality: {
          sensitive_columns: ["email"],
          store_samples: false,
          overrides: {
            sensitive_columns: { overridable: false },
            store_samples: { overridable: false },
          },
        },
      },
      {
        layer: "product",
        file: "floe.yaml",
        quality: { sensitive_columns: [], store_samples: true, sample_size: 10 },
      },
    ]);
    expect(merged.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["FLOE-DQ107", "quality.sensitive_columns"],
      ["FLOE-DQ107", "quality.store_samples"],
    ]);
  });
});
