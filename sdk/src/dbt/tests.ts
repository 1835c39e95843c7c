// dbt test results as floe checks: run_results.json gives each test's outcome,
// manifest.json what the test is (its macro, column, model, severity, meta).
// The mapping is documented in docs/scoring.md ("dbt test results").
import { readFile } from "node:fs/promises";
import { z } from "zod";
import {
  DIMENSIONS,
  type DimensionName,
  lookupCheckType,
  SEVERITIES,
  type SeverityName,
} from "../checks.js";
import { FloeError } from "../errors.js";
import {
  type Manifest,
  ManifestNamedNodeSchema,
  ManifestSchema,
  type ManifestTestNode,
  ManifestTestNodeSchema,
  type RunResult,
  RunResultsSchema,
} from "./artifacts.js";

/** A dbt test's outcome as floe scores it. */
export type DbtCheckStatus = "passed" | "failed" | "error" | "skipped";

/** One dbt test result, shaped like a floe QualityCheckResult plus its dbt identity. */
export interface DbtTestResult {
  /** `meta.floe_check` when the test sets it, else the dbt test name. */
  readonly check_name: string;
  readonly passed: boolean;
  readonly status: DbtCheckStatus;
  readonly dimension: DimensionName;
  readonly severity: SeverityName;
  /** dbt's `failures`: the rows the test returned; 0 when it did not run. */
  readonly records_failed: number;
  readonly execution_time_ms: number;
  /** The floe check type of the test's macro, when the vocabulary knows it. */
  readonly check_type: string | null;
  readonly column: string | null;
  /** dbt's message for an errored test. */
  readonly error_message: string | null;
  /** Name of the model (or seed, snapshot, source) the test belongs to. */
  readonly model: string | null;
  readonly unique_id: string;
  /** The generic test's macro (`not_null`, `expect_column_values_to_be_between`); null for singular tests. */
  readonly test_name: string | null;
  /** dbt's own status: pass, fail, warn, error, skipped. */
  readonly dbt_status: string;
}

/**
 * dbt status → floe status. `warn` is a failure: dbt reports it only when the
 * test returned failing rows (past `warn_if`, short of `error_if`); counting it
 * as passed would hide those rows from the score. Its softness is carried by
 * the severity instead: a warned test scores with severity `warning`.
 */
const STATUS: Readonly<Record<string, DbtCheckStatus>> = {
  pass: "passed",
  fail: "failed",
  warn: "failed",
  error: "error",
  "runtime error": "error",
  skipped: "skipped",
};

/** dbt's built-in generic tests; other names go through the check vocabulary. */
export const DBT_TEST_DIMENSIONS: Readonly<Record<string, DimensionName>> = {
  not_null: "completeness",
  unique: "consistency",
  accepted_values: "validity",
  relationships: "consistency",
};

/** The dimension of a test with no vocabulary entry and of singular (SQL file) tests. */
export const DEFAULT_DBT_DIMENSION: DimensionName = "validity";

/** The dimension a dbt test scores in, from its macro name (before any `meta.dimension`). */
export function dimensionOfDbtTest(testName: string | null | undefined): DimensionName {
  if (!testName) return DEFAULT_DBT_DIMENSION;
  return (
    DBT_TEST_DIMENSIONS[testName] ?? lookupCheckType(testName)?.dimension ?? DEFAULT_DBT_DIMENSION
  );
}

/** Kinds of node a test can be declared on. */
const TESTED_NODE = /^(model|seed|snapshot|source)\./;

export interface DbtTestResultOptions {
  /** Keep only the tests of this model (by dbt node name). */
  readonly model?: string | undefined;
  /** Names used in errors; `run_results.json` and `manifest.json` by default. */
  readonly runResultsFile?: string | undefined;
  readonly manifestFile?: string | undefined;
}

