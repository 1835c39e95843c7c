// The fields floe reads from dbt's artifacts, after the official formats
// run_results.json v6 and manifest.json v12 (schemas.getdbt.com). Only what
// test results need is modelled; every other field is ignored, so neighbouring
// versions with the same fields parse too.
import { z } from "zod";

const nullableString = z.string().nullable().optional();

export const RunResultSchema = z.object({
  /** `pass`, `fail`, `warn`, `error`, `skipped` for tests; `success` ... for models. */
  status: z.string(),
  /** Seconds. */
  execution_time: z.number().nonnegative(),
  message: nullableString,
  /** Rows the test returned (`fail_calc`); null when the test did not run. */
  failures: z.number().int().nonnegative().nullable().optional(),
  unique_id: z.string().min(1),
  relation_name: nullableString,
});
export type RunResult = z.infer<typeof RunResultSchema>;

export const RunResultsSchema = z.object({
  metadata: z.object({ dbt_schema_version: z.string(), dbt_version: z.string().optional() }),
  results: z.array(RunResultSchema),
  elapsed_time: z.number().optional(),
});
export type RunResults = z.infer<typeof RunResultsSchema>;

const meta = z.record(z.string(), z.unknown());

/** A test node of manifest.json (GenericTest or SingularTest). */
export const ManifestTestNodeSchema = z.object({
  unique_id: z.string(),
  name: z.string(),
  resource_type: z.literal("test"),
  /** Generic tests only: the macro that made the test and its arguments. */
  test_metadata: z
    .object({
      name: z.string(),
      namespace: z.string().nullable().optional(),
      kwargs: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  column_name: nullableString,
  /** The model, seed, snapshot or source the test is declared on (dbt ≥ 1.5). */
  attached_node: nullableString,
  depends_on: z.object({ nodes: z.array(z.string()).optional() }).optional(),
  meta: meta.optional(),
  config: z
    .object({
      enabled: z.boolean().optional(),
      /** `ERROR` or `warn`, any case. */
      severity: z
        .string()
        .regex(/^(warn|error)$/i, "expected ERROR or warn")
        .optional(),
      meta: meta.optional(),
    })
    .optional(),
});
export type ManifestTestNode = z.infer<typeof ManifestTestNodeSchema>;

/** The name (and kind) of any node a test may belong to. */
export const ManifestNamedNodeSchema = z.object({
  name: z.string(),
  resource_type: z.string(),
});

export const ManifestSchema = z.object({
  metadata: z.object({ dbt_schema_version: z.string(), dbt_version: z.string().optional() }),
  /** Validated node by node, only for the nodes a test result needs. */
  nodes: z.record(z.string(), z.unknown()),
  sources: z.record(z.string(), z.unknown()).optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;
