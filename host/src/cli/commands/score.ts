// floe-quality score: a QualitySuiteResult JSON (+ dbt run results) scored with a
// QualityConfig; prints the QualityScore JSON.
import { type DbtTestResult, readDbtTestResults } from "@floe/quality-sdk";
import { z } from "zod";
import { parseConfigText, readSourceText } from "../../config/load.js";
import { QualityConfigSchema } from "../../config/quality.js";
import { QualitySuiteResultSchema } from "../../config/results.js";
import { DiagnosticsError } from "../../errors/index.js";
import { calculateQualityScore } from "../../scoring/index.js";
import { parseOptions, printJson, requireOptions, UsageError } from "../output.js";

const USAGE = `usage: floe-quality score --results FILE --config FILE
                           [--dbt-run-results FILE --dbt-manifest FILE] [--model NAME]

  --results          a QualitySuiteResult JSON (suite_result.json)
  --config           a QualityConfig, YAML or JSON; omitted settings take their defaults
  --dbt-run-results  dbt target/run_results.json: its tests join the score as checks
  --dbt-manifest     dbt target/manifest.json of the same run (required with --dbt-run-results)
  --model            the model to score (default: the suite's model_name); dbt tests of
                     other models are left out
  --json             print JSON (the default and only output of this command)

Prints the QualityScore JSON: overall, dimension_scores, checks_passed, checks_failed,
dbt_tests_passed, dbt_tests_failed, model_name, timestamp.`;

const OPTIONS = {
  results: { type: "string" },
  config: { type: "string" },
  "dbt-run-results": { type: "string" },
  "dbt-manifest": { type: "string" },
  model: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** A QualityConfig for scoring alone: the provider does not matter here. */
const ScoreConfigSchema = QualityConfigSchema.extend({ provider: z.string().min(1).optional() });

interface ScoreArgs {
  results: string;
  config: string;
  dbt: { runResults: string; manifest: string } | undefined;
  model: string | undefined;
}

function parseScoreArgs(argv: string[]): ScoreArgs | "help" {
  const values = parseOptions(argv, OPTIONS, USAGE);
  if (values.help) return "help";
  requireOptions(values, ["results", "config"], USAGE);
  const runResults = values["dbt-run-results"];
  const manifest = values["dbt-manifest"];
  if ((runResults === undefined) !== (manifest === undefined)) {
    throw new UsageError(
      `--dbt-run-results and --dbt-manifest go together: give both files of one dbt run\n\n${USAGE}`,
    );
  }
  if (values.model === "") throw new UsageError(`--model needs a model name\n\n${USAGE}`);
  return {
    results: values.results!,
    config: values.config!,
    dbt: runResults !== undefined && manifest !== undefined ? { runResults, manifest } : undefined,
    model: values.model,
  };
}

/** Reads and validates one file; every problem becomes a FLOE-DQ100 diagnostic with file:line:col. */
async function loadFile<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>> {
  const source = await readSourceText(file);
  if (!("text" in source)) throw new DiagnosticsError([source]);
  const parsed = parseConfigText(source, schema);
  if (!parsed.ok) throw new DiagnosticsError(parsed.diagnostics);
  return parsed.loaded.value;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseScoreArgs(argv);
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [suite, config] = await Promise.all([
    loadFile(args.results, QualitySuiteResultSchema),
    loadFile(args.config, ScoreConfigSchema),
  ]);
  const model = args.model ?? suite.model_name;
  const dbtResults: DbtTestResult[] = args.dbt
    ? await readDbtTestResults(args.dbt.runResults, args.dbt.manifest, { model })
    : [];
  printJson(calculateQualityScore(suite.checks, config, { dbtResults, modelName: model }));
  return 0;
}
