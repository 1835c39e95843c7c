// The three file kinds: enterprise manifest, domain manifest, product floe.yaml.
// A layer's `quality:` section is the QualityConfig schema with every default
// removed: merging must see only what a layer actually wrote; defaults are filled in
// once, after the merge.

import { z } from "zod";
import { ALWAYS, QualityCheckSchema, refineUniqueCheckNames } from "./check.js";
import { addFloeIssue } from "./issue.js";
import {
  type QualityConfigInput,
  QualityConfigSchema,
  refineWeightSum,
  TierSchema,
} from "./quality.js";
import { didYouMean } from "./suggest.js";

/** The same schema with defaults dropped and every object field optional, recursively. */
function withoutDefaults(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) {
    return withoutDefaults(schema.unwrap() as z.ZodType);
  }
  if (schema instanceof z.ZodOptional) return withoutDefaults(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      shape[key] = withoutDefaults(field).optional();
    }
    return z.strictObject(shape);
  }
  return schema;
}

/** Every setting path a lock may name: `dimension_weights`, `thresholds.min_score`, ... */
export const SETTING_PATHS: readonly string[] = (() => {
  const paths: string[] = ["provider"];
  const walk = (schema: z.ZodType, prefix: string) => {
    let inner = schema;
    while (
      inner instanceof z.ZodDefault ||
      inner instanceof z.ZodPrefault ||
      inner instanceof z.ZodOptional
    ) {
      inner = inner.unwrap() as z.ZodType;
    }
    if (!(inner instanceof z.ZodObject)) return;
    for (const [key, field] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      if (prefix === "" && (key === "provider" || key === "overrides")) continue;
      if (key === "overridable") continue;
      const path = prefix ? `${prefix}.${key}` : key;
      paths.push(path);
      walk(field, path);
    }
  };
  walk(QualityConfigSchema, "");
  return paths;
})();

const settingPaths = new Set(SETTING_PATHS);

const LayerQualityFields = withoutDefaults(
  QualityConfigSchema.omit({ provider: true }),
) as z.ZodObject<z.ZodRawShape>;

function refineOverridePaths(
  overrides: Record<string, unknown>,
  ctx: z.core.$RefinementCtx<unknown>,
) {
  for (const path of Object.keys(overrides)) {
    if (settingPaths.has(path)) continue;
    addFloeIssue(
      ctx,
      "FLOE-DQ100",
      `unknown setting '${path}' in overrides${didYouMean(path, SETTING_PATHS)}`,
      [path],
      "Name a setting path such as dimension_weights, thresholds.min_score, calculation.severity_weights or provider.",
    );
  }
}

const layerShape = LayerQualityFields.shape as Record<string, z.ZodOptional<z.ZodType>>;

/** A layer's `quality:` section as written: every field optional, no defaults. */
export type LayerQuality = Omit<QualityConfigInput, "provider">;

export const LayerQualitySchema = LayerQualityFields.extend({
  dimension_weights: (layerShape.dimension_weights!.unwrap() as z.ZodType<Record<string, unknown>>)
    // A layer that writes all five weights must already sum to 1; partial ones are checked after the merge.
    .superRefine(refineWeightSum, ALWAYS)
    .optional(),
  overrides: (layerShape.overrides!.unwrap() as z.ZodType<Record<string, unknown>>)
    .superRefine(refineOverridePaths, ALWAYS)
    .optional(),
}) as unknown as z.ZodType<LayerQuality>;

export const PluginsSchema = z.strictObject({
  quality: z.strictObject({ provider: z.string().min(1).optional() }).optional(),
});

function manifestSchema<S extends "enterprise" | "domain">(scope: S) {
  return z.strictObject({
    scope: z.literal(scope),
    name: z.string().min(1).optional(),
    plugins: PluginsSchema.optional(),
    quality: LayerQualitySchema.optional(),
  });
}

export const EnterpriseManifestSchema = manifestSchema("enterprise");
export type EnterpriseManifest = z.output<typeof EnterpriseManifestSchema>;
export const DomainManifestSchema = manifestSchema("domain");
export type DomainManifest = z.output<typeof DomainManifestSchema>;

/** `${env:NAME}`: a secret or setting resolved from the environment at run time only. */
export const ENV_REFERENCE = /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/;