/** `["results", 2, "failures"]` → `results[2].failures`. */
function formatPath(parts: readonly PropertyKey[], prefix = ""): string {
  let out = prefix;
  for (const part of parts) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function parseJsonText(text: string, file: string, kind: string): unknown {
  if (text.trim() === "") {
    throw new FloeError("FLOE-DQ100", "the file is empty", {
      file,
      fix: `Point at the ${kind} dbt wrote in target/, after a complete dbt run.`,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FloeError("FLOE-DQ100", `not valid JSON (corrupt or truncated): ${reason}`, {
      file,
      fix: `Re-run dbt so it writes a complete ${kind}, and pass that file.`,
    });
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string, prefix = ""): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = formatPath(issue?.path ?? [], prefix);
  throw new FloeError("FLOE-DQ100", issue?.message ?? "invalid", {
    file,
    path: path || undefined,
    fix: "Pass the artifacts of one dbt run (target/run_results.json and target/manifest.json, dbt ≥ 1.8).",
  });
}

const ArtifactMetadataSchema = z.object({
  metadata: z.object({ dbt_schema_version: z.string() }),
});

/**
 * A dbt artifact of the expected kind (`run-results`, `manifest`), parsed with
 * `schema`. The kind is checked before the fields, so swapped files are named
 * as such rather than as a missing field.
 */
function parseArtifact<T>(
  text: string,
  file: string,
  kind: "run-results" | "manifest",
  schema: z.ZodType<T>,
): T {
  const fileKind = kind === "run-results" ? "run_results.json" : "manifest.json";
  const json = parseJsonText(text, file, fileKind);
  const version = parseWith(ArtifactMetadataSchema, json, file).metadata.dbt_schema_version;
  if (!version.includes(`/${kind}/`)) {
    throw new FloeError("FLOE-DQ100", `holds ${version}, not a dbt ${kind} artifact`, {
      file,
      path: "metadata.dbt_schema_version",
      fix: "Pass target/run_results.json as the run results and target/manifest.json as the manifest.",
    });
  }
  return parseWith(schema, json, file);
}

const nodeKey = (id: string) => `nodes[${JSON.stringify(id)}]`;

function readMeta<T extends string>(
  value: unknown,
  allowed: readonly T[],
  key: string,
  id: string,
  file: string,
): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value))
    return value as T;
  throw new FloeError(
    "FLOE-DQ101",
    `${JSON.stringify(value)} is not one of ${allowed.join(", ")}`,
    {
      file,
      path: `${nodeKey(id)}.meta.${key}`,
      fix: `Set meta.${key} on the test to one of ${allowed.join(", ")}.`,
    },
  );
}

/**
 * `{{ get_where_subquery(ref('orders')) }}` → `orders`: the relation a generic
 * test's `model` argument names (`ref('pkg', 'orders')` and
 * `source('shop', 'orders')` name it last).
 */
