// floe-quality compile: enterprise + domain manifests + product floe.yaml (+ dbt
// manifest) → compiled_artifacts.json, or every diagnostic and exit 1.
import type { CompiledArtifacts } from "../../compile/artifacts.js";
import { compileProject } from "../../compile/compile.js";
import { liveDiagnostics } from "../../compile/live.js";
import { writeArtifacts } from "../../compile/write.js";
import { parseProduct, readSourceText, type SourceText } from "../../config/load.js";
import { type Diagnostic, renderDiagnostic } from "../../errors/index.js";
import { formatPercent } from "../../gates/evaluate.js";
import { discoverPlugins } from "../../plugins/discover.js";
import { openHostServices } from "../../runtime/index.js";
import { parseOptions, printJson, requireOptions, tableLines, UsageError } from "../output.js";
import { readContracts } from "../project.js";

const USAGE = `usage: floe-quality compile --enterprise FILE [--domain FILE] --product FILE
                             [--dbt-manifest target/manifest.json] --out FILE [--check-live] [--json]

  --enterprise    enterprise manifest.yaml (scope: enterprise)
  --domain        domain manifest.yaml (scope: domain), optional
  --product       the product's floe.yaml
  --dbt-manifest  dbt manifest.json: the columns of models floe.yaml does not list, and
                  the dbt tests that count toward their gates
  --out           where to write compiled_artifacts.json (atomically)
  --check-live    also validate every model against the live warehouse (floe-quality
                  validate) and write nothing when that finds an error
  --json          print one JSON document instead of text`;

/** Every provider a discovered plugin descriptor declares (floe-quality plugins list). */
export function knownProviders(): string[] {
  try {
    return [...new Set(discoverPlugins().plugins.map((p) => p.provider))].sort();
  } catch {
    // Discovery problems are `floe-quality plugins list`'s to report; compile checks names only.
    return [];
  }
}

export interface CompilePaths {
  enterprise: string;
  domain?: string | undefined;
  product: string;
  dbtManifest?: string | undefined;
}

