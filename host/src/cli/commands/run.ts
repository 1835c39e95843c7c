// floe-quality run: one model's checks (--model) or many at once (--select,
// --all) from compiled artifacts — or from one floe.yaml compiled in memory
// (--config, every model by default) — as an orchestrator step would run them:
// results, scores, verdicts. Exit 0 pass or warn, 1 fail, 2 a usage or
// configuration error, 3 the checks could not run (verdict error); several
// models roll up to the worst (2 > 3 > 1 > 0).
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { type DbtTestResult, FloeError, parseDbtTestResults } from "@floe/quality-sdk";
import { writeFileAtomically } from "../../compile/write.js";
import { diagnosticFromError, renderDiagnostic } from "../../errors/index.js";
import { exitCodeOf, rollUpExitCodes } from "../../gates/verdict.js";
import {
  type ModelRun,
  openHostServices,
  type QualityRunOutcome,
  readArtifactsFile,
  runModels,
  selectModels,
  storedOutcome,
} from "../../runtime/index.js";
import { parseOptions, printJson, renderError, UsageError } from "../output.js";
import { type Progress, progressFor } from "../progress.js";
import { readTextFile, renderRunOutcome, renderRunSummary } from "../render.js";

const USAGE = `usage: floe-quality run --artifacts FILE (--model NAME | --select SELECTOR | --all)
                         [--threads N] [--dbt-run-results FILE --dbt-manifest FILE]
                         [--timeout SECONDS] [--json] [--junit FILE] [--quiet]
                         [--history-url URL]
       floe-quality run --config floe.yaml [--model NAME | --select SELECTOR] [options]

  --artifacts        compiled_artifacts.json (floe-quality compile)
  --config           a one-file project: floe.yaml compiled in memory on the built-in
                     enterprise defaults (floe_sql, seed thresholds and gates); paths in
                     it are relative to it; every model runs unless --model/--select say
  --model            the model just materialized (repeatable)
  --select           models by name or glob (orders, stg_*), tier:gold or tag:NAME;
                     comma-separated or repeated
  --all              every model of the artifacts
  --threads          models run at once (default: the number of cores)
  --dbt-run-results  dbt target/run_results.json: the models' dbt tests join as checks
  --dbt-manifest     dbt target/manifest.json of the same run (required with --dbt-run-results)
  --timeout          suite timeout in seconds (default: check_timeout_seconds)
  --json             print one JSON document on stdout (progress lines go to stderr)
  --junit            also write a JUnit XML report to FILE (atomically)
  --quiet            no progress
  --history-url      where each run is appended: postgresql://… for a team store, a
                     DuckDB file, or none (default FLOE_HISTORY_URL, else
                     <FLOE_STATE_DIR or .floe>/history.duckdb; docs/report.md)

Exit codes: 0 pass or warn, 1 fail (FLOE-DQ102), 2 usage or configuration error,
3 the checks could not run (verdict error, FLOE-DQ108: outage, timeout, missing
relation or column). Several models: the worst exit code (2, then 3, then 1, then 0).
Lineage and traces follow OPENLINEAGE_* / FLOE_LINEAGE_* and OTEL_* (docs/host.md).`;

const OPTIONS = {
  artifacts: { type: "string" },
  config: { type: "string" },
  model: { type: "string", multiple: true },
  select: { type: "string", multiple: true },
  all: { type: "boolean", default: false },
  threads: { type: "string" },
  "dbt-run-results": { type: "string" },
  "dbt-manifest": { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean", default: false },
  junit: { type: "string" },
  quiet: { type: "boolean", default: false },
  "history-url": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Errors about the input rather than the data: exit code 2. */
const CONFIG_CODES = new Set(["FLOE-DQ100", "FLOE-DQ101"]);

function positiveInteger(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n > 0)) {
    throw new UsageError(`--${option} must be a whole number above 0, got '${value}'`);
  }
  return n;
}

async function readDbtTests(runResults: string, manifest: string): Promise<DbtTestResult[]> {
  const [runText, manifestText] = await Promise.all([
    readTextFile(runResults, "run_results.json dbt wrote in its target/ directory"),
    readTextFile(manifest, "manifest.json dbt wrote in its target/ directory"),
  ]);
  return parseDbtTestResults(runText, manifestText, {
    runResultsFile: runResults,
    manifestFile: manifest,
  });
}

