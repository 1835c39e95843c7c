// runModelQuality: one model's checks after its materialization, end to end.
// Compiled artifacts → the model's suite and tier → its provider's plugin →
// connection with secrets resolved now → RunChecks (streamed) → dbt tests
// joined → error rule → score → thresholds and tier gate → verdict; lineage
// START before the plugin call and COMPLETE/FAIL after; spans around the run,
// the plugin call and scoring. Lineage and tracing never fail or lose a run's results.
//
// One representation: each plugin result is converted to the host's
// QualityCheckResult once, where it arrives (and masked there); progress,
// scoring, gates, lineage and every output read that same object.

import {
  ANOMALY_DEFAULTS,
  type contract,
  type DbtTestResult,
  scrubbedDeep,
  scrubbedError,
} from "@floe/quality-sdk";
import { SpanStatusCode } from "@opentelemetry/api";
import type { CompiledArtifacts, CompiledModel } from "../compile/artifacts.js";
import type { QualityCheck } from "../config/check.js";
import {
  checkResultFromProto,
  dimensionToProto,
  type GateResult,
  type QualityCheckResult,
  type QualityScore,
  type QualitySuiteResult,
  severityToProto,
} from "../config/results.js";
import { type Diagnostic, diagnostic, FloeError } from "../errors/index.js";
import { evaluateGates } from "../gates/evaluate.js";
import { cannotJudge, decideVerdict, runGate, type Verdict } from "../gates/verdict.js";
import type { RunHistory } from "../history/store.js";
import type { LineageEmitter } from "../lineage/emitter.js";
import { buildEndEvent, buildStartEvent, type QualityRunLineage } from "../lineage/events.js";
import { newRunId } from "../lineage/run-id.js";
import type { ScoringPool } from "../scoring/pool.js";
import { calculateQualityScore } from "../scoring/score.js";
import { currentTraceparent, withSpan } from "../telemetry/index.js";
import {
  type CheckError,
  checkErrorOf,
  type RunError,
  runErrorOf,
  suiteCheckErrors,
  suiteErrorCause,
} from "./cause.js";
import { datasetName, resolveConnection, secretsOf } from "./connection.js";
import { dbtCheckResult } from "./dbt.js";
import type { PluginPool } from "./plugin-pool.js";
import { maskSamples, type SamplePolicy, samplePolicy, storedResult } from "./samples.js";

export interface CheckProgress {
  model: string;
  result: QualityCheckResult;
  completed: number;
  total: number;
  /** Set when the check could not run. */
  error?: CheckError | undefined;
  /** How the result's samples may leave the host. */
  samples: SamplePolicy;
}

export interface RunModelInput {
  /** Validated CompiledArtifacts (one reader: `readArtifactsFile` / `parseArtifacts`). */
  artifacts: CompiledArtifacts;
  model: string;
  /** Every test of one dbt run (`parseDbtTestResults`); the model's own join its results. */
  dbtTests?: readonly DbtTestResult[] | undefined;
  /** Overrides the suite timeout (check_timeout_seconds) when positive. */
  timeoutSeconds?: number | undefined;
  /** The orchestrator's OpenLineage run, recorded as the parent facet. */
  parent?: { runId: string; namespace: string; name: string } | undefined;
  /** Called with each check result as the plugin finishes it. */
  onProgress?: ((progress: CheckProgress) => void) | undefined;
  /** Cancels the plugin call (the caller went away). */
  signal?: AbortSignal | undefined;
}

export interface RunDeps {
  plugins: PluginPool;
  lineage: LineageEmitter;
  /** Where `${env:NAME}` references are resolved; process.env by default. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Relative DuckDB paths are taken from here; process.cwd() by default. */
  cwd?: string | undefined;
  /** OpenLineage job namespace; OPENLINEAGE_NAMESPACE, else the product name. */
  lineageNamespace?: string | undefined;
  /**
   * Scores on this pool (inline below its cut-over, on a worker above) instead
   * of inline; the server shares one between runs and CalculateQualityScore.
   */
  scoring?: ScoringPool | undefined;
  /** Where each run is appended (never fails a run: FLOE-DQ112 is a warning). */
  history?: RunHistory | undefined;
}