function relationNamedBy(modelArgument: unknown): string | undefined {
  if (typeof modelArgument !== "string") return undefined;
  const call = /\b(?:ref|source)\(([^)]*)\)/.exec(modelArgument);
  const args = call?.[1]?.split(",").map((a) => a.trim().replace(/^['"]|['"]$/g, ""));
  const name = args?.[args.length - 1];
  return name ? name : undefined;
}

function nodeName(manifest: Manifest, id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const named = ManifestNamedNodeSchema.safeParse(manifest.nodes[id] ?? manifest.sources?.[id]);
  return named.success ? named.data.name : undefined;
}

/**
 * The model (seed, snapshot, source) a test is declared on: its `attached_node`;
 * else the relation its `model` argument names; else the single such node it
 * depends on. A test over several with neither belongs to none.
 */
function modelOf(node: ManifestTestNode, manifest: Manifest): string | null {
  if (node.attached_node) return nodeName(manifest, node.attached_node) ?? null;
  const named = relationNamedBy(node.test_metadata?.kwargs?.model);
  if (named !== undefined) return named;
  const tested = (node.depends_on?.nodes ?? []).filter((id) => TESTED_NODE.test(id));
  return tested.length === 1 ? (nodeName(manifest, tested[0]) ?? null) : null;
}

function severityOf(node: ManifestTestNode, dbtStatus: string): SeverityName {
  if (dbtStatus === "warn") return "warning";
  return node.config?.severity?.toLowerCase() === "warn" ? "warning" : "critical";
}

function testResult(
  run: RunResult,
  node: ManifestTestNode,
  status: DbtCheckStatus,
  manifest: Manifest,
  manifestFile: string,
): DbtTestResult {
  const meta = { ...node.meta, ...node.config?.meta };
  const id = node.unique_id;
  const testName = node.test_metadata?.name ?? null;
  const floeCheck = meta.floe_check;
  if (floeCheck !== undefined && (typeof floeCheck !== "string" || floeCheck === "")) {
    throw new FloeError("FLOE-DQ101", "meta.floe_check must be a non-empty string", {
      file: manifestFile,
      path: `${nodeKey(id)}.meta.floe_check`,
      fix: "Set meta.floe_check to the floe check name the test implements, or remove it.",
    });
  }
  const kwargColumn = node.test_metadata?.kwargs?.column_name;
  return {
    check_name: floeCheck ?? node.name,
    passed: status === "passed",
    status,
    dimension:
      readMeta(meta.dimension, DIMENSIONS, "dimension", id, manifestFile) ??
      dimensionOfDbtTest(testName),
    severity:
      readMeta(meta.severity, SEVERITIES, "severity", id, manifestFile) ??
      severityOf(node, run.status),
    records_failed: run.failures ?? 0,
    execution_time_ms: run.execution_time * 1000,
    check_type: testName ? (lookupCheckType(testName)?.type ?? null) : null,
    column: node.column_name ?? (typeof kwargColumn === "string" ? kwargColumn : null),
    error_message: status === "error" ? (run.message ?? null) : null,
    model: modelOf(node, manifest),
    unique_id: id,
    test_name: testName,
    dbt_status: run.status,
  };
}

/**
 * The floe view of every dbt test in `run_results.json` (JSON text), described by
 * `manifest.json` (JSON text) from the same run: one result per test, in run
 * order; models, seeds and unit tests in the run are left out. With `model`, only
 * that model's tests. Corrupt, truncated or mismatched files are FLOE-DQ100
 * naming the file and the field; an invalid `meta.dimension` / `meta.severity` /
 * `meta.floe_check` is FLOE-DQ101.
 */
export function parseDbtTestResults(
  runResultsJson: string,
  manifestJson: string,
  options: DbtTestResultOptions = {},
): DbtTestResult[] {
  const runFile = options.runResultsFile ?? "run_results.json";
  const manifestFile = options.manifestFile ?? "manifest.json";
  const runResults = parseArtifact(runResultsJson, runFile, "run-results", RunResultsSchema);
  const manifest = parseArtifact(manifestJson, manifestFile, "manifest", ManifestSchema);

  const out: DbtTestResult[] = [];
  runResults.results.forEach((run, index) => {
    if (!run.unique_id.startsWith("test.")) return;
    const raw = manifest.nodes[run.unique_id];
    if (raw === undefined) {
      throw new FloeError("FLOE-DQ100", `test ${run.unique_id} is not in ${manifestFile}`, {
        file: runFile,
        path: `results[${index}].unique_id`,
        fix: "Pass the manifest.json written by the same dbt invocation as run_results.json.",
      });
    }
    const node = parseWith(ManifestTestNodeSchema, raw, manifestFile, nodeKey(run.unique_id));
    const status = STATUS[run.status];
    if (status === undefined) {
      throw new FloeError(
        "FLOE-DQ100",
        `'${run.status}' is not a dbt test status (${Object.keys(STATUS).join(", ")})`,
        {
          file: runFile,
          path: `results[${index}].status`,
          fix: "Pass run_results.json as dbt wrote it.",
        },
      );
    }
    const result = testResult(run, node, status, manifest, manifestFile);
    if (options.model === undefined || result.model === options.model) out.push(result);
  });
  return out;
}

/** A test a dbt manifest declares, as a gate counts it. */
export interface DbtDeclaredTest {
  readonly name: string;
  readonly unique_id: string;
  /** The model (seed, snapshot, source) it is declared on; null when none can be told. */
  readonly model: string | null;
  /** The floe check type of its macro, when the vocabulary knows it. */
  readonly check_type: string | null;
  readonly column: string | null;
}

/**
 * Every enabled test a dbt manifest.json (JSON text) declares, with the model,
 * floe check type and column it covers: what compile counts toward a model's
 * gate before any dbt run. Unreadable files are FLOE-DQ100 naming the file.
 */
export function declaredDbtTests(
  manifestJson: string,
  manifestFile = "manifest.json",
): DbtDeclaredTest[] {
  const manifest = parseArtifact(manifestJson, manifestFile, "manifest", ManifestSchema);
  const out: DbtDeclaredTest[] = [];
  for (const [id, raw] of Object.entries(manifest.nodes)) {
    if (!id.startsWith("test.")) continue;
    const parsed = ManifestTestNodeSchema.safeParse(raw);
    if (!parsed.success) continue;
    const node = parsed.data;
    if (node.config?.enabled === false) continue;
    const testName = node.test_metadata?.name ?? null;
    const kwargColumn = node.test_metadata?.kwargs?.column_name;
    out.push({
      name: node.name,
      unique_id: node.unique_id,
      model: modelOf(node, manifest),
      check_type: testName ? (lookupCheckType(testName)?.type ?? null) : null,
      column: node.column_name ?? (typeof kwargColumn === "string" ? kwargColumn : null),
    });
  }
  return out;
}

/** `parseDbtTestResults` over two files on disk; errors name the files as given. */
export async function readDbtTestResults(
  runResultsPath: string,
  manifestPath: string,
  options: Pick<DbtTestResultOptions, "model"> = {},
): Promise<DbtTestResult[]> {
  const [runText, manifestText] = await Promise.all([
    readArtifact(runResultsPath, "run_results.json"),
    readArtifact(manifestPath, "manifest.json"),
  ]);
  return parseDbtTestResults(runText, manifestText, {
    ...options,
    runResultsFile: runResultsPath,
    manifestFile: manifestPath,
  });
}

async function readArtifact(path: string, kind: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new FloeError("FLOE-DQ100", `cannot read the file (${reason})`, {
      file: path,
      fix: `Give the path of the ${kind} dbt wrote in its target/ directory.`,
    });
  }
}
