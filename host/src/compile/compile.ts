// compileProject: enterprise + domain manifests + product floe.yaml (+ dbt manifest
// for columns) → CompiledArtifacts, or every diagnostic found. Pure: it takes file
// texts and returns values; reading and writing files is the caller's business.
import {
  conditionColumns,
  type DbtDeclaredTest,
  declaredDbtTests,
  FloeError,
  lookupCheckType,
  parseRowCondition,
} from "@floe/quality-sdk";
import { z } from "zod";
import type { QualityCheck } from "../config/check.js";
import type { Model, Product } from "../config/files.js";
import {
  formatPath,
  type LoadedFile,
  type LoadResult,
  type PathSegment,
  parseDomainManifest,
  parseEnterpriseManifest,
  parseProduct,
  type SourceText,
} from "../config/load.js";
import { type ConfigLayer, filePath, mergeLayers, resolveQualityConfig } from "../config/merge.js";
import type { QualityConfig } from "../config/quality.js";
import type { GateResult } from "../config/results.js";
import { didYouMean } from "../config/suggest.js";
import { expandContracts } from "../contracts/expand.js";
import { type Diagnostic, diagnostic } from "../errors/index.js";
import { evaluateGates } from "../gates/evaluate.js";
import {
  ARTIFACTS_VERSION,
  type CompiledArtifacts,
  type CompiledModel,
  type DbtTestRef,
} from "./artifacts.js";

export interface CompileInput {
  enterprise: SourceText;
  domain?: SourceText | undefined;
  product: SourceText;
  /** dbt `target/manifest.json`: the columns of models floe.yaml does not list. */
  dbtManifest?: SourceText | undefined;
  /** Provider names a plugin is installed for (`plugins.quality.provider` must be one). */
  knownProviders: readonly string[];
  /** The ODCS contracts floe.yaml's `contract:` names, keyed as written (or why one was not read). */
  contracts?: ReadonlyMap<string, SourceText | Diagnostic> | undefined;
}

export type CompileResult =
  | { ok: true; artifacts: CompiledArtifacts; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

export function compileProject(input: CompileInput): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const enterprise = parseEnterpriseManifest(input.enterprise);
  const domain = input.domain ? parseDomainManifest(input.domain) : undefined;
  const product = withContracts(parseProduct(input.product), input.contracts, diagnostics);
  const dbtColumns = input.dbtManifest ? parseDbtManifest(input.dbtManifest) : undefined;
  for (const result of [enterprise, domain, product, dbtColumns]) {
    if (result && !result.ok) diagnostics.push(...result.diagnostics);
  }
  if (!enterprise.ok || (domain && !domain.ok) || !product.ok || (dbtColumns && !dbtColumns.ok)) {
    return { ok: false, diagnostics };
  }

  const layers: ConfigLayer[] = [
    layerOf("enterprise", enterprise.loaded),
    ...(domain?.ok ? [layerOf("domain", domain.loaded)] : []),
    layerOf("product", product.loaded),
  ];
  const merged = mergeLayers(layers);
  diagnostics.push(...merged.diagnostics);
  const resolved = resolveQualityConfig(merged);
  const known =
    input.knownProviders.length > 0 ? input.knownProviders.join(", ") : "none installed";
  for (const d of resolved.diagnostics) {
    diagnostics.push(
      d.code === "FLOE-DQ001"
        ? {
            ...d,
            file: d.file ?? input.enterprise.file,
            message: `${d.message}; known providers: ${known}`,
          }
        : d,
    );
  }
  if (resolved.ok) {
    diagnostics.push(...checkProvider(resolved.config.provider, input.knownProviders, merged));
  }

  const models = product.loaded.value.models.map((model, index) =>
    compileModel(
      model,
      index,
      product.loaded,
      dbtColumns?.ok ? dbtColumns.columns : undefined,
      dbtColumns?.ok ? dbtColumns.tests.get(model.name) : undefined,
    ),
  );
  for (const m of models) diagnostics.push(...m.diagnostics);
  const targets = relationshipTargets(models.map((m) => m.model));
  diagnostics.push(...checkRelationships(targets, product.loaded));
  diagnostics.push(...engineSpecificFilters(targets, product.loaded));

  const gates: GateResult[] = [];
  if (resolved.ok) {
    for (const [index, { model }] of models.entries()) {
      const gate = evaluateGates(
        {
          ...model,
          tier: model.quality_tier,
          columns: model.columns ?? undefined,
          dbt_tests: model.dbt_tests,
        },
        resolved.config.quality_gates,
      );
      gates.push(gate);
      diagnostics.push(...gateDiagnostics(gate, index, product.loaded));
    }
  }

  if (!resolved.ok || diagnostics.some((d) => d.level === "error")) {
    return { ok: false, diagnostics };
  }
  return {
    ok: true,
    artifacts: artifactsOf(product.loaded.value, resolved.config, targets, gates),
    diagnostics,
  };
}