export interface QualityRunOutcome {
  runId: string;
  model: string;
  provider: string;
  qualityTier: CompiledModel["quality_tier"];
  suiteResult: QualitySuiteResult;
  /** The model's dbt tests as check results (check_name = the dbt test name). */
  dbtTests: QualityCheckResult[];
  /** Null when the verdict is `error`: too few checks ran to judge the data. */
  score: QualityScore | null;
  verdict: Verdict;
  violations: string[];
  /** The gate of the model (coverage counting its dbt tests) with the tier's min_score applied. */
  gate: GateResult;
  /** Every check and dbt test that could not run, with its cause. */
  errors: CheckError[];
  /** Why the verdict is `error`; null otherwise. */
  error: RunError | null;
  diagnostics: Diagnostic[];
  /** How samples may leave the host (`storedOutcome`). */
  samples: SamplePolicy;
}

/** The model of the artifacts named `name`, or FLOE-DQ100 listing the compiled ones. */
export function findModel(artifacts: CompiledArtifacts, name: string): CompiledModel {
  const model = artifacts.models.find((m) => m.name === name);
  if (model !== undefined) return model;
  const known = artifacts.models.map((m) => m.name);
  throw new FloeError(
    "FLOE-DQ100",
    `model '${name}' is not in the compiled artifacts of product ${artifacts.product.name} (models: ${known.join(", ") || "none"})`,
    {
      path: "models",
      fix: "Name one of the compiled models (or select several with --select / --all), or add the model to floe.yaml and compile again.",
    },
  );
}

/** The model's suite as the plugin protocol carries it. */
export function suiteOf(model: CompiledModel, timeoutSeconds: number): contract.QualitySuite {
  return {
    modelName: model.name,
    checks: model.quality_checks.map((c) => ({
      name: c.name,
      type: c.type,
      column: c.column ?? "",
      dimension: dimensionToProto(c.dimension),
      severity: severityToProto(c.severity),
      customWeight: c.custom_weight,
      parameters: c.parameters,
      enabled: c.enabled,
    })),
    timeoutSeconds,
    failFast: model.fail_fast,
    nativeSuite: "",
  };
}

/**
 * The suite with each enabled anomaly check's `history` parameter filled from
 * the run history: the check's observed values over its last lookback_runs runs.
 */
export async function withAnomalyHistory(
  suite: contract.QualitySuite,
  product: string,
  history: RunHistory | undefined,
): Promise<contract.QualitySuite> {
  const anomalies = suite.checks.filter((c) => c.enabled && c.type === "anomaly");
  if (anomalies.length === 0) return suite;
  const values =
    history === undefined
      ? new Map<string, number[]>()
      : await history.observedValues(
          product,
          suite.modelName,
          anomalies.map((c) => ({
            name: c.name,
            limit: Number(c.parameters?.lookback_runs ?? ANOMALY_DEFAULTS.lookback_runs),
          })),
        );
  return {
    ...suite,
    checks: suite.checks.map((c) =>
      anomalies.includes(c)
        ? { ...c, parameters: { ...c.parameters, history: values.get(c.name) ?? [] } }
        : c,
    ),
  };
}

/** The result of a compiled check that has no result of its own: skipped, or it could not run. */
function resultWithout(
  check: QualityCheck,
  status: "skipped" | "error" | "timed_out",
  code: string | null,
  message: string,
): QualityCheckResult {
  return {
    check_name: check.name,
    passed: false,
    dimension: check.dimension,
    severity: check.severity,
    records_checked: 0,
    records_failed: 0,
    execution_time_ms: 0,
    details: {},
    error_message: message,
    custom_weight: check.custom_weight ?? null,
    status,
    error_code: code,
    check_type: check.type,
    column: check.column ?? null,
  };
}

interface Streamed {
  results: Map<string, QualityCheckResult>;
  summary: contract.QualitySuiteResult | undefined;
  /** What stopped the suite before its summary, if anything. */
  stopped: unknown;
}

