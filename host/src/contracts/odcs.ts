// Open Data Contract Standard (ODCS) v3 → floe models and checks. Pure: a
// contract's text in, product-layer models out, with every rule floe cannot
// express listed as a warning (never dropped silently).
//
// What maps (docs/configuration.md, Data contracts):
//   schema object            → a model (name; physicalName → relation)
//   property                 → a column (physicalName when given, else name)
//   required: true           → not_null
//   unique: true             → unique
//   primaryKey               → not_null + unique (one column) / compound_unique (several)
//   logicalTypeOptions       → regex (pattern), length_between (minLength/maxLength),
//                              between (minimum/maximum)
//   quality, type library    → nullValues → not_null, duplicateValues → unique or
//                              compound_unique, invalidValues → accepted_values (validValues)
//                              or regex (pattern), rowCount → row_count_between
//   quality, text/sql/custom → listed as unsupported
import { z } from "zod";
import type { QualityCheckInput } from "../config/check.js";
import {
  formatPath,
  type LoadedFile,
  type PathSegment,
  parseConfigText,
  type SourceText,
} from "../config/load.js";
import { type Diagnostic, diagnostic } from "../errors/index.js";

/** A model as floe.yaml writes it, built from one schema object of the contract. */
export interface ContractModel {
  name: string;
  relation?: string;
  columns: string[];
  quality_checks: QualityCheckInput[];
}

export interface ContractImport {
  id: string;
  version: string;
  models: ContractModel[];
  /** One warning per rule or option that has no floe check, naming its place in the contract. */
  unsupported: Diagnostic[];
}

export type ContractImportResult =
  | ({ ok: true } & ContractImport)
  | { ok: false; diagnostics: Diagnostic[] };

const Comparators = {
  mustBe: z.number().optional(),
  mustNotBe: z.number().optional(),
  mustBeGreaterThan: z.number().optional(),
  mustBeGreaterOrEqualTo: z.number().optional(),
  mustBeLessThan: z.number().optional(),
  mustBeLessOrEqualTo: z.number().optional(),
  mustBeBetween: z.tuple([z.number(), z.number()]).optional(),
  mustNotBeBetween: z.tuple([z.number(), z.number()]).optional(),
};

const RuleSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  type: z.string().optional(),
  metric: z.string().optional(),
  /** ODCS v3.0 spelling of `metric`. */
  rule: z.string().optional(),
  arguments: z.record(z.string(), z.unknown()).optional(),
  unit: z.string().optional(),
  severity: z.string().optional(),
  dimension: z.string().optional(),
  description: z.string().optional(),
  ...Comparators,
});
type Rule = z.output<typeof RuleSchema>;

const PropertySchema = z.looseObject({
  name: z.string().min(1),
  physicalName: z.string().min(1).optional(),
  logicalType: z.string().optional(),
  required: z.boolean().optional(),
  unique: z.boolean().optional(),
  primaryKey: z.boolean().optional(),
  primaryKeyPosition: z.number().int().optional(),
  logicalTypeOptions: z.record(z.string(), z.unknown()).optional(),
  quality: z.array(RuleSchema).optional(),
});
type Property = z.output<typeof PropertySchema>;

const SchemaObjectSchema = z.looseObject({
  name: z.string().min(1),
  physicalName: z.string().min(1).optional(),
  properties: z.array(PropertySchema).default([]),
  quality: z.array(RuleSchema).optional(),
});
type SchemaObject = z.output<typeof SchemaObjectSchema>;

const ContractSchema = z.looseObject({
  apiVersion: z.string().regex(/^v3\.\d+\.\d+$/, {
    message: "not an ODCS v3 contract (apiVersion v3.x.y expected)",
  }),
  kind: z.literal("DataContract"),
  id: z.string().min(1),
  version: z.string().min(1),
  schema: z.array(SchemaObjectSchema).default([]),
});

const DIMENSIONS: Readonly<Record<string, string>> = {
  accuracy: "accuracy",
  completeness: "completeness",
  coverage: "completeness",
  conformity: "validity",
  validity: "validity",
  consistency: "consistency",
  uniqueness: "consistency",
  timeliness: "timeliness",
};

const SEVERITIES: Readonly<Record<string, string>> = {
  critical: "critical",
  error: "critical",
  high: "critical",
  warning: "warning",
  warn: "warning",
  medium: "warning",
  info: "info",
  low: "info",
};

/** The contract's models and checks, or FLOE-DQ100 diagnostics when it is not ODCS v3. */
export function importOdcsContract(source: SourceText): ContractImportResult {
  const parsed = parseConfigText(source, ContractSchema);
  if (!parsed.ok) {
    return {
      ok: false,
      diagnostics: parsed.diagnostics.map((d) => ({
        ...d,
        fix: `${d.fix} The contract must follow the Open Data Contract Standard v3 (datacontract lint checks it).`,
      })),
    };
  }
  const { value } = parsed.loaded;
  const unsupported: Diagnostic[] = [];
  const models = value.schema.map((object, index) =>
    modelOf(object, ["schema", index], parsed.loaded, unsupported),
  );
  return { ok: true, id: value.id, version: value.version, models, unsupported };
}