/** The product with the models of its `contract:` files joined in; their warnings go to `out`. */
function withContracts(
  parsed: LoadResult<Product>,
  contracts: CompileInput["contracts"],
  out: Diagnostic[],
): LoadResult<Product> {
  if (!parsed.ok) return parsed;
  const expanded = expandContracts(parsed.loaded, contracts ?? new Map());
  if (!expanded.ok) return expanded;
  out.push(...expanded.diagnostics);
  return { ok: true, loaded: expanded.product };
}

function layerOf(
  layer: ConfigLayer["layer"],
  loaded: LoadedFile<{
    plugins?: { quality?: { provider?: string } } | undefined;
    quality?: ConfigLayer["quality"];
  }>,
): ConfigLayer {
  return {
    layer,
    file: loaded.file,
    provider: loaded.value.plugins?.quality?.provider,
    quality: loaded.value.quality,
    locate: loaded.locate,
  };
}

function checkProvider(
  provider: string,
  known: readonly string[],
  merged: ReturnType<typeof mergeLayers>,
): Diagnostic[] {
  if (known.includes(provider)) return [];
  const ref = merged.origin("provider");
  const written = filePath("provider");
  const list = known.length > 0 ? known.join(", ") : "none installed";
  return [
    diagnostic(
      "FLOE-DQ001",
      `unknown quality provider '${provider}'${didYouMean(provider, known)}; known providers: ${list}`,
      {
        file: ref?.locate ? ref.locate(written) : ref?.file,
        path: formatPath(written),
        fix: `Set plugins.quality.provider to one of: ${list} (floe-quality plugins list).`,
      },
    ),
  ];
}

function artifactsOf(
  product: Product,
  config: QualityConfig,
  models: CompiledModel[],
  gates: GateResult[],
): CompiledArtifacts {
  return {
    version: ARTIFACTS_VERSION,
    product: { name: product.name, compute: product.compute },
    quality_config: config,
    models,
    gates,
  };
}

