// floe-quality run: one model's checks from compiled artifacts, as an orchestrator
// step would run them: results, score, verdict. Exit 0 pass or warn, 1 fail, 2 a
// usage or configuration error.
import { readFile } from "node:fs/promises";
import { FloeError } from "@floe/quality-sdk";
import { renderDiagnostic } from "../../errors/index.js";
import {
  type DbtResultsInput,
  openHostServices,
  type QualityRunOutcome,
  readArtifactsFile,
  runModelQuality,
} from "../../runtime/index.js";
import { formatScore } from "../../runtime/verdict.js";
import { runOneFileProject } from "../one-file.js";
import {
  parseOptions,
  printJson,
  renderError,
  requireOptions,
  tableLines,
  UsageError,
} from "../output.js";

const USAGE = `usage: floe-quality run --artifacts FILE --model NAME
                         [--dbt-run-results FILE --dbt-manifest FILE] [--timeout SECONDS] [--json]
       floe-quality run --config floe.yaml [--model NAME] [--timeout SECONDS] [--json]

  --artifacts        compiled_artifacts.json (floe-quality compile)
  --config           a one-file project: floe.yaml compiled in memory with the built-in
                     enterprise defaults (floe_sql, seed thresholds and gates); paths in it
                     are relative to it; every model runs unless --model names one
  --model            the model just materialized
  --dbt-run-results  dbt target/run_results.json: the model's dbt tests join the score
  --dbt-manifest     dbt target/manifest.json of the same run (required with --dbt-run-results)
  --timeout          suite timeout in seconds (default: check_timeout_seconds)
  --json             print one JSON document: suite_result, score, verdict, violations

Exit codes: 0 pass or warn, 1 fail (FLOE-DQ102) or a run error, 2 usage or configuration error.
Lineage and traces follow OPENLINEAGE_* / FLOE_LINEAGE_* and OTEL_* (docs/host.md).`;

const OPTIONS = {
  artifacts: { type: "string" },
  config: { type: "string" },
  model: { type: "string" },
  "dbt-run-results": { type: "string" },
  "dbt-manifest": { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Errors about the input rather than the data: exit code 2. */
const CONFIG_CODES = new Set(["FLOE-DQ100", "FLOE-DQ101"]);

async function readDbt(runResults: string, manifest: string): Promise<DbtResultsInput> {
  const read = async (file: string, kind: string) => {
    try {
      return await readFile(file, "utf8");
    } catch (error) {
      throw new FloeError(
        "FLOE-DQ100",
        `cannot read the file (${(error as NodeJS.ErrnoException).code ?? error})`,
        { file, fix: `Give the path of the ${kind} dbt wrote in its target/ directory.` },
      );
    }
  };
  return {
    runResultsJson: await read(runResults, "run_results.json"),
    manifestJson: await read(manifest, "manifest.json"),
    runResultsFile: runResults,
    manifestFile: manifest,
  };
}

export async function run(argv: string[]): Promise<number> {
  const values = parseOptions(argv, OPTIONS, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.config !== undefined) {
    if (values.artifacts !== undefined || values["dbt-run-results"] !== undefined) {
      throw new UsageError(
        "--config runs a one-file project: it takes no --artifacts or dbt results",
      );
    }
    return runOneFileProject(values.config, {
      model: values.model,
      timeoutSeconds: timeoutOf(values.timeout),
      json: values.json === true,
    });
  }
  requireOptions(values, ["artifacts", "model"], USAGE);
  if ((values["dbt-run-results"] === undefined) !== (values["dbt-manifest"] === undefined)) {
    throw new UsageError("--dbt-run-results and --dbt-manifest go together");
  }
  const timeout = timeoutOf(values.timeout);

  let outcome: QualityRunOutcome;
  const services = await openHostServices();
  try {
    const artifacts = await readArtifactsFile(values.artifacts!);
    const dbtResults =
      values["dbt-run-results"] === undefined
        ? undefined
        : await readDbt(values["dbt-run-results"], values["dbt-manifest"]!);
    // Progress is for a person watching a terminal; pipes and --json get the result only.
    const progress = process.stderr.isTTY && !values.json;
    outcome = await runModelQuality(
      {
        artifacts,
        model: values.model!,
        dbtResults,
        timeoutSeconds: timeout,
        onProgress: progress
          ? (p) =>
              process.stderr.write(
                `\r\x1b[K[${p.completed}/${p.total}] ${p.result.check_name} ${p.result.status}`,
              )
          : undefined,
      },
      services,
    );
    if (progress) process.stderr.write("\r\x1b[K");
  } catch (error) {
    if (!(error instanceof FloeError)) throw error;
    process.stderr.write(`${renderError(error)}\n`);
    return CONFIG_CODES.has(error.code) ? 2 : 1;
  } finally {
    await services.close();
    services.releaseProcess();
  }
  if (values.json) printJson(runReport(outcome));
  else {
    process.stdout.write(`${renderRunOutcome(outcome)}\n`);
    if (outcome.diagnostics.length > 0) {
      process.stderr.write(`${outcome.diagnostics.map(renderDiagnostic).join("\n")}\n`);
    }
  }
  return outcome.verdict === "fail" ? 1 : 0;
}

function timeoutOf(text: string | undefined): number | undefined {
  const timeout = text === undefined ? undefined : Number(text);
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) {
    throw new UsageError(`--timeout must be a whole number of seconds, got '${text}'`);
  }
  return timeout;
}

/** The JSON document of `run --json`: the seed's snake_case fields. */
export function runReport(outcome: QualityRunOutcome) {
  return {
    model: outcome.model,
    quality_tier: outcome.qualityTier,
    provider: outcome.provider,
    run_id: outcome.runId,
    suite_result: outcome.suiteResult,
    score: outcome.score,
    verdict: outcome.verdict,
    violations: outcome.violations,
    gate: outcome.gate,
    diagnostics: outcome.diagnostics,
  };
}

const STATUS_LABEL: Readonly<Record<string, string>> = {
  passed: "pass",
  failed: "FAIL",
  error: "ERROR",
  timed_out: "TIMEOUT",
  skipped: "skip",
};

/** A table per check, then the dimension scores, the score and the verdict. */
export function renderRunOutcome(outcome: QualityRunOutcome): string {
  const rows = outcome.suiteResult.checks.map((c) => [
    STATUS_LABEL[c.status] ?? c.status,
    c.check_name,
    c.dimension,
    c.severity,
    c.column ?? "(table)",
    c.status === "skipped" ? "" : `${c.records_failed}/${c.records_checked}`,
    c.error_message ?? "",
  ]);
  const header = ["status", "check", "dimension", "severity", "column", "failed", "note"];
  const s = outcome.score;
  const dimensions = Object.entries(s.dimension_scores)
    .map(([d, v]) => `${d} ${formatScore(v)}`)
    .join(", ");
  return [
    `${outcome.model} (${outcome.qualityTier}, ${outcome.provider}): ${s.checks_passed} passed, ${s.checks_failed} failed` +
      (s.dbt_tests_passed + s.dbt_tests_failed > 0
        ? `; dbt tests ${s.dbt_tests_passed} passed, ${s.dbt_tests_failed} failed`
        : ""),
    ...tableLines([header, ...rows]).map((line) => `  ${line}`),
    `  dimensions: ${dimensions}`,
    `  score ${formatScore(s.overall)} → ${outcome.verdict.toUpperCase()}` +
      (outcome.violations.length > 0 ? ` (${outcome.violations.join("; ")})` : ""),
  ].join("\n");
}