/** Collects checks for one model with names unique within it. */
class CheckList {
  readonly checks: QualityCheckInput[] = [];
  private readonly names = new Set<string>();
  add(check: QualityCheckInput): void {
    let name = check.name;
    for (let n = 2; this.names.has(name); n++) name = `${check.name}_${n}`;
    this.names.add(name);
    this.checks.push({ ...check, name });
  }
  has(type: string, column: string | undefined): boolean {
    return this.checks.some((c) => c.type === type && c.column === column);
  }
}

function modelOf(
  object: SchemaObject,
  at: PathSegment[],
  loaded: LoadedFile<unknown>,
  unsupported: Diagnostic[],
): ContractModel {
  const checks = new CheckList();
  const skip = (path: PathSegment[], what: string) =>
    unsupported.push(
      diagnostic(
        "FLOE-DQ101",
        `model ${object.name}: ${what} has no floe check; it is not checked`,
        {
          file: loaded.locate(path),
          path: formatPath(path),
          fix: "Express it as a floe check in floe.yaml (docs/configuration.md#check-types), or leave it to the contract's own tooling.",
        },
        "warning",
      ),
    );
  const columnOf = (p: Property) => p.physicalName ?? p.name;
  const keys = object.properties
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.primaryKey === true)
    .sort((a, b) => (a.p.primaryKeyPosition ?? a.i) - (b.p.primaryKeyPosition ?? b.i));

  object.properties.forEach((property, p) => {
    const column = columnOf(property);
    const path = [...at, "properties", p];
    const singleKey = keys.length === 1 && keys[0]!.p === property;
    if (property.required === true || singleKey) {
      checks.add({ name: `${column}_not_null`, type: "not_null", column });
    }
    if (property.unique === true || singleKey) {
      checks.add({ name: `${column}_unique`, type: "unique", column });
    }
    for (const check of optionChecks(property, column, [...path, "logicalTypeOptions"], skip)) {
      checks.add(check);
    }
    (property.quality ?? []).forEach((rule, r) => {
      const check = ruleCheck(rule, column, [...path, "quality", r], skip);
      if (check !== undefined) checks.add(check);
    });
  });
  if (keys.length > 1) {
    checks.add({
      name: `${object.name}_primary_key_unique`,
      type: "compound_unique",
      parameters: { columns: keys.map(({ p }) => columnOf(p)) },
    });
  }
  (object.quality ?? []).forEach((rule, r) => {
    const check = ruleCheck(rule, undefined, [...at, "quality", r], skip);
    if (check !== undefined) checks.add(check);
  });
  return {
    name: object.name,
    ...(object.physicalName !== undefined && object.physicalName !== object.name
      ? { relation: object.physicalName }
      : {}),
    columns: object.properties.map(columnOf),
    quality_checks: checks.checks,
  };
}

type Skip = (path: PathSegment[], what: string) => void;

function optionChecks(
  property: Property,
  column: string,
  at: PathSegment[],
  skip: Skip,
): QualityCheckInput[] {
  const options = property.logicalTypeOptions ?? {};
  const out: QualityCheckInput[] = [];
  const number = (key: string) => (typeof options[key] === "number" ? options[key] : undefined);
  if (typeof options.pattern === "string") {
    out.push({
      name: `${column}_pattern`,
      type: "regex",
      column,
      parameters: { regex: options.pattern },
    });
  }
  const minLength = number("minLength");
  const maxLength = number("maxLength");
  if (minLength !== undefined || maxLength !== undefined) {
    out.push({
      name: `${column}_length`,
      type: "length_between",
      column,
      parameters: {
        ...(minLength === undefined ? {} : { min_value: minLength }),
        ...(maxLength === undefined ? {} : { max_value: maxLength }),
      },
    });
  }
  const minimum = number("minimum");
  const maximum = number("maximum");
  if (minimum !== undefined || maximum !== undefined) {
    out.push({
      name: `${column}_range`,
      type: "between",
      column,
      parameters: {
        ...(minimum === undefined ? {} : { min_value: minimum }),
        ...(maximum === undefined ? {} : { max_value: maximum }),
      },
    });
  }
  const handled = new Set(["pattern", "minLength", "maxLength", "minimum", "maximum"]);
  // Formats and the like describe the type; only rules about values become checks.
  const descriptive = new Set(["format", "timezone", "defaultTimezone", "precision", "scale"]);
  for (const key of Object.keys(options)) {
    if (handled.has(key) || descriptive.has(key)) continue;
    skip([...at, key], `logicalTypeOptions.${key} of column ${column}`);
  }
  return out;
}

/**
 * The one comparator a rule uses as min/max bounds. Counts of rows are whole
 * numbers, so `> n` is `>= n + 1`; percentages keep the written bound. Undefined
 * when the rule uses none, several, or one floe cannot express (mustNotBe...).
 */
