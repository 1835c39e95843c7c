// Shared by the plugin's tests: the fixture tables with known defects (the same
// rows in DuckDB and PostgreSQL), the suite that probes every check type, the
// exact outcome expected of each check, and the plugin started through the
// host's supervisor.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { contract } from "@floe/quality-sdk";
import pg from "pg";
import {
  discoverPlugins,
  type RunningPlugin,
  resolveProvider,
  startPlugin,
} from "../../../host/src/index.js";
import { findDbtExecutable } from "../src/executable.js";
import { PACKAGE_SOURCE } from "../src/workdir.js";

export const PLUGIN_DIR = resolve(import.meta.dirname, "..");
export const REPO_ROOT = resolve(PLUGIN_DIR, "../..");

const { CheckStatus, Severity } = contract;

/** orders: 6 rows. Defects are listed beside the checks that find them. */
const ORDERS_COLUMNS =
  "id integer, email varchar, status varchar, amount double precision, qty integer, code varchar, customer_id integer, created_at timestamp";
const ORDERS_ROWS = [
  "(1, 'a@x.com', 'shipped', 10, 5, 'ab', 1, timestamp '2020-01-01 00:00:00')",
  "(2, null, 'placed', 20, 3, 'abc', 2, timestamp '2020-01-02 00:00:00')",
  "(3, 'bad', 'lost', -5, 2, 'abcd', 9, timestamp '2020-01-03 00:00:00')",
  "(3, 'c@x.com', 'shipped', 100, 1, null, 1, timestamp '2020-01-04 00:00:00')",
  "(5, 'e@x.com', 'returned', 30, 4, 'xy', 3, timestamp '2020-01-05 00:00:00')",
  "(6, 'f@x.com', 'shipped', 15, 2, 'xyz', 2, timestamp '2020-01-06 00:00:00')",
];

/** A table whose names and values try to break out of quoting and templating. */
export const HOSTILE_TABLE = "we\"ird.ta'b {{ 7*7 }}";
export const HOSTILE_COLUMN = 'na"me {% raw %}';

function fixtureStatements(): string[] {
  const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return [
    `create table orders (${ORDERS_COLUMNS})`,
    `insert into orders values ${ORDERS_ROWS.join(", ")}`,
    "create table customers (id integer)",
    "insert into customers values (1), (2), (3)",
    `create table ${q(HOSTILE_TABLE)} (${q(HOSTILE_COLUMN)} varchar)`,
    `insert into ${q(HOSTILE_TABLE)} values ('it''s'), ('{{ x }}'), (null), ('plain')`,
  ];
}

/** A DuckDB view whose scan never ends on its own (10^13 generated rows). */
export const SLOW_VIEW = "slow_numbers";

export async function createDuckDbFixture(): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), "floe-dbt-duck-")), "shop.duckdb");
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    for (const sql of fixtureStatements()) await connection.run(sql);
    await connection.run(
      `create view ${SLOW_VIEW} as select i as n from range(10000000000000) t(i)`,
    );
    await connection.run("CHECKPOINT");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return path;
}

export async function createPostgresFixture(dsn: string): Promise<void> {
  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  try {
    for (const sql of fixtureStatements()) await client.query(sql);
  } finally {
    await client.end();
  }
}

export function duckDbConnection(path: string): contract.Connection {
  return {
    dialect: "duckdb",
    host: "",
    port: 0,
    database: "",
    user: "",
    password: "",
    path,
    schema: "",
    options: {},
  };
}

export function postgresConnection(dsn: string): contract.Connection {
  const url = new URL(dsn);
  return {
    dialect: "postgres",
    host: url.hostname,
    port: Number(url.port),
    database: url.pathname.slice(1),
    user: decodeURIComponent(url.username),
    password: "",
    path: "",
    schema: "public",
    options: {},
  };
}

export function check(
  name: string,
  type: string,
  column: string,
  parameters: Record<string, unknown> = {},
  severity: contract.Severity = Severity.SEVERITY_CRITICAL,
): contract.QualityCheck {
  return { name, type, column, dimension: 0, severity, parameters, enabled: true };
}

