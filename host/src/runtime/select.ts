// Which models a run covers: `--select` items (model names, globs, `tier:gold`,
// `tag:pii`; comma-separated or repeated) or every model (`--all`), in the
// order the artifacts list them.
import picomatch from "picomatch";
import type { CompiledArtifacts, CompiledModel } from "../compile/artifacts.js";
import { didYouMean } from "../config/suggest.js";
import { FloeError } from "../errors/index.js";

/** `a,b` `tier:gold` → ["a", "b", "tier:gold"]: every item of every selector given. */
export function selectorItems(selectors: readonly string[]): string[] {
  return selectors
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
}

function matcher(item: string): (model: CompiledModel) => boolean {
  if (item.startsWith("tier:")) {
    const tier = item.slice("tier:".length);
    return (m) => m.quality_tier === tier;
  }
  if (item.startsWith("tag:")) {
    const tag = item.slice("tag:".length);
    return (m) => m.tags.includes(tag);
  }
  const glob = picomatch(item, { dot: true });
  return (m) => m.name === item || glob(m.name);
}

/**
 * The models matching any selector item. An item that matches no model is
 * FLOE-DQ100 naming it (with a suggestion), so a typo never silently runs less.
 */
export function selectModels(
  artifacts: CompiledArtifacts,
  selectors: readonly string[],
): CompiledModel[] {
  const items = selectorItems(selectors);
  const chosen = new Set<CompiledModel>();
  for (const item of items) {
    const hits = artifacts.models.filter(matcher(item));
    if (hits.length === 0) {
      const names = artifacts.models.map((m) => m.name);
      throw new FloeError(
        "FLOE-DQ100",
        `--select ${item} matches no model of product ${artifacts.product.name}${didYouMean(item, names)} (models: ${names.join(", ") || "none"})`,
        {
          path: "models",
          fix: "Select model names or globs (orders, stg_*), tier:bronze|silver|gold or tag:NAME; tags are set per model in floe.yaml.",
        },
      );
    }
    for (const model of hits) chosen.add(model);
  }
  return artifacts.models.filter((m) => chosen.has(m));
}