function compileModel(
  model: Model,
  index: number,
  product: LoadedFile<Product>,
  dbtColumns: ReadonlyMap<string, string[]> | undefined,
  dbtTests: readonly DbtTestRef[] | undefined,
): { model: CompiledModel; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const dbt = dbtColumns?.get(model.name);
  const columns = model.columns ?? dbt;
  const source: CompiledModel["columns_source"] = model.columns
    ? "product"
    : dbt
      ? "dbt_manifest"
      : "unknown";
  const at = (path: PathSegment[]) => ({
    file: product.locate(["models", index, ...path]),
    path: formatPath(["models", index, ...path]),
  });

  if (columns === undefined) {
    const whereFrom = dbtColumns
      ? "floe.yaml nor the dbt manifest lists"
      : "floe.yaml does not list";
    diagnostics.push(
      diagnostic(
        "FLOE-DQ105",
        `model ${model.name}: ${whereFrom} its columns, so column references are not checked and coverage counts only the columns the checks name`,
        {
          ...at(["name"]),
          fix: "List the model's columns in floe.yaml (columns: [...]) or pass --dbt-manifest target/manifest.json.",
        },
        "warning",
      ),
    );
  } else {
    const known = new Set(columns);
    model.quality_checks.forEach((check, c) => {
      for (const { value, path } of columnReferences(check)) {
        if (known.has(value)) continue;
        diagnostics.push(
          diagnostic(
            "FLOE-DQ105",
            `model ${model.name}, check ${check.name}: unknown column '${value}'${didYouMean(value, columns)}`,
            {
              ...at(["quality_checks", c, ...path]),
              fix: `Use one of the model's columns (${columns.join(", ")}), or add the column to the model.`,
            },
          ),
        );
      }
    });
  }

  return {
    model: {
      name: model.name,
      quality_tier: model.tier,
      relation: model.relation ?? model.name,
      columns: columns ? [...columns] : null,
      columns_source: source,
      tags: model.tags,
      fail_fast: model.fail_fast,
      quality_checks: model.quality_checks,
      dbt_tests: [...(dbtTests ?? [])],
    },
    diagnostics,
  };
}

/** Every column name a check refers to, with its path inside the check. */
function columnReferences(check: QualityCheck): { value: string; path: PathSegment[] }[] {
  const refs: { value: string; path: PathSegment[] }[] = [];
  if (check.column !== undefined) refs.push({ value: check.column, path: ["column"] });
  const condition = check.parameters.row_condition;
  if (typeof condition === "string") {
    // Parsed already by the check schema; the columns it reads must exist like any other.
    for (const value of conditionColumns(parseRowCondition(condition))) {
      refs.push({ value, path: ["parameters", "row_condition"] });
    }
  }
  for (const name of lookupCheckType(check.type)?.columnParameters ?? []) {
    const value = check.parameters[name];
    if (typeof value === "string") refs.push({ value, path: ["parameters", name] });
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (typeof v === "string") refs.push({ value: v, path: ["parameters", name, i] });
      });
    }
  }
  return refs;
}

/**
 * `relationships.to` names another model of the product (by name or by relation)
 * or a table outside it. A model's name is replaced by the model's relation, so
 * the check runs against the table compile checked.
 */
function relationshipTargets(models: CompiledModel[]): CompiledModel[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  return models.map((model) => ({
    ...model,
    quality_checks: model.quality_checks.map((check) => {
      if (check.type !== "relationships") return check;
      const target = byName.get(String(check.parameters.to));
      if (target === undefined || target.relation === check.parameters.to) return check;
      return { ...check, parameters: { ...check.parameters, to: target.relation } };
    }),
  }));
}

/** `relationships` to another model of the product: its `field` must be one of that model's columns. */
function checkRelationships(models: CompiledModel[], product: LoadedFile<Product>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const byRelation = new Map(models.map((m) => [m.relation, m]));
  models.forEach((model, index) => {
    model.quality_checks.forEach((check, c) => {
      if (check.type !== "relationships") return;
      const target = byRelation.get(String(check.parameters.to));
      const field = String(check.parameters.field);
      if (!target?.columns || target.columns.includes(field)) return;
      const path = ["models", index, "quality_checks", c, "parameters", "field"];
      diagnostics.push(
        diagnostic(
          "FLOE-DQ105",
          `model ${model.name}, check ${check.name}: model ${target.name} has no column '${field}'${didYouMean(field, target.columns)}`,
          {
            file: product.locate(path),
            path: formatPath(path),
            fix: `Use one of ${target.name}'s columns: ${target.columns.join(", ")}.`,
          },
        ),
      );
    });
  });
  return diagnostics;
}