/** Runs one model's checks and returns results, score and verdict (never throws for lineage or tracing). */
export async function runModelQuality(
  input: RunModelInput,
  deps: RunDeps,
): Promise<QualityRunOutcome> {
  const env = deps.env ?? process.env;
  const artifacts = input.artifacts;
  const model = findModel(artifacts, input.model);
  const config = artifacts.quality_config;
  const provider = config.provider;
  const tierGate = config.quality_gates[model.quality_tier];
  const timeoutSeconds =
    input.timeoutSeconds !== undefined && input.timeoutSeconds > 0
      ? input.timeoutSeconds
      : config.check_timeout_seconds;
  const connection = resolveConnection(artifacts.product.compute, env, deps.cwd);
  const secrets = secretsOf(artifacts.product.compute, env);
  const policy = samplePolicy(
    config,
    model.name,
    env.FLOE_SAMPLE_HASH_KEY || artifacts.product.name,
  );
  const modelDbt =
    input.dbtTests === undefined ? undefined : input.dbtTests.filter((t) => t.model === model.name);
  const dbtTests = (modelDbt ?? []).map((t) => maskSamples(dbtCheckResult(t), policy));
  const lineageRun: QualityRunLineage = {
    runId: newRunId(),
    namespace: deps.lineageNamespace ?? env.OPENLINEAGE_NAMESPACE ?? artifacts.product.name,
    model: model.name,
    dataset: datasetName(artifacts.product.compute, model.relation, deps.cwd),
    parent: input.parent,
  };

  return withSpan(
    "floe.run",
    {
      "floe.model": model.name,
      "floe.provider": provider,
      "floe.quality_tier": model.quality_tier,
      "floe.run_id": lineageRun.runId,
      "floe.checks.total": model.quality_checks.length,
    },
    async (runSpan) => {
      await deps.lineage.emit(buildStartEvent(lineageRun));
      const total = model.quality_checks.length;
      const errorsByName = new Map<string, CheckError>();
      const streamed: Streamed = { results: new Map(), summary: undefined, stopped: undefined };
      if (model.quality_checks.some((c) => c.enabled)) {
        const suite = await withAnomalyHistory(
          suiteOf(model, timeoutSeconds),
          artifacts.product.name,
          deps.history,
        );
        await withSpan(
          "floe.plugin.RunChecks",
          { "floe.model": model.name, "floe.provider": provider },
          async (span) => {
            const traceparent = currentTraceparent();
            try {
              await deps.plugins.withPlugin(
                provider,
                async (plugin) => {
                  const events = plugin.client.streamChecks(
                    {
                      suite,
                      connection,
                      relation: model.relation,
                      options: {
                        maxFailingSamples: policy.size,
                        sensitiveColumns: [],
                      },
                      runId: lineageRun.runId,
                    },
                    {
                      timeoutMs: timeoutSeconds * 1000,
                      ...(input.signal === undefined ? {} : { signal: input.signal }),
                      ...(traceparent === undefined ? {} : { traceparent }),
                    },
                  );
                  // The plugin works now: load the history driver meanwhile.
                  deps.history?.warm();
                  for await (const event of events) {
                    if (event.$case === "summary") {
                      streamed.summary = event.value;
                      continue;
                    }
                    const result = maskSamples(
                      scrubbedDeep(checkResultFromProto(event.value), secrets),
                      policy,
                    );
                    streamed.results.set(result.check_name, result);
                    const error = checkErrorOf(result);
                    if (error !== undefined) errorsByName.set(result.check_name, error);
                    input.onProgress?.({
                      model: model.name,
                      result,
                      completed: streamed.results.size,
                      total,
                      error,
                      samples: policy,
                    });
                  }
                },
                traceparent === undefined ? {} : { TRACEPARENT: traceparent },
              );
            } catch (error) {
              streamed.stopped = error instanceof Error ? scrubbedError(error, secrets) : error;
              await deps.plugins.evictFailed(provider);
            }
            span.setAttribute("floe.checks.received", streamed.results.size);
          },
        );
      }

      const checks = checksInOrder(model, streamed, errorsByName);
      const errors = [
        ...checks.flatMap((c) => errorsByName.get(c.check_name) ?? []),
        ...dbtTests.flatMap((t) => checkErrorOf(t, "dbt") ?? []),
      ];
      const suiteResult: QualitySuiteResult = {
        suite_name: streamed.summary?.suiteName || model.name,
        model_name: model.name,
        passed: checks.every((c) => c.status === "passed" || c.status === "skipped"),
        checks,
        execution_time_ms: streamed.summary?.executionTimeMs ?? 0,
        summary: streamed.summary?.summary ?? {},
        timestamp: (streamed.summary?.timestamp ?? new Date()).toISOString(),
      };
      const error = cannotJudge([...checks, ...dbtTests]) ? runErrorOf(errors, model.name) : null;
      const score =
        error !== null
          ? null
          : await withSpan(
              "floe.score",
              { "floe.model": model.name, "floe.checks.total": checks.length },
              async (span) => {
                const options = { dbtResults: dbtTests, modelName: model.name };
                const s =
                  deps.scoring === undefined
                    ? calculateQualityScore(checks, config, options)
                    : await deps.scoring.scoreChecks(checks, config, options);
                span.setAttribute("floe.score", s.overall);
                return s;
              },
            );
      const { verdict, violations } =
        score === null
          ? { verdict: "error" as const, violations: [] }
          : decideVerdict(score.overall, config.thresholds, model.quality_tier, tierGate);
      const coverage = evaluateGates(
        {
          name: model.name,
          tier: model.quality_tier,
          columns: model.columns ?? undefined,
          quality_checks: model.quality_checks,
          dbt_tests:
            modelDbt === undefined
              ? model.dbt_tests
              : modelDbt.filter((t) => t.status !== "skipped"),
        },
        config.quality_gates,
      );
      const diagnostics: Diagnostic[] = [];
      if (verdict === "fail") {
        diagnostics.push(
          diagnostic("FLOE-DQ102", `model ${model.name}: ${violations.join("; ")}`, {
            path: model.name,
          }),
        );
      }
      if (error !== null) {
        diagnostics.push(
          diagnostic("FLOE-DQ108", error.message, { path: model.name, fix: error.fix }),
        );
      }
      runSpan.setAttributes({
        "floe.checks.passed": checks.filter((c) => c.status === "passed").length,
        "floe.checks.failed": checks.filter((c) => c.status === "failed").length,
        "floe.checks.errored": errors.length,
        "floe.verdict": verdict,
        ...(score === null ? {} : { "floe.score": score.overall }),
        ...(error === null
          ? {}
          : { "floe.error.cause": error.cause, "floe.error.retryable": error.retryable }),
      });
      if (error !== null) runSpan.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      await deps.lineage.emit(
        buildEndEvent(lineageRun, {
          checks: [...checks, ...dbtTests],
          score: score ?? undefined,
          verdict,
          qualityTier: model.quality_tier,
          errorMessage:
            error !== null
              ? `${error.code}: ${error.message}`
              : verdict === "fail"
                ? `FLOE-DQ102: ${violations.join("; ")}`
                : undefined,
          error: error === null ? undefined : { ...error, checks: errors },
        }),
      );
      const outcome: QualityRunOutcome = {
        runId: lineageRun.runId,
        model: model.name,
        provider,
        qualityTier: model.quality_tier,
        suiteResult,
        dbtTests,
        score,
        verdict,
        violations,
        gate: runGate(coverage, score?.overall, tierGate),
        errors,
        error,
        diagnostics,
        samples: policy,
      };
      await deps.history?.record(artifacts.product.name, outcome, secrets);
      return outcome;
    },
  );
}

