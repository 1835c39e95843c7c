// CompiledArtifacts: what `compile` writes and `run` reads. The version is the
// contract's: a reader rejects artifacts written for another one.
import { z } from "zod";
import { QualityCheckSchema } from "../config/check.js";
import { ComputeSchema } from "../config/files.js";
import { QualityConfigSchema, TierSchema } from "../config/quality.js";
import { GateResultSchema } from "../config/results.js";

export const ARTIFACTS_VERSION = "0.4.0";

export const COLUMN_SOURCES = ["product", "dbt_manifest", "unknown"] as const;

/** A dbt test as the gate sees it: its name, floe check type (when known) and column. */
export const DbtTestRefSchema = z.strictObject({
  name: z.string().min(1),
  check_type: z.string().nullable(),
  column: z.string().nullable(),
});
export type DbtTestRef = z.output<typeof DbtTestRefSchema>;

export const CompiledModelSchema = z.strictObject({
  name: z.string().min(1),
  quality_tier: TierSchema,
  /** The warehouse relation the checks read; the model name unless floe.yaml says otherwise. */
  relation: z.string().min(1),
  /** `null` when neither floe.yaml nor the dbt manifest lists the model's columns. */
  columns: z.array(z.string()).nullable(),
  columns_source: z.enum(COLUMN_SOURCES),
  tags: z.array(z.string()).default(() => []),
  fail_fast: z.boolean().default(false),
  quality_checks: z.array(QualityCheckSchema),
  /** The dbt tests the dbt manifest declares on the model: they count toward its gate. */
  dbt_tests: z.array(DbtTestRefSchema).default(() => []),
});
export type CompiledModel = z.output<typeof CompiledModelSchema>;

export const CompiledArtifactsSchema = z.strictObject({
  version: z.literal(ARTIFACTS_VERSION, {
    error: (issue) =>
      `artifacts version ${JSON.stringify(issue.input)} is not the supported ${ARTIFACTS_VERSION}`,
  }),
  product: z.strictObject({
    name: z.string().min(1),
    /** Values written `${env:NAME}` stay references; they are resolved at run time only. */
    compute: ComputeSchema,
  }),
  quality_config: QualityConfigSchema,
  models: z.array(CompiledModelSchema),
  gates: z.array(GateResultSchema),
});
export type CompiledArtifacts = z.output<typeof CompiledArtifactsSchema>;