/** [check, expected status, records_checked, records_failed] for the orders table (6 rows). */
export const ORDERS_CASES: readonly [
  contract.QualityCheck,
  contract.CheckStatus,
  number,
  number,
][] = [
  [check("email_not_null", "not_null", "email"), CheckStatus.CHECK_STATUS_FAILED, 6, 1],
  // 1 of 6 null: 5/6 ≥ 0.8 passes, and the null row is still counted as failed.
  [
    check("email_mostly_80", "not_null", "email", { mostly: 0.8 }),
    CheckStatus.CHECK_STATUS_PASSED,
    6,
    1,
  ],
  [
    check("email_mostly_90", "not_null", "email", { mostly: 0.9 }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    1,
  ],
  [
    check("shipped_email", "not_null", "email", { row_condition: "status = 'shipped'" }),
    CheckStatus.CHECK_STATUS_PASSED,
    3,
    0,
  ],
  // id 3 twice: both rows fail.
  [check("id_unique", "unique", "id"), CheckStatus.CHECK_STATUS_FAILED, 6, 2],
  [
    check("status_known", "accepted_values", "status", {
      values: ["shipped", "placed", "returned"],
    }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    1,
  ],
  [
    check("status_not_lost", "not_accepted_values", "status", { values: ["lost", "stolen"] }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    1,
  ],
  // -5 and 100.
  [
    check("amount_range", "between", "amount", { min_value: 0, max_value: 50 }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    2,
  ],
  // 10 and 30 sit on the bounds, -5 and 100 outside.
  [
    check("amount_strict", "between", "amount", { min_value: 10, max_value: 30, strictly: true }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    4,
  ],
  [
    check("email_shape", "regex", "email", { regex: "^[^@]+@[^@]+$" }),
    CheckStatus.CHECK_STATUS_FAILED,
    5,
    1,
  ],
  [
    check("code_length", "length_between", "code", { min_value: 2, max_value: 3 }),
    CheckStatus.CHECK_STATUS_FAILED,
    5,
    1,
  ],
  [
    check("row_count", "row_count_between", "", { min_value: 1, max_value: 5 }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    1,
  ],
  [check("has_qty", "column_exists", "qty"), CheckStatus.CHECK_STATUS_PASSED, 6, 0],
  [check("has_discount", "column_exists", "discount"), CheckStatus.CHECK_STATUS_FAILED, 6, 1],
  // (1, shipped) twice.
  [
    check("customer_status_unique", "compound_unique", "", { columns: ["customer_id", "status"] }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    2,
  ],
  [
    check("amount_over_qty", "pair_greater_than", "", { column_a: "amount", column_b: "qty" }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    1,
  ],
  [
    check("customer_exists", "relationships", "customer_id", { to: "customers", field: "id" }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    1,
  ],
  // mean 170/6.
  [
    check("amount_mean", "mean_between", "amount", { min_value: 0, max_value: 20 }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    1,
  ],
  [
    check("amount_min", "min_between", "amount", { min_value: 0 }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    1,
  ],
  [
    check("amount_max", "max_between", "amount", { max_value: 200 }),
    CheckStatus.CHECK_STATUS_PASSED,
    6,
    0,
  ],
  [
    check("amount_sum", "sum_between", "amount", { min_value: 100, max_value: 200 }),
    CheckStatus.CHECK_STATUS_PASSED,
    6,
    0,
  ],
  [
    check("amount_stdev", "stdev_between", "amount", { max_value: 1 }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    1,
  ],
  [
    check("status_variety", "distinct_count_between", "status", { min_value: 1, max_value: 3 }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    1,
  ],
  [
    check("fresh_hourly", "recency", "created_at", { max_age: "PT1H" }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    1,
  ],
  [
    check("fresh_century", "recency", "created_at", { max_age: "P36500D" }),
    CheckStatus.CHECK_STATUS_PASSED,
    6,
    0,
  ],
  [
    check("small_qty", "expression_is_true", "", { expression: "qty < 5" }),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    1,
  ],
  // A warning-severity check runs as a dbt `warn` test; its rows still fail it.
  [
    check(
      "status_known_warn",
      "accepted_values",
      "status",
      { values: ["shipped", "placed", "returned"] },
      Severity.SEVERITY_WARNING,
    ),
    CheckStatus.CHECK_STATUS_FAILED,
    6,
    1,
  ],
  // Disabled: reported as skipped, never run.
  [
    { ...check("email_not_null_off", "not_null", "email"), enabled: false },
    CheckStatus.CHECK_STATUS_SKIPPED,
    0,
    0,
  ],
];

export function suiteOf(
  modelName: string,
  checks: contract.QualityCheck[],
  timeoutSeconds = 120,
): contract.QualitySuite {
  return { modelName, checks, timeoutSeconds, failFast: false, nativeSuite: "" };
}

export function runRequest(
  suite: contract.QualitySuite,
  connection: contract.Connection,
  relation: string,
): contract.RunChecksRequest {
  return { suite, connection, relation, options: undefined, runId: "run-1" };
}

/** The plugin as the host runs it: discovered from its descriptor, spawned and supervised. */
export async function startDbtPlugin(env: NodeJS.ProcessEnv = {}): Promise<RunningPlugin> {
  const descriptor = resolveProvider(
    discoverPlugins({ env: { FLOE_PLUGIN_PATH: PLUGIN_DIR }, workspaceRoot: tmpdir() }),
    "dbt_expectations",
  );
  return startPlugin(descriptor, {
    env: {
      ...process.env,
      FLOE_DBT_WORKDIR: mkdtempSync(join(tmpdir(), "floe-dbt-work-")),
      ...env,
    },
    onLog: () => undefined,
  });
}

/** Pids of live processes whose command line mentions `needle` (dbt runs as `python .../dbt test ...`). */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (cmdline.includes(needle) && !/^\d+ \(.*\) Z/.test(stat)) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Results arrive as dbt finishes them; tests compare them in the suite's order. */
export function inSuiteOrder(
  results: readonly contract.QualityCheckResult[],
  suite: contract.QualitySuite,
): contract.QualityCheckResult[] {
  const order = new Map(suite.checks.map((c, i) => [c.name, i]));
  return [...results].sort(
    (a, b) => (order.get(a.checkName) ?? -1) - (order.get(b.checkName) ?? -1),
  );
}

/** The observed values the orders suite's aggregate checks report in details.observed_value. */
export const ORDERS_OBSERVED: Readonly<Record<string, number | string>> = {
  row_count: 6,
  amount_mean: 170 / 6,
  amount_min: -5,
  amount_max: 100,
  amount_sum: 170,
  amount_stdev: Math.sqrt(6833.333333333333 / 5),
  status_variety: 4,
  fresh_hourly: "2020-01-06 00:00:00",
  fresh_century: "2020-01-06 00:00:00",
};

/** Each aggregate check's observed value, numbers rounded to 6 decimals for comparison. */
export function observedValues(
  results: readonly contract.QualityCheckResult[],
): Record<string, unknown> {
  const round = (v: unknown) => (typeof v === "number" ? Math.round(v * 1e6) / 1e6 : v);
  return Object.fromEntries(
    results
      .filter((r) => r.details?.observed_value !== undefined)
      .map((r) => [r.checkName, round(r.details?.observed_value)]),
  );
}

/**
 * A copy of the test dbt project (test/fixtures/dbt-shop) in `dir`, built with
 * real `dbt deps` + `dbt build` on its own DuckDB file; returns the project
 * directory and a runner for further dbt commands. dbt exits 1 when a test
 * fails: the build still wrote its artifacts.
 */
export async function buildDbtShop(
  dir: string,
): Promise<{ project: string; dbt: (args: string[]) => Promise<{ stdout: string }> }> {
  const project = join(dir, "dbt-shop");
  cpSync(join(REPO_ROOT, "test/fixtures/dbt-shop"), project, { recursive: true });
  const env = {
    ...process.env,
    DBT_SHOP_DUCKDB: join(project, "shop.duckdb"),
    FLOE_EXPECTATIONS_PACKAGE: PACKAGE_SOURCE,
    DBT_SEND_ANONYMOUS_USAGE_STATS: "false",
  };
  const dbt = (args: string[]) =>
    promisify(execFile)(
      findDbtExecutable(),
      [...args, "--project-dir", project, "--profiles-dir", project],
      { env, cwd: project },
    ).catch((error: { code?: number; stdout?: string }) => {
      if (error.code === 1) return { stdout: error.stdout ?? "" };
      throw error;
    });
  await dbt(["deps"]);
  await dbt(["build"]);
  return { project, dbt };
}
