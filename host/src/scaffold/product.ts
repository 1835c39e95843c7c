// floe.yaml text for a new product, as `init` and `import odcs` write it: a
// header saying where it came from and what to do next, then name, compute and
// models with their columns and checks (one check per line). Pure.
import { Document, isMap, isSeq, type Node, visit } from "yaml";
import type { QualityCheckInput } from "../config/check.js";

export interface ScaffoldModel {
  name: string;
  tier?: "bronze" | "silver" | "gold";
  relation?: string | undefined;
  columns: string[];
  quality_checks: QualityCheckInput[];
}

export interface ScaffoldProduct {
  /** Comment lines at the top (without `# `). */
  header: string[];
  name: string;
  compute?: Record<string, unknown> | undefined;
  contract?: string | undefined;
  models: ScaffoldModel[];
}

/** A model as floe.yaml writes it. */
function modelValue(m: ScaffoldModel) {
  return {
    name: m.name,
    tier: m.tier ?? "bronze",
    ...(m.relation === undefined ? {} : { relation: m.relation }),
    columns: m.columns,
    quality_checks: m.quality_checks,
  };
}

/** YAML text of `value` with `header` comments: block style, flow style for columns and each check. */
function renderYaml(value: unknown, header: readonly string[]): string {
  const doc = new Document(value);
  visit(doc, {
    Pair(_, pair) {
      const key = String((pair.key as { value?: unknown })?.value ?? "");
      const node = pair.value as Node | null;
      if (key === "columns" && isSeq(node)) node.flow = true;
      if (key === "quality_checks" && isSeq(node)) {
        for (const item of node.items) if (isMap(item)) item.flow = true;
      }
    },
  });
  doc.commentBefore = header.map((line) => (line === "" ? "" : ` ${line}`)).join("\n");
  return doc.toString({ lineWidth: 0 });
}

/** The floe.yaml text: block style for the structure, flow style for columns and each check. */
export function renderProductYaml(product: ScaffoldProduct): string {
  const value = {
    name: product.name,
    ...(product.compute === undefined ? {} : { compute: product.compute }),
    ...(product.contract === undefined ? {} : { contract: product.contract }),
    models: product.models.map(modelValue),
  };
  return renderYaml(value, product.header);
}

/** A `models:` list to paste into a product floe.yaml, as `suggest` prints it. */
export function renderModelsYaml(
  header: readonly string[],
  models: readonly ScaffoldModel[],
): string {
  return renderYaml({ models: models.map(modelValue) }, header);
}