/**
 * The results in the order the model declares its checks (plugins stream them
 * as they finish). A check the plugin sent nothing for is skipped when disabled,
 * else it could not run: for the reason that stopped the suite, if any.
 */
function checksInOrder(
  model: CompiledModel,
  streamed: Streamed,
  errorsByName: Map<string, CheckError>,
): QualityCheckResult[] {
  const out: QualityCheckResult[] = [];
  const missing: QualityCheck[] = [];
  for (const check of model.quality_checks) {
    const result = streamed.results.get(check.name);
    if (result !== undefined) out.push(result);
    else if (!check.enabled) {
      out.push(resultWithout(check, "skipped", null, "the check is disabled"));
    } else {
      missing.push(check);
      out.push(resultWithout(check, "error", null, ""));
    }
  }
  if (missing.length > 0) {
    const stopped =
      streamed.stopped ??
      new FloeError("FLOE-DQ108", "the plugin ended the suite without a result for this check");
    const { cause, code, message } = suiteErrorCause(stopped);
    const status = cause === "timeout" ? "timed_out" : "error";
    const errors = suiteCheckErrors(
      missing.map((c) => c.name),
      stopped,
    );
    missing.forEach((check, i) => {
      const at = out.findIndex((r) => r.check_name === check.name);
      out[at] = resultWithout(check, status, code, message);
      errorsByName.set(check.name, errors[i]!);
    });
  }
  const declared = new Set(model.quality_checks.map((c) => c.name));
  for (const [name, result] of streamed.results) if (!declared.has(name)) out.push(result);
  return out;
}

/** The outcome as it is stored or sent (JSON, JUnit, gRPC): samples dropped when store_samples is false. */
export function storedOutcome(outcome: QualityRunOutcome): QualityRunOutcome {
  if (outcome.samples.store) return outcome;
  return {
    ...outcome,
    suiteResult: {
      ...outcome.suiteResult,
      checks: outcome.suiteResult.checks.map((c) => storedResult(c, outcome.samples)),
    },
    dbtTests: outcome.dbtTests.map((t) => storedResult(t, outcome.samples)),
  };
}
