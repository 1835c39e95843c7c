// The great_expectations plugin (plugins/gx) through the host supervisor: a real
// plugin process running real Great Expectations against a real PostgreSQL and a
// real DuckDB file, both seeded with known defects (plugins/gx/tests/seed.py).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contract } from "@floe/quality-sdk";
import pgClient from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usePostgres } from "../../test/support/postgres.js";
import { CalculationParametersSchema, DimensionWeightsSchema } from "../src/config/quality.js";
import { suiteResultFromProto } from "../src/config/results.js";
import {
  discoverPlugins,
  PluginCallError,
  type RunningPlugin,
  resolveProvider,
  startPlugin,
} from "../src/plugins/index.js";
import { calculateQualityScore } from "../src/scoring/index.js";
import { REPO_ROOT } from "./plugins-support.js";

const { CheckStatus, Dimension, Severity } = contract;
const PYTHON = join(REPO_ROOT, ".venv/bin/python");
const SEED = join(REPO_ROOT, "plugins/gx/tests/seed.py");

const pg = usePostgres();
let plugin: RunningPlugin;
let work: string;
let duckdbFile: string;
let pgConnection: contract.Connection;

const NATIVE_SUITE = {
  name: "orders_native",
  notes: "orders as the data team wrote them in GX",
  expectations: [
    {
      type: "expect_column_values_to_not_be_null",
      kwargs: { column: "email" },
      severity: "warning",
    },
    {
      type: "expect_column_values_to_be_between",
      kwargs: { column: "amount", min_value: 0, max_value: 100 },
      meta: { floe_check: "amount_in_range", floe_dimension: "validity" },
    },
    {
      type: "expect_column_values_to_be_of_type",
      kwargs: { column: "id", type_: "INTEGER" },
      severity: "info",
    },
  ],
};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "floe-gx-test-"));
  duckdbFile = join(work, "shop.duckdb");
  execFileSync(PYTHON, [SEED, "duckdb", duckdbFile]);
  const dsn = await pg().createDatabase("shop");
  execFileSync(PYTHON, [SEED, "postgres", dsn]);
  pgConnection = contract.Connection.fromPartial({
    dialect: "postgres",
    host: pg().host,
    port: pg().port,
    user: pg().user,
    database: "shop",
  });
  const suites = join(work, "suites");
  execFileSync("mkdir", ["-p", suites]);
  writeFileSync(join(suites, "orders_native.json"), JSON.stringify(NATIVE_SUITE));
  writeFileSync(join(suites, "broken.json"), '{"name": "broken", "expectations": [');
  const descriptor = resolveProvider(
    discoverPlugins({ workspaceRoot: REPO_ROOT, env: {} }),
    "great_expectations",
  );
  plugin = await startPlugin(descriptor, {
    env: { FLOE_GX_SUITES_DIR: suites },
    // Importing GX takes 3-7 s on this 2-core machine under test load, past the
    // default 5 s from handshake to SERVING.
    healthTimeoutMs: 30_000,
    onLog: () => undefined,
  });
}, 60_000);

