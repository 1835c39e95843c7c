// floe-quality score: a QualitySuiteResult JSON (+ dbt run results) scored with a
// QualityConfig; prints the QualityScore JSON.
import { readDbtTestResults } from "@floe/quality-sdk";
import { parse } from "yaml";
import { z } from "zod";
import {
  DomainManifestSchema,
  EnterpriseManifestSchema,
  ProductSchema,
} from "../../config/files.js";
import { parseConfigText, readSourceText } from "../../config/load.js";
import { QualityConfigSchema } from "../../config/quality.js";
import {
  type QualityCheckResult,
  QualityCheckResultSchema,
  type QualitySuiteResult,
  QualitySuiteResultSchema,
} from "../../config/results.js";
import { DiagnosticsError } from "../../errors/index.js";
import { calculateQualityScore, type ScoredCheck } from "../../scoring/index.js";
import { parseOptions, printJson, requireOptions, UsageError } from "../output.js";

const USAGE = `usage: floe-quality score --results FILE --config FILE
                           [--dbt-run-results FILE --dbt-manifest FILE] [--model NAME]

  --results          a QualitySuiteResult JSON (suite_result.json), or the document
                     of floe-quality run --json (its suite_result and dbt_tests)
  --config           a QualityConfig, YAML or JSON, or a manifest.yaml / floe.yaml
                     (its quality: section); omitted settings take their defaults
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
  const parsed = parseConfigText(source, schemaFor(source.text, schema));
  if (!parsed.ok) throw new DiagnosticsError(parsed.diagnostics);
  return parsed.loaded.value as z.output<S>;
}

/** Top-level keys of a YAML/JSON document (none when it does not parse: the schema reports that). */
function topKeys(text: string): Set<string> {
  try {
    const value = parse(text) as unknown;
    return new Set(value !== null && typeof value === "object" ? Object.keys(value) : []);
  } catch {
    return new Set();
  }
}

/**
 * A manifest (`scope:`) or floe.yaml (`models:`/`compute:`) given as --config is
 * read as such and its quality: section scored with; a `run --json` document
 * (`suite_result:`) given as --results gives its suite result and dbt tests.
 */
function schemaFor<S extends z.ZodType>(text: string, schema: S): z.ZodType {
  const keys = topKeys(text);
  if (schema === (ScoreConfigSchema as z.ZodType)) {
    const layer = keys.has("scope")
      ? z.union([EnterpriseManifestSchema, DomainManifestSchema])
      : keys.has("models") || keys.has("compute")
        ? ProductSchema
        : undefined;
    if (layer === undefined) return schema;
    return (
      layer as z.ZodType<{ plugins?: { quality?: { provider?: string } }; quality?: object }>
    ).transform((file) =>
      ScoreConfigSchema.parse({ ...file.quality, provider: file.plugins?.quality?.provider }),
    );
  }
  if (schema === (QualitySuiteResultSchema as z.ZodType) && keys.has("suite_result")) {
    return RunReportSchema;
  }
  return schema;
}

/** What `score` reads of a `run --json` document. */
const RunReportSchema = z
  .looseObject({
    model: z.string(),
    suite_result: QualitySuiteResultSchema,
    dbt_tests: z.array(QualityCheckResultSchema).default(() => []),
  })
  .transform((r) => ({ ...r.suite_result, model_name: r.model, dbt: r.dbt_tests }));

export async function run(argv: string[]): Promise<number> {
  const args = parseScoreArgs(argv);
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [suite, config] = (await Promise.all([
    loadFile(args.results, QualitySuiteResultSchema),
    loadFile(args.config, ScoreConfigSchema),
  ])) as [QualitySuiteResult & { dbt?: QualityCheckResult[] }, z.output<typeof ScoreConfigSchema>];
  const model = args.model ?? suite.model_name;
  const dbtResults: ScoredCheck[] = args.dbt
    ? await readDbtTestResults(args.dbt.runResults, args.dbt.manifest, { model })
    : (suite.dbt ?? []);
  printJson(calculateQualityScore(suite.checks, config, { dbtResults, modelName: model }));
  return 0;
}
