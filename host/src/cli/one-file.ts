// `floe-quality run --config floe.yaml`: a one-file project. floe.yaml is compiled
// in memory on the built-in enterprise defaults (nothing is written), relative
// paths in it resolve from its directory, and every model runs (or the one
// named). The three-layer compile stays the governed path (docs/configuration.md).
import { dirname, resolve } from "node:path";
import { FloeError } from "@floe/quality-sdk";
import { formatPercent } from "../gates/evaluate.js";
import { openHostServices, type QualityRunOutcome, runModelQuality } from "../runtime/index.js";
import { knownProviders, printDiagnostics } from "./commands/compile.js";
import { renderRunOutcome, runReport } from "./commands/run.js";
import { printJson, renderError } from "./output.js";
import { compileOneFile } from "./project.js";

export interface OneFileOptions {
  model?: string | undefined;
  timeoutSeconds?: number | undefined;
  json: boolean;
}

/** Exit code: 0 every verdict pass or warn, 1 a fail or compile error, 2 a configuration error at run time. */
export async function runOneFileProject(file: string, options: OneFileOptions): Promise<number> {
  const compiled = await compileOneFile(file, knownProviders());
  printDiagnostics(compiled.diagnostics);
  if (!compiled.ok) return 1;
  const artifacts = compiled.artifacts;
  const config = artifacts.quality_config;
  process.stderr.write(
    `compiled ${file} in memory with the built-in enterprise defaults (provider ${config.provider}, ` +
      `thresholds min ${config.thresholds.min_score} / warn ${config.thresholds.warn_score}, ` +
      `gold gate coverage ${formatPercent(config.quality_gates.gold.min_test_coverage)}%); ` +
      "nothing was written. Platform teams govern settings with manifests and `floe-quality compile`.\n",
  );
  const models =
    options.model === undefined ? artifacts.models.map((m) => m.name) : [options.model];
  const outcomes: QualityRunOutcome[] = [];
  const services = await openHostServices();
  try {
    for (const model of models) {
      outcomes.push(
        await runModelQuality(
          { artifacts, model, timeoutSeconds: options.timeoutSeconds },
          { ...services, cwd: dirname(resolve(file)) },
        ),
      );
    }
  } catch (error) {
    if (!(error instanceof FloeError)) throw error;
    process.stderr.write(`${renderError(error)}\n`);
    return error.code === "FLOE-DQ100" ? 2 : 1;
  } finally {
    await services.close();
    services.releaseProcess();
  }
  if (options.json) {
    printJson(
      options.model === undefined
        ? { product: artifacts.product.name, runs: outcomes.map(runReport) }
        : runReport(outcomes[0]!),
    );
  } else {
    process.stdout.write(`${outcomes.map(renderRunOutcome).join("\n\n")}\n`);
  }
  return outcomes.some((o) => o.verdict === "fail") ? 1 : 0;
}