export async function run(argv: string[]): Promise<number> {
  const values = parseOptions(argv, OPTIONS, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.config !== undefined && values.artifacts !== undefined) {
    throw new UsageError("--config runs a one-file project: give it without --artifacts");
  }
  if (!values.artifacts && !values.config) {
    throw new UsageError(`missing --artifacts (or --config floe.yaml)\n\n${USAGE}`);
  }
  const named = values.model ?? [];
  const selectors = values.select ?? [];
  // A one-file project runs all of its models unless told otherwise.
  const all =
    values.all || (values.config !== undefined && named.length === 0 && selectors.length === 0);
  if (named.length === 0 && selectors.length === 0 && !all) {
    throw new UsageError(`missing --model, --select or --all\n\n${USAGE}`);
  }
  if (all && (named.length > 0 || selectors.length > 0)) {
    throw new UsageError("--all runs every model: give it without --model or --select");
  }
  if ((values["dbt-run-results"] === undefined) !== (values["dbt-manifest"] === undefined)) {
    throw new UsageError("--dbt-run-results and --dbt-manifest go together");
  }
  const timeout = positiveInteger(values.timeout, "timeout");
  const threads = positiveInteger(values.threads, "threads") ?? availableParallelism();
  const single = named.length === 1 && selectors.length === 0 && !all;

  const oneFile =
    values.config === undefined
      ? undefined
      : // The config compiler (YAML, schemas) loads only for a one-file run.
        await (await import("../one-file.js")).compileOneFileProject(values.config);
  if (oneFile === null) return 1;

  let runs: ModelRun[];
  let product: string;
  const services = await openHostServices({ historyUrl: values["history-url"] });
  let progress: Progress | undefined;
  try {
    const artifacts = oneFile ?? (await readArtifactsFile(values.artifacts!));
    product = artifacts.product.name;
    const models = all
      ? artifacts.models.map((m) => m.name)
      : [
          ...new Set([
            ...named,
            ...(selectors.length > 0 ? selectModels(artifacts, selectors).map((m) => m.name) : []),
          ]),
        ];
    const dbtTests =
      values["dbt-run-results"] === undefined
        ? undefined
        : await readDbtTests(values["dbt-run-results"], values["dbt-manifest"]!);
    progress = values.quiet
      ? undefined
      : progressFor(process.stderr, { plain: values.json === true }, artifacts, models);
    runs = await runModels(
      models,
      {
        artifacts,
        dbtTests,
        timeoutSeconds: timeout,
        onProgress: progress === undefined ? undefined : (p) => progress?.check(p),
      },
      // A one-file project's relative paths resolve from floe.yaml's directory.
      values.config === undefined
        ? services
        : { ...services, cwd: dirname(resolve(values.config)) },
      threads,
    );
  } catch (error) {
    progress?.stop();
    if (!(error instanceof FloeError)) throw error;
    process.stderr.write(`${renderError(error)}\n`);
    return CONFIG_CODES.has(error.code) ? 2 : 1;
  } finally {
    await services.close();
    services.releaseProcess();
  }
  progress?.stop();

  const outcomes = runs.flatMap((r) => (r.outcome === undefined ? [] : [r.outcome]));
  const failures = runs.flatMap((r) => (r.failure === undefined ? [] : [r.failure]));
  for (const failure of failures) process.stderr.write(`${renderError(failure)}\n`);
  const code = rollUpExitCodes([
    ...outcomes.map((o) => exitCodeOf(o.verdict)),
    ...failures.map((f) => (CONFIG_CODES.has(f.code) ? 2 : 1)),
  ]);
  if (values.junit !== undefined) {
    try {
      const { junitReport } = await import("../junit.js");
      await writeFileAtomically(values.junit, junitReport(product, outcomes));
    } catch (error) {
      throw new UsageError(`cannot write ${values.junit}: ${(error as Error).message}`);
    }
  }
  if (values.json) {
    printJson(
      single && outcomes.length === 1 ? runReport(outcomes[0]!) : runsReport(product, runs, code),
    );
    return code;
  }
  for (const outcome of outcomes) {
    process.stdout.write(`${renderRunOutcome(outcome)}\n`);
    if (outcome.diagnostics.length > 0) {
      process.stderr.write(`${outcome.diagnostics.map(renderDiagnostic).join("\n")}\n`);
    }
    if (!single) process.stdout.write("\n");
  }
  if (!single) process.stdout.write(`${renderRunSummary(runs, code)}\n`);
  return code;
}

/** The JSON document of one model's run: the seed's snake_case fields. */
export function runReport(run: QualityRunOutcome) {
  const outcome = storedOutcome(run);
  return {
    model: outcome.model,
    quality_tier: outcome.qualityTier,
    provider: outcome.provider,
    run_id: outcome.runId,
    suite_result: outcome.suiteResult,
    dbt_tests: outcome.dbtTests,
    score: outcome.score,
    verdict: outcome.verdict,
    exit_code: exitCodeOf(outcome.verdict),
    violations: outcome.violations,
    error: outcome.error,
    errors: outcome.errors,
    gate: outcome.gate,
    diagnostics: outcome.diagnostics,
  };
}

/** The JSON document of a run of several models. */
export function runsReport(product: string, runs: readonly ModelRun[], exitCode: number) {
  return {
    product,
    exit_code: exitCode,
    runs: runs.map((r) =>
      r.outcome !== undefined
        ? runReport(r.outcome)
        : {
            model: r.model,
            verdict: null,
            exit_code: CONFIG_CODES.has(r.failure?.code ?? "") ? 2 : 1,
            diagnostics: r.failure === undefined ? [] : [diagnosticFromError(r.failure)],
          },
    ),
  };
}
