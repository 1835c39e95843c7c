// floe-quality validate: compile the configuration (nothing written) and ask each
// model's plugin to check its suite against the live warehouse — relation,
// columns, relationships targets, filters — without running a check. Exit 0 when
// nothing is wrong, 1 with every diagnostic at file:line otherwise.
import { selectModels } from "../../runtime/index.js";
import { parseOptions, printJson, requireOptions } from "../output.js";
import { checkLive, compileFiles, printDiagnostics } from "./compile.js";

const USAGE = `usage: floe-quality validate --enterprise FILE [--domain FILE] --product FILE
                              [--dbt-manifest FILE] [--select SELECTOR] [--json]

  --enterprise    enterprise manifest.yaml (scope: enterprise)
  --domain        domain manifest.yaml (scope: domain), optional
  --product       the product's floe.yaml (its compute: is the warehouse checked)
  --dbt-manifest  dbt manifest.json, as for compile
  --select        only these models (names, globs, tier:NAME, tag:NAME; repeatable)
  --json          print one JSON document (success, errors, warnings, diagnostics)

Checks what compile checks, then, per model, that its relation exists in the
warehouse, that every column a check names exists, that relationships targets
resolve and that filters (row_condition, expression) parse. No check is run.
Exit 0 valid, 1 a problem found, 2 a usage error.`;

const OPTIONS = {
  enterprise: { type: "string" },
  domain: { type: "string" },
  product: { type: "string" },
  "dbt-manifest": { type: "string" },
  select: { type: "string", multiple: true },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

export async function run(argv: string[]): Promise<number> {
  const values = parseOptions(argv, OPTIONS, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  requireOptions(values, ["enterprise", "product"], USAGE);
  const outcome = await compileFiles({
    enterprise: values.enterprise!,
    domain: values.domain,
    product: values.product!,
    dbtManifest: values["dbt-manifest"],
  });
  const diagnostics = [...outcome.diagnostics];
  let models: string[] = [];
  if (outcome.ok) {
    models = (
      values.select === undefined
        ? outcome.artifacts.models
        : selectModels(outcome.artifacts, values.select)
    ).map((m) => m.name);
    diagnostics.push(...(await checkLive(outcome.artifacts, values.product!, models)));
  }
  const errors = diagnostics.filter((d) => d.level === "error");
  if (values.json) {
    printJson({
      success: errors.length === 0,
      models,
      errors: errors.map((d) => `${d.code} ${d.file ?? ""} ${d.path ?? ""}: ${d.message}`),
      warnings: diagnostics
        .filter((d) => d.level === "warning")
        .map((d) => `${d.code} ${d.file ?? ""} ${d.path ?? ""}: ${d.message}`),
      diagnostics,
    });
  } else {
    printDiagnostics(diagnostics);
    if (errors.length === 0) {
      process.stdout.write(`valid: ${models.length} model(s) checked against the warehouse\n`);
    }
  }
  return errors.length === 0 ? 0 : 1;
}
