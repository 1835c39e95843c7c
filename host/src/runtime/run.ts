// runModelQuality: one model's checks after its materialization, end to end.
// Compiled artifacts → the model's suite and tier → its provider's plugin →
// connection with secrets resolved now → RunChecks (streamed) → dbt results
// folded in → score → thresholds and tier gate → verdict; lineage START before
// the plugin call and COMPLETE/FAIL after; spans around the run, the plugin call
// and scoring. Lineage and tracing never fail or lose a run's results.
import { contract, type DbtTestResult, FloeError, parseDbtTestResults } from "@floe/quality-sdk";
import type { CompiledArtifacts, CompiledModel } from "../compile/artifacts.js";
import type { QualityConfig } from "../config/quality.js";
import {
  checkResultFromProto,
  checkResultToProto,
  dimensionToProto,
  type GateResult,
  type QualityCheckResult,
  type QualityScore,
  type QualitySuiteResult,
  qualityConfigToProto,
  severityToProto,
  suiteResultFromProto,
  suiteResultToProto,
} from "../config/results.js";
import { type Diagnostic, diagnostic } from "../errors/index.js";
import type { LineageEmitter } from "../lineage/emitter.js";
import { buildEndEvent, buildStartEvent, type QualityRunLineage } from "../lineage/events.js";
import { newRunId } from "../lineage/run-id.js";
import type { ScoringPool } from "../scoring/pool.js";
import { calculateQualityScore } from "../scoring/score.js";
import { currentTraceparent, withSpan } from "../telemetry/index.js";
import { parseArtifacts } from "./artifacts.js";
import { datasetName, resolveConnection } from "./connection.js";
import type { PluginPool } from "./plugin-pool.js";
import { decideVerdict, formatScore, type Verdict } from "./verdict.js";

export interface DbtResultsInput {
  runResultsJson: string;
  manifestJson: string;
  /** Names used in errors. */
  runResultsFile?: string | undefined;
  manifestFile?: string | undefined;
}

export interface CheckProgress {
  result: QualityCheckResult;
  completed: number;
  total: number;
}

export interface RunModelInput {
  /** CompiledArtifacts as parsed JSON (validated here) or already validated. */
  artifacts: unknown;
  model: string;
  dbtResults?: DbtResultsInput | undefined;
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
}

export interface QualityRunOutcome {
  runId: string;
  model: string;
  provider: string;
  qualityTier: CompiledModel["quality_tier"];
  suiteResult: QualitySuiteResult;
  score: QualityScore;
  verdict: Verdict;
  violations: string[];
  /** The compiled gate of the model with the tier's min_score applied to this run's score. */
  gate: GateResult;
  diagnostics: Diagnostic[];
}

function findModel(artifacts: CompiledArtifacts, name: string): CompiledModel {
  const model = artifacts.models.find((m) => m.name === name);
  if (model !== undefined) return model;
  const known = artifacts.models.map((m) => m.name);
  throw new FloeError(
    "FLOE-DQ100",
    `model '${name}' is not in the compiled artifacts of product ${artifacts.product.name} (models: ${known.join(", ") || "none"})`,
    {
      path: "models",
      fix: "Name one of the compiled models, or add the model to floe.yaml and compile again.",
    },
  );
}

function suiteOf(model: CompiledModel, timeoutSeconds: number): contract.QualitySuite {
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
    failFast: false,
    nativeSuite: "",
  };
}

function dbtTestsOf(input: DbtResultsInput | undefined, model: string): DbtTestResult[] {
  if (input === undefined) return [];
  return parseDbtTestResults(input.runResultsJson, input.manifestJson, {
    model,
    runResultsFile: input.runResultsFile,
    manifestFile: input.manifestFile,
  });
}

function gateOf(
  artifacts: CompiledArtifacts,
  model: CompiledModel,
  overall: number,
  minScore: number,
): GateResult {
  const compiled = artifacts.gates.find((g) => g.model_name === model.name) ?? {
    passed: true,
    tier: model.quality_tier,
    coverage_actual: 0,
    coverage_required: 0,
    missing_tests: [],
    violations: [],
    model_name: model.name,
  };
  const below = overall < minScore;
  return {
    ...compiled,
    passed: compiled.passed && !below,
    violations: below
      ? [
          ...compiled.violations,
          `score ${formatScore(overall)} is below the ${model.quality_tier} gate's min_score ${minScore}`,
        ]
      : [...compiled.violations],
  };
}

/** The encoded CalculateQualityScoreRequest of a run, for the scoring pool. */
function scoreRequestBytes(
  suite: QualitySuiteResult,
  config: QualityConfig,
  dbtTests: readonly DbtTestResult[],
): Uint8Array {
  return contract.CalculateQualityScoreRequest.encode({
    results: suiteResultToProto(suite),
    config: qualityConfigToProto(config),
    dbtResults: dbtTests.map((t) =>
      checkResultToProto({
        check_name: t.check_name,
        passed: t.passed,
        dimension: t.dimension,
        severity: t.severity,
        records_checked: 0,
        records_failed: t.records_failed,
        execution_time_ms: t.execution_time_ms,
        details: {},
        error_message: t.error_message,
        custom_weight: null,
        status: t.status,
        error_code: null,
        check_type: t.check_type,
        column: t.column,
      }),
    ),
  }).finish();
}

