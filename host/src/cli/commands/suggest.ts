// floe-quality suggest: profile a model's table through its plugin (one suite of
// metric checks) and propose checks, with parameters the current data passes,
// that meet the tier's gate — printed as a `models:` entry to paste into the
// product floe.yaml, or as JSON (docs/suggest.md).
import { dirname, resolve } from "node:path";
import { FloeError } from "@floe/quality-sdk";
import type { CompiledArtifacts, CompiledModel } from "../../compile/artifacts.js";
import { TierSchema } from "../../config/quality.js";
import { formatPercent } from "../../gates/evaluate.js";
import {
  CAUSE_FIX,
  findModel,
  openHostServices,
  type QualityRunOutcome,
  readArtifactsFile,
  resolveConnection,
  runModelQuality,
  samplePolicy,
} from "../../runtime/index.js";
import { renderModelsYaml } from "../../scaffold/product.js";
import { Catalog } from "../../suggest/catalog.js";
import {
  type KeyCandidate,
  LOW_CARDINALITY,
  type ProfiledColumn,
  type ProfileRequest,
  type ProfileSuite,
  profileSuite,
  readProfile,
  valueKind,
} from "../../suggest/profile.js";
import { suggestChecks } from "../../suggest/rules.js";
import { compileOneFileProject } from "../one-file.js";
import { parseOptions, printJson, renderError, UsageError } from "../output.js";

const USAGE = `usage: floe-quality suggest (--artifacts FILE | --config floe.yaml) --model NAME
                             [--tier bronze|silver|gold] [--json]

  --artifacts  compiled_artifacts.json (floe-quality compile)
  --config     a one-file project: floe.yaml compiled in memory on the built-in
               enterprise defaults, as run --config does
  --model      the model whose table is profiled
  --tier       the gate the suggested checks must meet (default: the model's tier)
  --json       print one JSON document (profile, checks, reasons, gate)

Profiles the model's table through its plugin in one suite of metric checks (row
count, nulls, distinct counts, min/max, value sets, patterns, references) and
prints checks the current data passes, as a models: entry for floe.yaml. Exit 0
when they meet the tier's gate; 1 when no check the data passes can meet it
(FLOE-DQ103/104: the checks found are printed) or floe.yaml does not compile; 2 a
usage or configuration error (unknown model or column); 3 the profile could not
run (the warehouse, the relation or the plugin: FLOE-DQ108). docs/suggest.md`;

const OPTIONS = {
  artifacts: { type: "string" },
  config: { type: "string" },
  model: { type: "string" },
  tier: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** The model's columns with their catalog types (the columns floe.yaml lists, else the table's). */
async function profiledColumns(catalog: Catalog, model: CompiledModel): Promise<ProfiledColumn[]> {
  const table = await catalog.columnsOf(model.relation);
  if (table === undefined) {
    throw new FloeError(
      "FLOE-DQ108",
      `relation ${model.relation} of model ${model.name} is not in the warehouse`,
      {
        path: `models.${model.name}.relation`,
        fix: "Materialize the model first, or set relation: to the table that holds it.",
      },
    );
  }
  const types = new Map(table.columns.map((c, i) => [c, table.types[i]!]));
  const names = model.columns ?? table.columns;
  return names.map((name) => {
    const type = types.get(name);
    if (type === undefined) {
      throw new FloeError(
        "FLOE-DQ105",
        `column ${JSON.stringify(name)} of model ${model.name} is not in ${model.relation} (columns: ${table.columns.join(", ")})`,
        {
          path: `models.${model.name}.columns`,
          fix: "List the table's columns under columns:, or remove the list to profile every column.",
        },
      );
    }
    return { name, type, kind: valueKind(type) };
  });
}

/** Columns of the product's other models declared unique (enabled `unique` checks): candidate reference targets. */
async function declaredKeys(
  catalog: Catalog,
  artifacts: CompiledArtifacts,
  model: CompiledModel,
): Promise<KeyCandidate[]> {
  const keys: KeyCandidate[] = [];
  for (const other of artifacts.models) {
    if (other.name === model.name) continue;
    const unique = other.quality_checks.filter(
      (c) => c.enabled && c.type === "unique" && c.column !== undefined,
    );
    if (unique.length === 0) continue;
    const table = await catalog.columnsOf(other.relation);
    if (table === undefined) continue;
    for (const check of unique) {
      const at = table.columns.indexOf(check.column!);
      if (at >= 0) {
        keys.push({
          relation: other.relation,
          column: check.column!,
          kind: valueKind(table.types[at]!),
        });
      }
    }
  }
  return keys;
}

interface Profiled {
  model: CompiledModel;
  request: ProfileRequest;
  suite: ProfileSuite;
  outcome: QualityRunOutcome;
}

/**
 * Runs the model's profile suite through its plugin: as a bronze suite of its
 * own, with samples wide enough for a value set, and no history or lineage.
 * FLOE-DQ108 when the table could not be read.
 */
