// `contract:` in floe.yaml: the models of ODCS contracts join the product's own.
// A model both declare keeps floe.yaml's tier, relation and columns (when written)
// and gets the contract's checks after its own; a check floe.yaml names the same
// replaces the contract's. Models only the contract declares are added (bronze
// unless floe.yaml says otherwise). Pure: the contract texts are given.
import { z } from "zod";
import { type Model, ModelSchema, type Product } from "../config/files.js";
import { formatPath, type LoadedFile, type PathSegment, type SourceText } from "../config/load.js";
import { type Diagnostic, diagnostic } from "../errors/index.js";
import { importOdcsContract } from "./odcs.js";

/** The contract files floe.yaml names, as written. */
export function contractReferences(product: Product): string[] {
  const written = product.contract;
  return written === undefined ? [] : Array.isArray(written) ? written : [written];
}

export type ExpandResult =
  | { ok: true; product: LoadedFile<Product>; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

export function expandContracts(
  product: LoadedFile<Product>,
  contracts: ReadonlyMap<string, SourceText | Diagnostic>,
): ExpandResult {
  const references = contractReferences(product.value);
  if (references.length === 0) return { ok: true, product, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const models = product.value.models.map((m) => ({ ...m, quality_checks: [...m.quality_checks] }));
  const ownCount = models.length;
  const origin = new Map<number, string>();
  references.forEach((reference, r) => {
    const at: PathSegment[] = Array.isArray(product.value.contract)
      ? ["contract", r]
      : ["contract"];
    const source = contracts.get(reference);
    if (source === undefined || !("text" in source)) {
      diagnostics.push(
        source ??
          diagnostic("FLOE-DQ100", `contract ${reference} was not read`, {
            file: product.locate(at),
            path: formatPath(at),
            fix: "Give a path relative to floe.yaml of an ODCS v3 contract the command can read.",
          }),
      );
      return;
    }
    const imported = importOdcsContract(source);
    if (!imported.ok) {
      diagnostics.push(...imported.diagnostics);
      return;
    }
    diagnostics.push(...imported.unsupported);
    const parsed = z.array(ModelSchema).safeParse(imported.models);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        diagnostics.push(
          diagnostic("FLOE-DQ101", `contract ${reference}: ${issue.message}`, {
            file: source.file,
            path: formatPath(issue.path.filter((s) => typeof s !== "symbol") as PathSegment[]),
            fix: "Correct the rule in the contract, or override the check by name in floe.yaml.",
          }),
        );
      }
      return;
    }
    for (const contractModel of parsed.data) {
      const own = models.find((m) => m.name === contractModel.name);
      if (own === undefined) {
        origin.set(models.length, source.file);
        models.push(contractModel);
        continue;
      }
      mergeInto(own, contractModel);
    }
  });
  if (diagnostics.some((d) => d.level === "error")) return { ok: false, diagnostics };
  const locate = (path: readonly PathSegment[]) => {
    const index = path[0] === "models" && typeof path[1] === "number" ? path[1] : -1;
    return index >= ownCount ? (origin.get(index) ?? product.file) : product.locate(path);
  };
  return {
    ok: true,
    product: { ...product, value: { ...product.value, models }, locate },
    diagnostics,
  };
}

function mergeInto(own: Model, contract: Model): void {
  own.relation ??= contract.relation;
  own.columns ??= contract.columns;
  const names = new Set(own.quality_checks.map((c) => c.name));
  for (const check of contract.quality_checks) {
    if (!names.has(check.name)) own.quality_checks.push(check);
  }
}