/** The results in the order the model declares its checks (plugins stream them as they finish). */
function inCheckOrder(result: QualitySuiteResult, model: CompiledModel): QualitySuiteResult {
  const position = new Map(model.quality_checks.map((c, i) => [c.name, i]));
  const rank = (name: string) => position.get(name) ?? Number.MAX_SAFE_INTEGER;
  return {
    ...result,
    checks: [...result.checks].sort((a, b) => rank(a.check_name) - rank(b.check_name)),
  };
}

/** Runs one model's checks and returns results, score and verdict (never throws for lineage or tracing). */
export async function runModelQuality(
  input: RunModelInput,
  deps: RunDeps,
): Promise<QualityRunOutcome> {
  const env = deps.env ?? process.env;
  const artifacts = parseArtifacts(input.artifacts);
  const model = findModel(artifacts, input.model);
  const config = artifacts.quality_config;
  const provider = config.provider;
  const tierGate = config.quality_gates[model.quality_tier];
  const timeoutSeconds =
    input.timeoutSeconds !== undefined && input.timeoutSeconds > 0
      ? input.timeoutSeconds
      : config.check_timeout_seconds;
  const dbtTests = dbtTestsOf(input.dbtResults, model.name);
  const connection = resolveConnection(artifacts.product.compute, env, deps.cwd);
  const lineageRun: QualityRunLineage = {
    runId: newRunId(),
    namespace: deps.lineageNamespace ?? env.OPENLINEAGE_NAMESPACE ?? artifacts.product.name,
    model: model.name,
    dataset: datasetName(connection, model.relation),
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
      let summary: contract.QualitySuiteResult;
      try {
        summary = await withSpan(
          "floe.plugin.RunChecks",
          { "floe.model": model.name, "floe.provider": provider },
          async (span) => {
            const traceparent = currentTraceparent();
            let completed = 0;
            const total = model.quality_checks.length;
            const result = await deps.plugins.withPlugin(
              provider,
              (plugin) =>
                plugin.client.runChecks(
                  {
                    suite: suiteOf(model, timeoutSeconds),
                    connection,
                    relation: model.relation,
                    options: undefined,
                    runId: lineageRun.runId,
                  },
                  {
                    timeoutMs: timeoutSeconds * 1000,
                    ...(input.signal === undefined ? {} : { signal: input.signal }),
                    ...(traceparent === undefined ? {} : { traceparent }),
                    onCheck: (check) => {
                      completed += 1;
                      input.onProgress?.({ result: checkResultFromProto(check), completed, total });
                    },
                  },
                ),
              traceparent === undefined ? {} : { TRACEPARENT: traceparent },
            );
            span.setAttribute("floe.checks.received", result.checks.length);
            return result;
          },
        );
      } catch (error) {
        await deps.plugins.evictFailed(provider);
        const message = error instanceof Error ? error.message : String(error);
        const code = error instanceof FloeError ? error.code : "FLOE-DQ001";
        await deps.lineage.emit(
          buildEndEvent(lineageRun, { checks: [], errorMessage: `${code}: ${message}` }),
        );
        throw error;
      }

      const suiteResult = inCheckOrder(suiteResultFromProto(summary), model);
      const score = await withSpan(
        "floe.score",
        { "floe.model": model.name, "floe.checks.total": suiteResult.checks.length },
        async (span) => {
          const s =
            deps.scoring === undefined
              ? calculateQualityScore(suiteResult.checks, config, {
                  dbtResults: dbtTests,
                  modelName: model.name,
                })
              : await deps.scoring.scoreRequest(scoreRequestBytes(suiteResult, config, dbtTests));
          span.setAttribute("floe.score", s.overall);
          return s;
        },
      );
      const { verdict, violations } = decideVerdict(
        score.overall,
        config.thresholds,
        model.quality_tier,
        tierGate,
      );
      const diagnostics: Diagnostic[] =
        verdict === "fail"
          ? [
              diagnostic("FLOE-DQ102", `model ${model.name}: ${violations.join("; ")}`, {
                path: model.name,
              }),
            ]
          : [];
      runSpan.setAttributes({
        "floe.checks.passed": score.checks_passed,
        "floe.checks.failed": score.checks_failed,
        "floe.score": score.overall,
        "floe.verdict": verdict,
      });
      await deps.lineage.emit(
        buildEndEvent(lineageRun, {
          checks: suiteResult.checks.map((c) => ({
            ...c,
            check_type: c.check_type ?? undefined,
            column: c.column ?? undefined,
          })),
          score,
          verdict,
          qualityTier: model.quality_tier,
          errorMessage: verdict === "fail" ? `FLOE-DQ102: ${violations.join("; ")}` : undefined,
        }),
      );
      return {
        runId: lineageRun.runId,
        model: model.name,
        provider,
        qualityTier: model.quality_tier,
        suiteResult,
        score,
        verdict,
        violations,
        gate: gateOf(artifacts, model, score.overall, tierGate.min_score),
        diagnostics,
      };
    },
  );
}