async function profileModel(
  artifacts: CompiledArtifacts,
  name: string,
  cwd: string,
): Promise<Profiled> {
  const model = findModel(artifacts, name);
  const catalog = new Catalog(resolveConnection(artifacts.product.compute, process.env, cwd));
  const request: ProfileRequest = {
    columns: await profiledColumns(catalog, model),
    relation: model.relation,
    foreignKeys: await declaredKeys(catalog, artifacts, model),
  };
  const suite = profileSuite(request);
  const profiling: CompiledArtifacts = {
    ...artifacts,
    quality_config: {
      ...artifacts.quality_config,
      sample_size: LOW_CARDINALITY + 1,
      store_samples: true,
    },
    models: [
      {
        ...model,
        quality_tier: "bronze",
        columns: request.columns.map((c) => c.name),
        fail_fast: false,
        quality_checks: suite.checks,
        dbt_tests: [],
      },
    ],
  };
  const services = await openHostServices({ lineage: false, historyUrl: "none" });
  let outcome: QualityRunOutcome;
  try {
    outcome = await runModelQuality(
      { artifacts: profiling, model: model.name },
      { plugins: services.plugins, lineage: services.lineage, cwd },
    );
  } finally {
    await services.close();
    services.releaseProcess();
  }
  // The row count is the profile's first check: without it nothing was read.
  const rows = outcome.suiteResult.checks.find((c) => c.check_name === suite.checks[0]!.name);
  if (rows === undefined || (rows.status !== "passed" && rows.status !== "failed")) {
    const why = outcome.error?.message ?? rows?.error_message ?? "the plugin returned no result";
    throw new FloeError("FLOE-DQ108", `the profile of model ${model.name} could not run: ${why}`, {
      path: `models.${model.name}`,
      fix: outcome.error?.fix ?? CAUSE_FIX.unavailable,
    });
  }
  return { model, request, suite, outcome };
}

/** Exit codes of the errors suggest stops on: 3 the profile could not run, 2 configuration. */
const EXIT_CODES: Readonly<Record<string, number>> = {
  "FLOE-DQ108": 3,
  "FLOE-DQ100": 2,
  "FLOE-DQ101": 2,
  "FLOE-DQ105": 2,
};

export async function run(argv: string[]): Promise<number> {
  const values = parseOptions(argv, OPTIONS, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ((values.artifacts === undefined) === (values.config === undefined)) {
    throw new UsageError(`give exactly one of --artifacts and --config\n\n${USAGE}`);
  }
  if (values.model === undefined) throw new UsageError(`missing --model\n\n${USAGE}`);
  const tierOption = values.tier === undefined ? undefined : TierSchema.safeParse(values.tier);
  if (tierOption !== undefined && !tierOption.success) {
    throw new UsageError(`--tier must be bronze, silver or gold, got '${values.tier}'`);
  }
  // A one-file project's relative paths resolve from floe.yaml's directory.
  const cwd = values.config === undefined ? process.cwd() : dirname(resolve(values.config));
  let artifacts: CompiledArtifacts | null;
  let profiled: Profiled;
  try {
    artifacts =
      values.config !== undefined
        ? await compileOneFileProject(values.config)
        : await readArtifactsFile(values.artifacts!);
    if (artifacts === null) return 1;
    profiled = await profileModel(artifacts, values.model, cwd);
  } catch (error) {
    if (!(error instanceof FloeError)) throw error;
    process.stderr.write(`${renderError(error)}\n`);
    return EXIT_CODES[error.code] ?? 1;
  }
  const { model, request, suite, outcome } = profiled;
  const tier = tierOption?.data ?? model.quality_tier;
  const config = artifacts.quality_config;
  const profile = readProfile(request, suite, outcome.suiteResult.checks);
  const policy = samplePolicy(config, model.name, artifacts.product.name);
  const suggestion = suggestChecks(
    { model: model.name, tier, profile, sensitive: policy.sensitive },
    config.quality_gates,
  );
  const suggested = {
    name: model.name,
    tier,
    ...(model.relation === model.name ? {} : { relation: model.relation }),
    columns: request.columns.map((c) => c.name),
    quality_checks: suggestion.checks,
  };
  const gate = suggestion.gate;
  if (values.json) {
    printJson({
      model: suggested,
      profile,
      reasons: suggestion.reasons,
      gate,
    });
  } else {
    const header = [
      `floe-quality suggest: model ${model.name}, ${profile.rows} rows profiled through ${config.provider}.`,
      `Every check passes on the data as it is now; review each before pasting it under models: in floe.yaml.`,
      `${tier} gate: coverage ${formatPercent(gate.coverage_actual)}% (needs ${formatPercent(gate.coverage_required)}%)` +
        (gate.passed ? ", met" : `, NOT met: ${gate.violations.join("; ")}`),
      "",
      ...Object.entries(suggestion.reasons).map(([name, why]) => `${name}: ${why}`),
    ];
    process.stdout.write(renderModelsYaml(header, [suggested]));
  }
  if (!gate.passed) {
    const code = gate.missing_tests.length > 0 ? "FLOE-DQ104" : "FLOE-DQ103";
    process.stderr.write(
      `${renderError(
        new FloeError(
          code,
          `no check the data of model ${model.name} passes meets the ${tier} gate: ${gate.violations.join("; ")}`,
          {
            path: `models.${model.name}`,
            fix: "Add the missing checks by hand (e.g. a relationships check to a table outside this product), or choose a lower tier.",
          },
        ),
      )}\n`,
    );
    return 1;
  }
  return 0;
}