const envReference = z
  .string()
  .regex(ENV_REFERENCE, { message: `expected a reference such as \${env:PGPASSWORD}` });

/** A literal, or a whole-value `${env:NAME}` reference (kept as written in artifacts). */
const setting = z
  .string()
  .min(1)
  .refine((v) => !v.includes("${") || ENV_REFERENCE.test(v), {
    message: `a reference must be the whole value, written \${env:NAME}`,
  });

const options = z.record(z.string(), z.string());

export const DuckDbComputeSchema = z.strictObject({
  dialect: z.literal("duckdb"),
  path: setting,
  options: options.optional(),
});

/**
 * A host name (or socket directory), never a URL or DSN: `user:password@host`
 * would carry the password into compiled artifacts, errors and lineage.
 */
const hostSetting = setting.refine((v) => ENV_REFERENCE.test(v) || !/@|:\/\//.test(v), {
  message: `compute.host is a URL or holds credentials; give the host name only, the user as user: and the password as password: \${env:NAME}`,
});

export const PostgresComputeSchema = z.strictObject({
  dialect: z.literal("postgres"),
  host: hostSetting,
  port: z.union([z.number().int().min(1).max(65535), envReference]).optional(),
  database: setting,
  user: setting,
  /** Only a reference: a literal password would end up in compiled artifacts. */
  password: envReference.optional(),
  schema: setting.optional(),
  options: options.optional(),
});

/**
 * Spark (the floe_spark provider): a Spark Connect endpoint (`host`, `port`,
 * `user`, `token`) or, without a host, a local session; tables are catalog
 * tables, or the data under `path` (a directory of tables read with
 * `options.format`, Parquet by default).
 */
export const SparkComputeSchema = z.strictObject({
  dialect: z.literal("spark"),
  host: hostSetting.optional(),
  port: z.union([z.number().int().min(1).max(65535), envReference]).optional(),
  user: setting.optional(),
  /** The Spark Connect bearer token: only a reference, never a literal. */
  token: envReference.optional(),
  path: setting.optional(),
  schema: setting.optional(),
  options: options.optional(),
});

export const ComputeSchema = z.discriminatedUnion("dialect", [
  DuckDbComputeSchema,
  PostgresComputeSchema,
  SparkComputeSchema,
]);
export type Compute = z.output<typeof ComputeSchema>;

const uniqueStrings =
  (what: string) =>
  (values: readonly string[], ctx: z.core.$RefinementCtx<unknown>): void => {
    const seen = new Set<string>();
    values.forEach((value, index) => {
      if (seen.has(value)) {
        addFloeIssue(
          ctx,
          "FLOE-DQ100",
          `duplicate ${what} '${value}'`,
          [index],
          `List each ${what} once.`,
        );
      }
      seen.add(value);
    });
  };

export const ModelSchema = z.strictObject({
  name: z.string().min(1),
  tier: TierSchema.default("bronze"),
  relation: z.string().min(1).optional(),
  columns: z.array(z.string().min(1)).superRefine(uniqueStrings("column")).optional(),
  /** Labels for `run --select tag:NAME`. */
  tags: z
    .array(z.string().min(1))
    .superRefine(uniqueStrings("tag"))
    .default(() => []),
  /** Stop the suite at the first check that fails or cannot run; the rest are skipped. */
  fail_fast: z.boolean().default(false),
  quality_checks: z
    .array(QualityCheckSchema)
    .superRefine(refineUniqueCheckNames, ALWAYS)
    .default([]),
});
export type Model = z.output<typeof ModelSchema>;

export const ProductSchema = z
  .strictObject({
    name: z.string().min(1),
    compute: ComputeSchema,
    plugins: PluginsSchema.optional(),
    quality: LayerQualitySchema.optional(),
    /** ODCS v3 contracts whose models and checks join `models` (paths relative to this file). */
    contract: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    models: z.array(ModelSchema).default([]),
  })
  .superRefine((product, ctx) => {
    const seen = new Set<string>();
    product.models.forEach((model, index) => {
      if (seen.has(model.name)) {
        addFloeIssue(
          ctx,
          "FLOE-DQ100",
          `duplicate model name '${model.name}'`,
          ["models", index, "name"],
          "Declare each model once.",
        );
      }
      seen.add(model.name);
    });
  });
export type Product = z.output<typeof ProductSchema>;