function bounds(rule: Rule, whole: boolean): { min?: number; max?: number } | undefined {
  const given = Object.keys(Comparators).filter((k) => rule[k as keyof Rule] !== undefined);
  if (given.length !== 1) return undefined;
  const above = (n: number) => (whole ? Math.floor(n) + 1 : n);
  const below = (n: number) => (whole ? Math.ceil(n) - 1 : n);
  if (rule.mustBe !== undefined) return { min: rule.mustBe, max: rule.mustBe };
  if (rule.mustBeGreaterThan !== undefined) return { min: above(rule.mustBeGreaterThan) };
  if (rule.mustBeGreaterOrEqualTo !== undefined) return { min: rule.mustBeGreaterOrEqualTo };
  if (rule.mustBeLessThan !== undefined) return { max: below(rule.mustBeLessThan) };
  if (rule.mustBeLessOrEqualTo !== undefined) return { max: rule.mustBeLessOrEqualTo };
  if (rule.mustBeBetween !== undefined) {
    return { min: rule.mustBeBetween[0], max: rule.mustBeBetween[1] };
  }
  return undefined;
}

/**
 * For "no bad rows" metrics, the `mostly` tolerance (1 = none): `mustBe: 0` (rows),
 * or at most N percent with `unit: percent` (mostly = 1 - N/100; a strict `<` is
 * read as `<=`, the nearest a ratio threshold gets). Undefined when not expressible.
 */
function badRowTolerance(rule: Rule): number | undefined {
  const percent = rule.unit === "percent";
  const b = bounds(rule, !percent);
  if (b === undefined || (b.min !== undefined && b.min > 0)) return undefined;
  if (b.max === 0) return 1;
  if (percent && b.max !== undefined && b.max < 100) {
    return Number((1 - b.max / 100).toPrecision(12));
  }
  return undefined;
}

function ruleCheck(
  rule: Rule,
  column: string | undefined,
  at: PathSegment[],
  skip: Skip,
): QualityCheckInput | undefined {
  const metric = rule.metric ?? rule.rule;
  const type = rule.type ?? (metric === undefined ? undefined : "library");
  const label = rule.id ?? rule.name ?? metric ?? type ?? "rule";
  if (type !== "library" || metric === undefined) {
    skip(at, `quality rule '${label}' (type ${type ?? "unset"})`);
    return undefined;
  }
  const where = column === undefined ? "table" : `column ${column}`;
  const severity = rule.severity === undefined ? undefined : SEVERITIES[rule.severity];
  const dimension = rule.dimension === undefined ? undefined : DIMENSIONS[rule.dimension];
  /** The check in floe.yaml's key order: name, type, column, severity, dimension, parameters. */
  const check = (
    fallback: string,
    type: string,
    parameters: Record<string, unknown> = {},
  ): QualityCheckInput => ({
    name: checkName(rule.id ?? rule.name ?? fallback),
    type,
    ...(column === undefined ? {} : { column }),
    ...(severity === undefined ? {} : { severity: severity as QualityCheckInput["severity"] }),
    ...(dimension === undefined ? {} : { dimension: dimension as QualityCheckInput["dimension"] }),
    ...(Object.keys(parameters).length === 0 ? {} : { parameters }),
  });
  const mostly = (tolerance: number) => (tolerance < 1 ? { mostly: tolerance } : {});
  const args = rule.arguments ?? {};

  switch (metric) {
    case "nullValues": {
      const tolerance = badRowTolerance(rule);
      if (column === undefined || tolerance === undefined) break;
      return check(`${column}_not_null`, "not_null", mostly(tolerance));
    }
    case "duplicateValues": {
      if (badRowTolerance(rule) !== 1) break;
      if (column !== undefined) {
        return check(`${column}_unique`, "unique");
      }
      const columns = args.properties;
      if (!Array.isArray(columns) || !columns.every((c) => typeof c === "string")) break;
      return check(`${columns.join("_")}_unique`, "compound_unique", { columns });
    }
    case "invalidValues": {
      const tolerance = badRowTolerance(rule);
      if (column === undefined || tolerance === undefined) break;
      if (Array.isArray(args.validValues)) {
        return check(`${column}_accepted_values`, "accepted_values", {
          values: args.validValues,
          ...mostly(tolerance),
        });
      }
      if (typeof args.pattern === "string") {
        return check(`${column}_pattern`, "regex", { regex: args.pattern, ...mostly(tolerance) });
      }
      break;
    }
    case "rowCount": {
      const rows = rule.unit === "percent" ? undefined : bounds(rule, true);
      if (column !== undefined || rows === undefined) break;
      return check("row_count", "row_count_between", {
        ...(rows.min === undefined ? {} : { min_value: rows.min }),
        ...(rows.max === undefined ? {} : { max_value: rows.max }),
      });
    }
  }
  skip(at, `quality rule '${label}' (metric ${metric} on the ${where}, as written)`);
  return undefined;
}

/** A rule id as a check name: letters, digits and underscores. */
function checkName(text: string): string {
  return text.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "") || "contract_rule";
}