afterAll(async () => {
  await plugin?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function activeSleeps(): Promise<number> {
  const client = new pgClient.Client({
    host: pg().host,
    port: pg().port,
    user: pg().user,
    database: "shop",
  });
  await client.connect();
  try {
    const result = await client.query(
      "select count(*)::int as n from pg_stat_activity where state = 'active' and query like '%pg_sleep%' and pid <> pg_backend_pid()",
    );
    return result.rows[0].n as number;
  } finally {
    await client.end();
  }
}

function check(
  name: string,
  type: string,
  column: string,
  parameters: Record<string, unknown> = {},
): contract.QualityCheck {
  return contract.QualityCheck.fromPartial({
    name,
    type,
    column,
    parameters,
    enabled: true,
    severity: Severity.SEVERITY_CRITICAL,
  });
}

// name, type, column, parameters, status, records_checked, records_failed
// (records_checked of a row check: the rows evaluated, nulls only by not_null)
type Row = [string, string, string, Record<string, unknown>, contract.CheckStatus, number, number];
const { CHECK_STATUS_FAILED: FAILED, CHECK_STATUS_PASSED: PASSED } = CheckStatus;

const GX_CHECKS: Row[] = [
  ["email_present", "not_null", "email", {}, FAILED, 8, 2],
  ["id_unique", "unique", "id", {}, FAILED, 8, 2],
  [
    "status_known",
    "accepted_values",
    "status",
    { values: ["paid", "refunded", "cancelled"] },
    FAILED,
    8,
    1,
  ],
  ["status_not_void", "not_accepted_values", "status", { values: ["bogus", "void"] }, FAILED, 8, 1],
  ["amount_range", "between", "amount", { min_value: 0, max_value: 100 }, FAILED, 7, 2],
  [
    "amount_mostly",
    "between",
    "amount",
    { min_value: 0, max_value: 100, mostly: 0.7 },
    PASSED,
    7,
    2,
  ],
  ["email_format", "regex", "email", { regex: "^[^@]+@[^@]+[.][a-z]+$" }, FAILED, 6, 1],
  ["code_length", "length_between", "code", { min_value: 2, max_value: 3 }, FAILED, 7, 2],
  ["enough_rows", "row_count_between", "", { min_value: 10 }, FAILED, 8, 0],
  ["has_email", "column_exists", "email", {}, PASSED, 8, 0],
  ["has_phone", "column_exists", "phone", {}, FAILED, 8, 0],
  [
    "customer_status_unique",
    "compound_unique",
    "",
    { columns: ["customer_id", "status"] },
    FAILED,
    8,
    4,
  ],
  [
    "shipped_after_created",
    "pair_greater_than",
    "",
    { column_a: "shipped_at", column_b: "created_at", or_equal: true },
    FAILED,
    8,
    1,
  ],
  ["amount_mean", "mean_between", "amount", { min_value: 0, max_value: 50 }, FAILED, 8, 0],
  ["amount_min", "min_between", "amount", { min_value: 0 }, FAILED, 8, 0],
  ["amount_max", "max_between", "amount", { max_value: 100 }, FAILED, 8, 0],
  ["amount_sum", "sum_between", "amount", { min_value: 1000, max_value: 1100 }, PASSED, 8, 0],
  ["amount_stdev", "stdev_between", "amount", { max_value: 10 }, FAILED, 8, 0],
  [
    "status_variety",
    "distinct_count_between",
    "status",
    { min_value: 3, max_value: 4 },
    PASSED,
    8,
    0,
  ],
  ["paid_email", "not_null", "email", { row_condition: "status = 'paid'" }, FAILED, 5, 1],
];

const SQL_CHECKS: Row[] = [
  [
    "customer_exists",
    "relationships",
    "customer_id",
    { to: "customers", field: "id" },
    FAILED,
    7,
    1,
  ],
  ["fresh", "recency", "created_at", { max_age: "P1D" }, FAILED, 8, 0],
  ["amount_positive", "expression_is_true", "", { expression: "amount >= 0" }, FAILED, 8, 1],
];

function request(
  checks: contract.QualityCheck[],
  connection: contract.Connection,
  fields: Partial<contract.QualitySuite> = {},
  relation = "orders",
): contract.RunChecksRequest {
  return contract.RunChecksRequest.fromPartial({
    suite: { modelName: "orders", checks, ...fields },
    connection,
    relation,
    options: { maxFailingSamples: 3 },
    runId: "gx-test",
  });
}

const outcome = (r: contract.QualityCheckResult) => [
  r.checkName,
  r.status,
  r.recordsChecked,
  r.recordsFailed,
];

describe("the great_expectations plugin through the host supervisor", () => {
  it("starts SERVING once GX is loaded, with its metadata and capabilities", () => {
    expect(plugin.state()).toBe("serving");
    expect(plugin.metadata.name).toBe("great_expectations");
    expect(plugin.metadata.floeApiVersion).toBe("1.0.0");
    expect(plugin.metadata.capabilities?.dialects).toEqual(["postgres", "sqlite", "duckdb"]);
    expect(plugin.metadata.capabilities?.checkTypes).toHaveLength(20);
    expect(plugin.metadata.capabilities?.nativeSuites).toBe(true);
    expect(plugin.metadata.capabilities?.cancellation).toBe(true);
    expect(plugin.timings.handshakeMs).toBeLessThan(plugin.timings.servingMs);
  });

  it("runs every check type on PostgreSQL with exact counts", async () => {
    const rows = [...GX_CHECKS, ...SQL_CHECKS];
    const streamed: string[] = [];
    const summary = await plugin.client.runChecks(
      request(
        rows.map(([n, t, c, p]) => check(n, t, c, p)),
        pgConnection,
      ),
      { timeoutMs: 60_000, onCheck: (r) => streamed.push(r.checkName) },
    );
    expect(streamed).toEqual(rows.map((r) => r[0]));
    expect(summary.checks.map(outcome)).toEqual(rows.map(([n, , , , s, rc, rf]) => [n, s, rc, rf]));
    expect(summary.passed).toBe(false);
    const mean = summary.checks.find((c) => c.checkName === "amount_mean");
    expect(mean?.details?.observed_value).toBeCloseTo(1095 / 7, 12);
    const range = summary.checks.find((c) => c.checkName === "amount_range");
    const samples = (range?.details?.failing_samples ?? []) as number[];
    expect([...samples].sort((a, b) => a - b)).toEqual([-5, 1000]);
  });

  it("runs every check type on DuckDB with exact counts, relationships and expression_is_true counted by DuckDB", async () => {
    const duck = contract.Connection.fromPartial({ dialect: "duckdb", path: duckdbFile });
    const summary = await plugin.client.runChecks(
      request(
        [...GX_CHECKS, ...SQL_CHECKS].map(([n, t, c, p]) => check(n, t, c, p)),
        duck,
      ),
      { timeoutMs: 60_000 },
    );
    const byName = new Map(summary.checks.map((c) => [c.checkName, c]));
    for (const [n, , , , s, rc, rf] of [...GX_CHECKS, ...SQL_CHECKS]) {
      expect(outcome(byName.get(n)!)).toEqual([n, s, rc, rf]);
    }
    for (const n of ["customer_exists", "amount_positive"]) {
      expect(byName.get(n)?.details).toEqual({ evaluated_by: "duckdb" });
    }
  });

  it("lists the native suite files and runs one, scored by the host", async () => {
    const listed = await plugin.client.listSuites();
    expect(listed.suites.map((s) => [s.name, s.checkCount, s.description])).toEqual([
      ["orders_native", 3, "orders as the data team wrote them in GX"],
    ]);
    const summary = await plugin.client.runChecks(
      request([], pgConnection, { nativeSuite: "orders_native" }),
      { timeoutMs: 60_000 },
    );
    expect(
      summary.checks.map((c) => [c.checkName, c.status, c.dimension, c.severity, c.recordsFailed]),
    ).toEqual([
      [
        "expect_column_values_to_not_be_null.email",
        CheckStatus.CHECK_STATUS_FAILED,
        Dimension.DIMENSION_COMPLETENESS,
        Severity.SEVERITY_WARNING,
        2,
      ],
      [
        "amount_in_range",
        CheckStatus.CHECK_STATUS_FAILED,
        Dimension.DIMENSION_VALIDITY,
        Severity.SEVERITY_CRITICAL,
        2,
      ],
      [
        "expect_column_values_to_be_of_type.id",
        CheckStatus.CHECK_STATUS_PASSED,
        Dimension.DIMENSION_VALIDITY,
        Severity.SEVERITY_INFO,
        0,
      ],
    ]);
    const score = calculateQualityScore(
      suiteResultFromProto(summary).checks,
      {
        dimension_weights: DimensionWeightsSchema.parse({}),
        calculation: CalculationParametersSchema.parse({}),
      },
      { modelName: "orders", now: new Date("2026-01-01T00:00:00Z") },
    );
    // completeness 0 (one failed warning), validity 100 × 0.5 / 3.5, the rest 100.
    expect(score.dimension_scores.completeness).toBe(0);
    expect(score.dimension_scores.validity).toBeCloseTo(100 / 7, 10);
    expect(score.overall).toBeCloseTo(0.25 * 0 + 0.25 * 100 + 0.2 * (100 / 7) + 0.15 * 200, 10);
  });

  it("answers a broken suite file with FLOE-DQ100 naming the file and position", async () => {
    const error = await plugin.client
      .runChecks(request([], pgConnection, { nativeSuite: "broken" }), { timeoutMs: 30_000 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(PluginCallError);
    const callError = error as PluginCallError;
    expect(callError.code).toBe("FLOE-DQ100");
    expect(callError.message).toContain("broken.json: not valid JSON (line 1, column 37");
    expect(callError.message).not.toContain("Traceback");
  });

  it("reports a missing table, an unknown column and an expectation GX rejects per check", async () => {
    const missing = await plugin.client.runChecks(
      request([check("id_present", "not_null", "id")], pgConnection, {}, "no_such_table"),
      { timeoutMs: 30_000 },
    );
    expect(missing.checks.map((c) => [c.status, c.errorCode, c.errorMessage])).toEqual([
      [CheckStatus.CHECK_STATUS_ERROR, "FLOE-DQ100", "relation 'no_such_table' does not exist"],
    ]);
    const mixed = await plugin.client.runChecks(
      request(
        [
          check("ghost", "not_null", "ghost"),
          check("bad", "expect_column_values_to_be_between", "amount", { min_valu: 1 }),
          check("email_present", "not_null", "email"),
        ],
        pgConnection,
      ),
      { timeoutMs: 30_000 },
    );
    expect(mixed.checks.map((c) => [c.checkName, c.status, c.errorCode, c.recordsFailed])).toEqual([
      ["bad", CheckStatus.CHECK_STATUS_ERROR, "FLOE-DQ101", 0],
      ["ghost", CheckStatus.CHECK_STATUS_ERROR, "FLOE-DQ105", 0],
      ["email_present", CheckStatus.CHECK_STATUS_FAILED, "", 2],
    ]);
    expect(mixed.checks[0]?.errorMessage).toBe(
      "expect_column_values_to_be_between: min_valu: extra fields not permitted; min_value and max_value cannot both be None",
    );
  });

  it("validates suites at compile time: unknown types, GX's kwarg messages, missing columns", async () => {
    const response = await plugin.client.validateSuite({
      suite: contract.QualitySuite.fromPartial({
        modelName: "orders",
        checks: [
          check("typo", "not_nul", "email"),
          check("bad", "between", "amount", { min_valu: 1 }),
          check("ghost", "unique", "ghost"),
          check("fine", "not_null", "email"),
        ],
      }),
      connection: pgConnection,
      relation: "orders",
    });
    const result = response.result!;
    expect(result.success).toBe(false);
    expect(result.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["FLOE-DQ101", "orders/typo"],
      ["FLOE-DQ101", "orders/bad"],
      ["FLOE-DQ105", "orders/ghost"],
    ]);
    expect(result.diagnostics[1]?.message).toBe(
      "expect_column_values_to_be_between: min_valu: extra fields not permitted; min_value and max_value cannot both be None",
    );
  });

  it("times out a slow PostgreSQL suite with FLOE-DQ106 within the deadline plus 2 s and cancels the query", async () => {
    const started = Date.now();
    const summary = await plugin.client.runChecks(
      request(
        [
          check("slow", "expression_is_true", "", { expression: "pg_sleep(5) IS NOT NULL" }),
          check("email_present", "not_null", "email"),
        ],
        pgConnection,
        { timeoutSeconds: 1, nativeSuite: "orders_native" },
      ),
      { timeoutMs: 1_000 },
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    // The native suite's checks, unknown to the host's request, are answered too.
    expect(summary.checks.map((c) => [c.checkName, c.status, c.errorCode])).toEqual([
      ["slow", CheckStatus.CHECK_STATUS_TIMED_OUT, "FLOE-DQ106"],
      ["email_present", CheckStatus.CHECK_STATUS_TIMED_OUT, "FLOE-DQ106"],
      [
        "expect_column_values_to_not_be_null.email",
        CheckStatus.CHECK_STATUS_TIMED_OUT,
        "FLOE-DQ106",
      ],
      ["amount_in_range", CheckStatus.CHECK_STATUS_TIMED_OUT, "FLOE-DQ106"],
      ["expect_column_values_to_be_of_type.id", CheckStatus.CHECK_STATUS_TIMED_OUT, "FLOE-DQ106"],
    ]);
    // The plugin cancelled the statement: the backend leaves pg_sleep well before its 5 s.
    const cancelDeadline = Date.now() + 2_000;
    while ((await activeSleeps()) > 0 && Date.now() < cancelDeadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await activeSleeps()).toBe(0);
    const after = await plugin.client.runChecks(
      request([check("email_present", "not_null", "email")], pgConnection),
      { timeoutMs: 30_000 },
    );
    expect(after.checks.map(outcome)).toEqual([
      ["email_present", CheckStatus.CHECK_STATUS_FAILED, 8, 2],
    ]);
  });
});
