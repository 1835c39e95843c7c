// floe-quality demo: compiles the bundled example (enterprise + sales domain + shop
// product) into .floe/demo/compiled_artifacts.json and shows what each model will check.
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { CompiledArtifacts } from "../../compile/artifacts.js";
import { formatPercent } from "../../gates/evaluate.js";
import { UsageError } from "../output.js";
import { compileFiles, printDiagnostics, renderSummary, writeArtifactsTo } from "./compile.js";

const USAGE = `usage: floe-quality demo [--examples DIR] [--out FILE]

  --examples  the example project (default: the bundled examples/)
  --out       artifacts file (default: .floe/demo/compiled_artifacts.json)`;

/** The repository's examples/ seen from host/dist/cli/commands (or host/src/cli/commands). */
function bundledExamples(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../../../examples");
}

export async function run(argv: string[]): Promise<number> {
  let values: {
    examples?: string | undefined;
    out?: string | undefined;
    help?: boolean | undefined;
  };
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        examples: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const examples = values.examples ?? bundledExamples();
  const out = values.out ?? join(".floe", "demo", "compiled_artifacts.json");
  const show = (file: string) => relative(process.cwd(), file) || file;
  const domain = join(examples, "domains", "sales", "manifest.yaml");
  const outcome = await compileFiles({
    enterprise: show(join(examples, "manifest.yaml")),
    domain: existsSync(domain) ? show(domain) : undefined,
    product: show(join(examples, "products", "shop", "floe.yaml")),
  });
  printDiagnostics(outcome.diagnostics);
  if (!outcome.ok) return 1;
  await writeArtifactsTo(out, outcome.artifacts);
  process.stdout.write(
    `${renderSummary(outcome.artifacts, out)}\n\n${renderModels(outcome.artifacts)}\n`,
  );
  return 0;
}

/** Per model: its enabled checks grouped by dimension, and the gate it must meet. */
function renderModels(artifacts: CompiledArtifacts): string {
  const gates = artifacts.quality_config.quality_gates;
  return artifacts.models
    .map((model) => {
      const gate = gates[model.quality_tier];
      const lines = [
        `${model.name} (${model.quality_tier}: coverage ≥ ${formatPercent(gate.min_test_coverage)}%, ` +
          `min score ${gate.min_score}${gate.required_tests.length ? `, requires ${gate.required_tests.join(", ")}` : ""})`,
      ];
      for (const check of model.quality_checks) {
        const target = check.column ?? "(table)";
        const flags = [check.severity, check.enabled ? "" : "disabled"].filter(Boolean).join(", ");
        lines.push(
          `  ${check.dimension.padEnd(12)}  ${check.type.padEnd(22)}  ${target.padEnd(14)}  ${check.name} [${flags}]`,
        );
      }
      return lines.join("\n");
    })
    .join("\n\n");
}