/** A warning for every check filtered by raw SQL: it runs only on the providers that take SQL. */
function engineSpecificFilters(
  models: CompiledModel[],
  product: LoadedFile<Product>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  models.forEach((model, index) => {
    model.quality_checks.forEach((check, c) => {
      if (check.parameters.row_condition_sql === undefined) return;
      const path = ["models", index, "quality_checks", c, "parameters", "row_condition_sql"];
      out.push(
        diagnostic(
          "FLOE-DQ101",
          `model ${model.name}, check ${check.name}: row_condition_sql is engine-specific SQL, run as written by the SQL providers (floe_sql, dbt_expectations, great_expectations on a SQL database); the portable row_condition runs everywhere`,
          {
            file: product.locate(path),
            path: formatPath(path),
            fix: "Write the filter as row_condition (docs/configuration.md#row-filters) unless it needs SQL the portable language lacks.",
          },
          "warning",
        ),
      );
    });
  });
  return out;
}

function gateDiagnostics(
  gate: GateResult,
  index: number,
  product: LoadedFile<Product>,
): Diagnostic[] {
  const path: PathSegment[] = ["models", index, "quality_checks"];
  const where = { file: product.locate(path), path: formatPath(path) };
  const out: Diagnostic[] = [];
  if (gate.coverage_actual < gate.coverage_required) {
    out.push(
      diagnostic("FLOE-DQ103", `model ${gate.model_name}: ${gate.violations[0]}`, {
        ...where,
        fix: `Add enabled checks on more of ${gate.model_name}'s columns to reach ${gate.coverage_required}% (or move the model to a lower tier).`,
      }),
    );
  }
  if (gate.missing_tests.length > 0) {
    out.push(
      diagnostic(
        "FLOE-DQ104",
        `model ${gate.model_name}: the ${gate.tier} gate requires check types missing here: ${gate.missing_tests.join(", ")}`,
        {
          ...where,
          fix: `Add enabled checks of type ${gate.missing_tests.join(", ")} to ${gate.model_name}.`,
        },
      ),
    );
  }
  return out;
}

const DbtManifestSchema = z.looseObject({
  nodes: z.record(
    z.string(),
    z.looseObject({
      resource_type: z.string(),
      name: z.string(),
      columns: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
});

/**
 * Model name → column names, and model name → the dbt tests declared on it,
 * from a dbt manifest.json (v12 field names).
 */
export function parseDbtManifest(
  source: SourceText,
):
  | { ok: true; columns: Map<string, string[]>; tests: Map<string, DbtTestRef[]> }
  | { ok: false; diagnostics: Diagnostic[] } {
  const fail = (message: string, path?: string) => ({
    ok: false as const,
    diagnostics: [
      diagnostic("FLOE-DQ100", `dbt manifest: ${message}`, {
        file: source.file,
        path,
        fix: "Pass the manifest.json that `dbt parse` or `dbt compile` writes to target/.",
      }),
    ],
  });
  let json: unknown;
  try {
    json = JSON.parse(source.text);
  } catch (error) {
    return fail(`not valid JSON: ${(error as Error).message}`);
  }
  const parsed = DbtManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(issue.message, formatPath(issue.path) || undefined);
  }
  const columns = new Map<string, string[]>();
  for (const node of Object.values(parsed.data.nodes)) {
    // A model without documented columns has `columns: {}`: that says nothing about them.
    const names = Object.keys(node.columns ?? {});
    if (node.resource_type !== "model" || names.length === 0) continue;
    if (!columns.has(node.name)) columns.set(node.name, names);
  }
  const tests = new Map<string, DbtTestRef[]>();
  let declared: DbtDeclaredTest[] = [];
  try {
    declared = declaredDbtTests(source.text, source.file);
  } catch (error) {
    if (!(error instanceof FloeError)) throw error;
    return fail(error.message, error.path);
  }
  for (const test of declared) {
    if (test.model === null) continue;
    const list = tests.get(test.model) ?? [];
    list.push({ name: test.name, check_type: test.check_type, column: test.column });
    tests.set(test.model, list);
  }
  return { ok: true, columns, tests };
}