export type CompileOutcome =
  | { ok: true; artifacts: CompiledArtifacts; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

/** Reads the files and compiles them; an unreadable file is one more diagnostic. */
export async function compileFiles(paths: CompilePaths): Promise<CompileOutcome> {
  const known = knownProviders();
  const read = async (file: string | undefined) =>
    file === undefined ? undefined : await readSourceText(file);
  const [enterprise, domain, product, dbtManifest] = await Promise.all([
    read(paths.enterprise),
    read(paths.domain),
    read(paths.product),
    read(paths.dbtManifest),
  ]);
  const unreadable = [enterprise, domain, product, dbtManifest].filter(
    (s): s is Diagnostic => s !== undefined && !("text" in s),
  );
  if (unreadable.length > 0) return { ok: false, diagnostics: unreadable };
  return compileProject({
    enterprise: enterprise as SourceText,
    domain: domain as SourceText | undefined,
    product: product as SourceText,
    dbtManifest: dbtManifest as SourceText | undefined,
    knownProviders: known,
    contracts: await readContracts(product as SourceText),
  });
}

const OPTIONS = {
  enterprise: { type: "string" },
  domain: { type: "string" },
  product: { type: "string" },
  "dbt-manifest": { type: "string" },
  out: { type: "string" },
  "check-live": { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

function parseCompileArgs(argv: string[]) {
  const values = parseOptions(argv, OPTIONS, USAGE);
  if (values.help) return { help: true as const };
  requireOptions(values, ["enterprise", "product", "out"], USAGE);
  return {
    help: false as const,
    paths: {
      enterprise: values.enterprise!,
      domain: values.domain,
      product: values.product!,
      dbtManifest: values["dbt-manifest"],
    },
    out: values.out!,
    checkLive: values["check-live"] === true,
    json: values.json === true,
  };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCompileArgs(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const outcome = await compileFiles(args.paths);
  if (!outcome.ok) {
    if (args.json) printJson(validationReport(outcome.diagnostics, undefined));
    else printDiagnostics(outcome.diagnostics);
    return 1;
  }
  if (args.checkLive) {
    const live = await checkLive(outcome.artifacts, args.paths.product);
    outcome.diagnostics.push(...live);
    if (live.some((d) => d.level === "error")) {
      if (args.json) printJson(validationReport(outcome.diagnostics, undefined));
      else printDiagnostics(outcome.diagnostics);
      return 1;
    }
  }
  await writeArtifactsTo(args.out, outcome.artifacts);
  if (args.json) {
    printJson(
      validationReport(outcome.diagnostics, { out: args.out, artifacts: outcome.artifacts }),
    );
  } else {
    printDiagnostics(outcome.diagnostics);
    process.stdout.write(`${renderSummary(outcome.artifacts, args.out)}\n`);
  }
  return 0;
}

/** The live warehouse's diagnostics of every model (validate, compile --check-live). */
export async function checkLive(
  artifacts: CompiledArtifacts,
  productFile: string,
  models?: readonly string[],
): Promise<Diagnostic[]> {
  const source = await readSourceText(productFile);
  const product = "text" in source ? parseProduct(source) : undefined;
  const services = await openHostServices({ lineage: false });
  try {
    return await liveDiagnostics(
      artifacts,
      product?.ok ? product.loaded : undefined,
      services.plugins,
      {
        ...(models === undefined ? {} : { models }),
      },
    );
  } finally {
    await services.close();
  }
}

/** Writes the artifacts; an unwritable --out is the command line's mistake (exit 2). */
export async function writeArtifactsTo(out: string, artifacts: CompiledArtifacts): Promise<void> {
  try {
    await writeArtifacts(out, artifacts);
  } catch (error) {
    throw new UsageError(`cannot write ${out}: ${(error as Error).message}`);
  }
}

/** Every diagnostic on stderr, then a count. */
export function printDiagnostics(diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.length === 0) return;
  const errors = diagnostics.filter((d) => d.level === "error").length;
  const warnings = diagnostics.length - errors;
  const lines = diagnostics.map(renderDiagnostic);
  if (errors > 0)
    lines.push(`compile failed: ${plural(errors, "error")}, ${plural(warnings, "warning")}`);
  process.stderr.write(`${lines.join("\n")}\n`);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The seed's ValidationResult fields plus the structured diagnostics. */
function validationReport(
  diagnostics: readonly Diagnostic[],
  written: { out: string; artifacts: CompiledArtifacts } | undefined,
) {
  return {
    success: written !== undefined,
    errors: diagnostics.filter((d) => d.level === "error").map(renderDiagnostic),
    warnings: diagnostics.filter((d) => d.level === "warning").map(renderDiagnostic),
    diagnostics,
    ...(written ? { artifacts: written.out, gates: written.artifacts.gates } : {}),
  };
}

/** A table a person reads: one line per model with its tier, checks, coverage and gate. */
export function renderSummary(artifacts: CompiledArtifacts, out: string): string {
  const rows = artifacts.models.map((model) => {
    const gate = artifacts.gates.find((g) => g.model_name === model.name);
    const enabled = model.quality_checks.filter((c) => c.enabled).length;
    return [
      model.name,
      model.quality_tier,
      model.relation,
      `${enabled}/${model.quality_checks.length}`,
      gate
        ? `${formatPercent(gate.coverage_actual)}% (≥${formatPercent(gate.coverage_required)}%)`
        : "-",
      gate ? (gate.passed ? "pass" : "fail") : "-",
    ];
  });
  const header = ["model", "tier", "relation", "checks", "coverage", "gate"];
  const config = artifacts.quality_config;
  return [
    `compiled ${artifacts.product.name} → ${out} (artifacts ${artifacts.version}, provider ${config.provider}, ` +
      `thresholds min ${config.thresholds.min_score} / warn ${config.thresholds.warn_score})`,
    "",
    ...tableLines([header, ...rows]),
  ].join("\n");
}
