// The pre-flight check against the live warehouse (`floe-quality validate`,
// `compile --check-live`): each model's suite goes to its plugin's ValidateSuite
// with the resolved connection, which checks that the relation and columns
// exist, that relationships targets resolve and that filters parse — without
// running a check. The plugin's diagnostics come back placed at file:line of
// floe.yaml.
import { type contract, isFloeErrorCode } from "@floe/quality-sdk";
import type { Product } from "../config/files.js";
import { formatPath, type LoadedFile, type PathSegment } from "../config/load.js";
import { type Diagnostic, diagnostic, FloeError } from "../errors/index.js";
import { resolveConnection } from "../runtime/connection.js";
import type { PluginPool } from "../runtime/plugin-pool.js";
import { suiteOf } from "../runtime/run.js";
import type { CompiledArtifacts, CompiledModel } from "./artifacts.js";

/** ValidateSuite is quick: a minute covers a plugin start on a busy machine. */
const VALIDATE_TIMEOUT_MS = 60_000;

/**
 * `models/orders/amount_positive.parameters.min_value` style paths (the
 * plugin's `model/check.path`) as a path in floe.yaml.
 */
function placeOf(d: contract.Diagnostic, model: CompiledModel, index: number): PathSegment[] {
  const base: PathSegment[] = ["models", index];
  const prefix = `${model.name}/`;
  if (!d.path.startsWith(prefix)) return [...base, "name"];
  const rest = d.path.slice(prefix.length);
  const checks = model.quality_checks;
  const c = checks.findIndex((k) => rest === k.name || rest.startsWith(`${k.name}.`));
  if (c < 0) return [...base, "name"];
  const sub = rest.slice(checks[c]!.name.length + 1);
  return [...base, "quality_checks", c, ...(sub === "" ? [] : sub.split("."))];
}

/** Every diagnostic the models' plugins report against the live warehouse. */
export async function liveDiagnostics(
  artifacts: CompiledArtifacts,
  product: LoadedFile<Product> | undefined,
  plugins: PluginPool,
  options: { env?: NodeJS.ProcessEnv; models?: readonly string[] } = {},
): Promise<Diagnostic[]> {
  const connection = resolveConnection(artifacts.product.compute, options.env ?? process.env);
  const provider = artifacts.quality_config.provider;
  const out: Diagnostic[] = [];
  const indexOf = new Map(product?.value.models.map((m, i) => [m.name, i]) ?? []);
  for (const model of artifacts.models) {
    if (options.models !== undefined && !options.models.includes(model.name)) continue;
    const index = indexOf.get(model.name) ?? artifacts.models.indexOf(model);
    let response: contract.ValidateSuiteResponse;
    try {
      response = await plugins.withPlugin(provider, (plugin) =>
        plugin.client.validateSuite(
          { suite: suiteOf(model, 60), connection, relation: model.relation },
          { timeoutMs: VALIDATE_TIMEOUT_MS },
        ),
      );
    } catch (error) {
      if (!(error instanceof FloeError)) throw error;
      out.push(
        diagnostic(error.code, `model ${model.name}: ${error.message}`, {
          path: `models[${index}]`,
          fix: error.fix,
        }),
      );
      continue;
    }
    for (const d of response.result?.diagnostics ?? []) {
      const path = placeOf(d, model, index);
      out.push(
        diagnostic(
          isFloeErrorCode(d.code) ? d.code : "FLOE-DQ101",
          `model ${model.name}: ${d.message}`,
          {
            file: product?.locate(path) ?? product?.file,
            path: formatPath(path),
            fix: d.fix || undefined,
          },
          d.level === "warning" ? "warning" : "error",
        ),
      );
    }
  }
  return out;
}
