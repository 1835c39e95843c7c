// `floe-quality run --config floe.yaml`: a one-file project. floe.yaml is compiled
// in memory on the built-in enterprise defaults (nothing is written); the run
// command then runs its models with relative paths resolved from floe.yaml's
// directory. The three-layer compile stays the governed path (docs/configuration.md).
import type { CompiledArtifacts } from "../compile/artifacts.js";
import { formatPercent } from "../gates/evaluate.js";
import { knownProviders, printDiagnostics } from "./commands/compile.js";
import { compileOneFile } from "./project.js";

/** The project's artifacts, saying on stderr how they were made; null (diagnostics printed) when it does not compile. */
export async function compileOneFileProject(file: string): Promise<CompiledArtifacts | null> {
  const compiled = await compileOneFile(file, knownProviders());
  printDiagnostics(compiled.diagnostics);
  if (!compiled.ok) return null;
  const config = compiled.artifacts.quality_config;
  process.stderr.write(
    `compiled ${file} in memory with the built-in enterprise defaults (provider ${config.provider}, ` +
      `thresholds min ${config.thresholds.min_score} / warn ${config.thresholds.warn_score}, ` +
      `gold gate coverage ${formatPercent(config.quality_gates.gold.min_test_coverage)}%); ` +
      "nothing was written. Platform teams govern settings with manifests and `floe-quality compile`.\n",
  );
  return compiled.artifacts;
}
