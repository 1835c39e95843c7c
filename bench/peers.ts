// floe-quality against its peers, end to end: the same 20-check suite on one
// generated `orders` table, run as whole processes the way a user runs each tool:
//   - `floe-quality run --config floe.yaml --json` (node host/dist/cli/main.js; floe_sql),
//     with failing samples (the default, 5 per failed check) and with sample_size 0
//   - Soda Core v4, one local contract verification (.venv-bench: scripts/setup-bench.sh)
//   - plain `dbt test` (the project's .venv: dbt-duckdb / dbt-postgres), one singular test per check
//   - plain Great Expectations (the project's .venv; pandas on DuckDB, SQL on PostgreSQL)
//   - one hand-written fused aggregate statement (a Python process: duckdb / psycopg2)
// on DuckDB (2 M rows) and PostgreSQL (1 M rows, a throwaway server). Every tool's
// verdicts are checked equal to the expected ones first (the run stops if one differs);
// then interleaved rounds, medians, and each tool's ratio to the fused statement.
// Run after `npx tsc -b` and `bash scripts/setup-bench.sh`:
//   npx tsx bench/peers.ts [--quick] [--only=duckdb|postgres] [--skip=gx,soda,...]
// (tool keys for --skip: fused, floe, floe-no-samples, soda, dbt, gx)
// --quick: 200 000 rows on both engines, 1 round.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import pg from "pg";
import { startPostgres } from "../test/support/postgres.js";
import { figuresTable } from "./table.js";

const run = promisify(execFile);
const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const skip = new Set(
  (process.argv.find((a) => a.startsWith("--skip="))?.slice("--skip=".length) ?? "")
    .split(",")
    .filter(Boolean),
);
const ROUNDS = quick ? 1 : 3;
const DUCKDB_ROWS = quick ? 200_000 : 2_000_000;
const POSTGRES_ROWS = quick ? 200_000 : 1_000_000;

const ROOT = join(import.meta.dirname, "..");
const VENV_PYTHON = join(ROOT, ".venv", "bin", "python");
const BENCH_PYTHON = join(ROOT, ".venv-bench", "bin", "python");
const DBT = join(ROOT, ".venv", "bin", "dbt");
const CLI = join(ROOT, "host", "dist", "cli", "main.js");

type Dialect = "duckdb" | "postgres";

/** Deterministic data with defects in most columns; `source` yields i = 0 .. n-1. */
function tableSql(source: string): string {
  return `CREATE TABLE orders AS SELECT
    CAST(i AS BIGINT) AS id,
    CASE WHEN i % 101 = 0 THEN NULL ELSE i % 5000 END AS customer_id,
    CASE i % 7 WHEN 0 THEN 'shipped' WHEN 1 THEN 'pending' WHEN 2 THEN 'cancelled' WHEN 3 THEN 'returned'
      WHEN 4 THEN 'shipped' WHEN 5 THEN 'pending' ELSE NULL END AS status,
    CASE WHEN i % 53 = 0 THEN NULL ELSE (i * 7919 % 100000) / 100.0 END AS amount,
    CASE WHEN i % 89 = 0 THEN NULL WHEN i % 1000 = 0 THEN 'broken' ELSE 'user' || i || '@example.com' END AS email,
    i % 50 AS qty,
    TIMESTAMP '2024-01-01 00:00:00' + (i % 500000) * INTERVAL '1 minute' AS created_at
  FROM ${source}`;
}

type Spec =
  | { kind: "not_null" | "unique"; column: string }
  | { kind: "in"; column: string; values: string[] }
  | { kind: "between" | "length" | "mean"; column: string; min: number; max: number }
  | { kind: "regex"; column: string; regex: string };

interface Check {
  name: string;
  spec: Spec;
  /** The verdict on the generated data (every tool must find it). */
  passes: boolean;
}

const c = (name: string, passes: boolean, spec: Spec): Check => ({ name, spec, passes });

const SUITE: Check[] = [
  c("id_not_null", true, { kind: "not_null", column: "id" }),
  c("id_unique", true, { kind: "unique", column: "id" }),
  c("customer_id_not_null", false, { kind: "not_null", column: "customer_id" }),
  c("status_not_null", false, { kind: "not_null", column: "status" }),
  c("amount_not_null", false, { kind: "not_null", column: "amount" }),
  c("email_not_null", false, { kind: "not_null", column: "email" }),
  c("qty_not_null", true, { kind: "not_null", column: "qty" }),
  c("created_at_not_null", true, { kind: "not_null", column: "created_at" }),
  c("customer_id_unique", false, { kind: "unique", column: "customer_id" }),
  c("status_known", true, {
    kind: "in",
    column: "status",
    values: ["shipped", "pending", "cancelled", "returned"],
  }),
  c("status_open", false, { kind: "in", column: "status", values: ["shipped", "pending"] }),
  c("amount_range", true, { kind: "between", column: "amount", min: 0, max: 1000 }),
  c("amount_low", false, { kind: "between", column: "amount", min: 0, max: 500 }),
  c("qty_range", true, { kind: "between", column: "qty", min: 0, max: 49 }),
  c("qty_low", false, { kind: "between", column: "qty", min: 0, max: 40 }),
  c("customer_id_range", true, { kind: "between", column: "customer_id", min: 0, max: 4999 }),
  c("email_domain", false, { kind: "regex", column: "email", regex: "@example\\.com$" }),
  c("status_length", true, { kind: "length", column: "status", min: 6, max: 9 }),
  c("email_length", false, { kind: "length", column: "email", min: 5, max: 20 }),
  c("amount_mean", true, { kind: "mean", column: "amount", min: 0, max: 1000 }),
];

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

function regexMatch(dialect: Dialect, column: string, regex: string): string {
  return dialect === "duckdb"
    ? `regexp_matches(${column}, ${sqlString(regex)})`
    : `${column} ~ ${sqlString(regex)}`;
}

/** The SQL condition of a failing row (NULLs pass every check but not_null, as in every tool). */
function failingRow(dialect: Dialect, spec: Spec): string | undefined {
  const col = spec.column;
  switch (spec.kind) {
    case "not_null":
      return `${col} IS NULL`;
    case "in":
      return `${col} NOT IN (${spec.values.map(sqlString).join(", ")})`;
    case "between":
      return `(${col} < ${spec.min} OR ${col} > ${spec.max})`;
    case "length":
      return `(length(${col}) < ${spec.min} OR length(${col}) > ${spec.max})`;
    case "regex":
      return `NOT ${regexMatch(dialect, col, spec.regex)}`;
    default:
      return undefined;
  }
}

// ---- the fused statement -------------------------------------------------------------

function fusedSql(dialect: Dialect): string {
  const items = SUITE.map(({ name, spec }) => {
    const row = failingRow(dialect, spec);
    let passed: string;
    if (row !== undefined) passed = `COUNT(*) FILTER (WHERE ${row}) = 0`;
    else if (spec.kind === "unique")
      passed = `COUNT(${spec.column}) = COUNT(DISTINCT ${spec.column})`;
    else if (spec.kind === "mean")
      passed = `AVG(${spec.column}) BETWEEN ${spec.min} AND ${spec.max}`;
    else throw new Error(`no fused form for ${name}`);
    return `  ${passed} AS ${name}`;
  });
  return `SELECT\n${items.join(",\n")}\nFROM orders`;
}

// ---- floe-quality ---------------------------------------------------------------------

function floeCheck({ name, spec }: Check): Record<string, unknown> {
  const base = { name, column: spec.column };
  switch (spec.kind) {
    case "not_null":
    case "unique":
      return { ...base, type: spec.kind };
    case "in":
      return { ...base, type: "accepted_values", parameters: { values: spec.values } };
    case "between":
      return { ...base, type: "between", parameters: { min_value: spec.min, max_value: spec.max } };
    case "length":
      return {
        ...base,
        type: "length_between",
        parameters: { min_value: spec.min, max_value: spec.max },
      };
    case "mean":
      return {
        ...base,
        type: "mean_between",
        parameters: { min_value: spec.min, max_value: spec.max },
      };
    case "regex":
      return { ...base, type: "regex", parameters: { regex: spec.regex } };
  }
}

/** `sampleSize` 0: the run collects no failing samples (the default keeps 5 per failed check). */
function floeYaml(compute: Record<string, unknown>, sampleSize?: number): string {
  // JSON is YAML: the file needs no YAML library here.
  return JSON.stringify(
    {
      name: "peers",
      compute,
      quality: {
        check_timeout_seconds: 3600,
        ...(sampleSize === undefined ? {} : { sample_size: sampleSize }),
      },
      models: [
        {
          name: "orders",
          columns: ["id", "customer_id", "status", "amount", "email", "qty", "created_at"],
          quality_checks: SUITE.map(floeCheck),
        },
      ],
    },
    null,
    2,
  );
}

// ---- plain dbt --------------------------------------------------------------------------

function dbtTest(dialect: Dialect, { spec }: Check): string {
  const row = failingRow(dialect, spec);
  if (row !== undefined) return `select * from {{ source('bench', 'orders') }} where ${row}`;
  if (spec.kind === "unique")
    return `select ${spec.column} from {{ source('bench', 'orders') }} where ${spec.column} is not null group by ${spec.column} having count(*) > 1`;
  if (spec.kind === "mean")
    return `select avg(${spec.column}) as m from {{ source('bench', 'orders') }} having not (avg(${spec.column}) between ${spec.min} and ${spec.max})`;
  throw new Error(`no dbt test for ${spec.kind}`);
}

function writeDbtProject(dir: string, dialect: Dialect, profile: Record<string, unknown>): void {
  mkdirSync(join(dir, "tests"), { recursive: true });
  mkdirSync(join(dir, "models"), { recursive: true });
  writeFileSync(
    join(dir, "dbt_project.yml"),
    JSON.stringify({ name: "peers", version: "1.0.0", "config-version": 2, profile: "peers" }),
  );
  writeFileSync(
    join(dir, "profiles.yml"),
    JSON.stringify({ peers: { target: "bench", outputs: { bench: profile } } }),
  );
  const schema = dialect === "duckdb" ? "main" : "public";
  writeFileSync(
    join(dir, "models", "sources.yml"),
    JSON.stringify({
      version: 2,
      sources: [{ name: "bench", schema, tables: [{ name: "orders" }] }],
    }),
  );
  for (const check of SUITE)
    writeFileSync(join(dir, "tests", `${check.name}.sql`), `${dbtTest(dialect, check)}\n`);
}

// ---- plain Great Expectations ----------------------------------------------------------

function gxExpectation({ name, spec }: Check): Record<string, unknown> {
  const column = spec.column;
  switch (spec.kind) {
    case "not_null":
      return { name, type: "expect_column_values_to_not_be_null", kwargs: { column } };
    case "unique":
      return { name, type: "expect_column_values_to_be_unique", kwargs: { column } };
    case "in":
      return {
        name,
        type: "expect_column_values_to_be_in_set",
        kwargs: { column, value_set: spec.values },
      };
    case "between":
      return {
        name,
        type: "expect_column_values_to_be_between",
        kwargs: { column, min_value: spec.min, max_value: spec.max },
      };
    case "length":
      return {
        name,
        type: "expect_column_value_lengths_to_be_between",
        kwargs: { column, min_value: spec.min, max_value: spec.max },
      };
    case "mean":
      return {
        name,
        type: "expect_column_mean_to_be_between",
        kwargs: { column, min_value: spec.min, max_value: spec.max },
      };
    case "regex":
      return {
        name,
        type: "expect_column_values_to_match_regex",
        kwargs: { column, regex: spec.regex },
      };
  }
}

// ---- Soda Core v4 -------------------------------------------------------------------------

function sodaCheck({ name, spec }: Check): Record<string, unknown> {
  const q = { qualifier: name };
  switch (spec.kind) {
    case "not_null":
      return { missing: q };
    case "unique":
      return { duplicate: q };
    case "in":
      return { invalid: { ...q, valid_values: spec.values } };
    case "between":
      return { invalid: { ...q, valid_min: spec.min, valid_max: spec.max } };
    case "length":
      return { invalid: { ...q, valid_min_length: spec.min, valid_max_length: spec.max } };
    case "regex":
      return { invalid: { ...q, valid_format: { name, regex: spec.regex } } };
    case "mean":
      return {
        aggregate: {
          ...q,
          function: "avg",
          threshold: {
            must_be_between: { greater_than_or_equal: spec.min, less_than_or_equal: spec.max },
          },
        },
      };
  }
}

function sodaContract(datasetPrefix: string): string {
  const columns = new Map<string, Record<string, unknown>[]>();
  for (const check of SUITE) {
    const list = columns.get(check.spec.column) ?? [];
    list.push(sodaCheck(check));
    columns.set(check.spec.column, list);
  }
  return JSON.stringify(
    {
      dataset: `${datasetPrefix}/orders`,
      columns: [...columns].map(([name, checks]) => ({ name, checks })),
    },
    null,
    2,
  );
}

// ---- running ------------------------------------------------------------------------------

type Verdicts = Record<string, boolean>;

interface Tool {
  label: string;
  key: string;
  /** Runs the tool once as a whole process; returns its verdicts. */
  run(): Promise<Verdicts>;
}

async function process_(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; okCodes?: number[] } = {},
): Promise<string> {
  try {
    const { stdout } = await run(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code === "number" && (options.okCodes ?? []).includes(e.code))
      return e.stdout ?? "";
    throw new Error(
      `${file} ${args.join(" ")} failed (${e.code}):\n${e.stderr?.slice(-4000)}\n${e.stdout?.slice(-2000)}`,
    );
  }
}

const lastJsonLine = (stdout: string): unknown => {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!);
};

function floeVerdicts(stdout: string): Verdicts {
  const document = JSON.parse(stdout) as unknown;
  const out: Verdicts = {};
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") {
      const o = value as Record<string, unknown>;
      if (typeof o.check_name === "string" && typeof o.passed === "boolean")
        out[o.check_name] = o.passed;
      else Object.values(o).forEach(visit);
    }
  };
  visit(document);
  return out;
}

function dbtVerdicts(projectDir: string): Verdicts {
  const results = JSON.parse(
    readFileSync(join(projectDir, "target", "run_results.json"), "utf8"),
  ) as { results: { unique_id: string; status: string }[] };
  const out: Verdicts = {};
  for (const r of results.results) {
    const name = r.unique_id.split(".")[2]!;
    if (r.status !== "pass" && r.status !== "fail")
      throw new Error(`dbt test ${name}: ${r.status}`);
    out[name] = r.status === "pass";
  }
  return out;
}

function tools(
  dialect: Dialect,
  dir: string,
  target: {
    path?: string;
    dsn?: string;
    host?: string;
    port?: number;
    user?: string;
    database?: string;
  },
): Tool[] {
  const where = dialect === "duckdb" ? target.path! : target.dsn!;
  const fusedFile = join(dir, "fused.sql");
  writeFileSync(fusedFile, fusedSql(dialect));
  const floeCompute =
    dialect === "duckdb"
      ? { dialect, path: target.path }
      : {
          dialect,
          host: target.host,
          port: target.port,
          database: target.database,
          user: target.user,
          schema: "public",
        };
  const floeFile = join(dir, "floe.yaml");
  writeFileSync(floeFile, floeYaml(floeCompute));
  const floeNoSamplesFile = join(dir, "floe-no-samples.yaml");
  writeFileSync(floeNoSamplesFile, floeYaml(floeCompute, 0));
  const dbtDir = join(dir, "dbt");
  writeDbtProject(
    dbtDir,
    dialect,
    dialect === "duckdb"
      ? { type: "duckdb", path: target.path, threads: 4, schema: "main" }
      : {
          type: "postgres",
          host: target.host,
          port: target.port,
          user: target.user,
          password: "",
          dbname: target.database,
          schema: "public",
          threads: 4,
        },
  );
  const gxFile = join(dir, "expectations.json");
  writeFileSync(gxFile, JSON.stringify(SUITE.map(gxExpectation)));
  const sodaSource = join(dir, "soda-data-source.yml");
  const sodaFile = join(dir, "soda-contract.yml");
  if (dialect === "duckdb") {
    writeFileSync(
      sodaSource,
      JSON.stringify({
        type: "duckdb",
        name: "bench",
        connection: { database: target.path, read_only: true, schema: "main" },
      }),
    );
    writeFileSync(sodaFile, sodaContract("bench/main"));
  } else {
    writeFileSync(
      sodaSource,
      JSON.stringify({
        type: "postgres",
        name: "bench",
        connection: {
          host: target.host,
          port: target.port,
          user: target.user,
          password: "",
          database: target.database,
        },
      }),
    );
    writeFileSync(sodaFile, sodaContract(`bench/${target.database}/public`));
  }
  // Every tool with its usage telemetry off: no network calls inside the timings.
  const env = {
    ...process.env,
    DBT_SEND_ANONYMOUS_USAGE_STATS: "false",
    GX_ANALYTICS_ENABLED: "false",
    SODA_CORE_TELEMETRY_ENABLED: "false",
  };
  const all: Tool[] = [
    {
      label: "one hand-written fused statement",
      key: "fused",
      run: async () =>
        lastJsonLine(
          await process_(VENV_PYTHON, [
            join(ROOT, "bench", "peers_fused.py"),
            dialect,
            where,
            fusedFile,
          ]),
        ) as Verdicts,
    },
    ...(
      [
        ["`floe-quality run` (floe_sql)", "floe", floeFile],
        ["`floe-quality run`, sample_size 0", "floe-no-samples", floeNoSamplesFile],
      ] as const
    ).map(
      ([label, key, file]): Tool => ({
        label,
        key,
        run: async () =>
          floeVerdicts(
            await process_("node", [CLI, "run", "--config", file, "--json", "--quiet"], {
              cwd: dir,
              env,
              okCodes: [1],
            }),
          ),
      }),
    ),
    {
      label: "Soda Core v4 contract verification",
      key: "soda",
      run: async () =>
        lastJsonLine(
          await process_(
            BENCH_PYTHON,
            [join(ROOT, "bench", "peers_soda.py"), sodaSource, sodaFile],
            {
              cwd: dir,
            },
          ),
        ) as Verdicts,
    },
    {
      label: "plain `dbt test`",
      key: "dbt",
      run: async () => {
        await process_(
          DBT,
          ["test", "--project-dir", dbtDir, "--profiles-dir", dbtDir, "--quiet"],
          {
            cwd: dbtDir,
            env,
            okCodes: [1],
          },
        );
        return dbtVerdicts(dbtDir);
      },
    },
    {
      label: `plain Great Expectations (${dialect === "duckdb" ? "pandas" : "SQL"})`,
      key: "gx",
      run: async () =>
        lastJsonLine(
          await process_(
            VENV_PYTHON,
            [join(ROOT, "bench", "peers_gx.py"), dialect, where, gxFile],
            {
              cwd: dir,
              env,
            },
          ),
        ) as Verdicts,
    },
  ];
  return all.filter((t) => !skip.has(t.key));
}

function checkVerdicts(tool: Tool, verdicts: Verdicts): void {
  const wrong = SUITE.filter((check) => verdicts[check.name] !== check.passes).map(
    (check) =>
      `${check.name}: expected ${check.passes ? "pass" : "fail"}, got ${verdicts[check.name]}`,
  );
  const extra = Object.keys(verdicts).filter((name) => !SUITE.some((check) => check.name === name));
  if (wrong.length > 0 || extra.length > 0)
    throw new Error(
      `${tool.label}: verdicts differ from the suite's\n  ${[...wrong, ...extra.map((n) => `unexpected check ${n}`)].join("\n  ")}`,
    );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function measure(title: string, list: Tool[]): Promise<void> {
  // Verdicts first: one warm-up run of every tool, checked against the suite's.
  for (const tool of list) {
    const verdicts = await tool.run();
    checkVerdicts(tool, verdicts);
    console.error(`${title}: ${tool.label}: the ${SUITE.length} verdicts agree`);
  }
  const times = new Map<string, number[]>(list.map((t) => [t.key, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved: every tool once per round, the order rotated each round.
    const order = list.map((_, i) => list[(i + round) % list.length]!);
    for (const tool of order) {
      const started = performance.now();
      checkVerdicts(tool, await tool.run());
      times.get(tool.key)!.push((performance.now() - started) / 1000);
    }
    console.error(`${title}: round ${round + 1}/${ROUNDS} done`);
  }
  const fused = times.has("fused") ? median(times.get("fused")!) : undefined;
  const rows = list.map((tool) => {
    const t = times.get(tool.key)!;
    const m = median(t);
    return [
      tool.label,
      m.toFixed(2),
      `${Math.min(...t).toFixed(2)}–${Math.max(...t).toFixed(2)}`,
      fused === undefined ? "" : `${(m / fused).toFixed(2)}×`,
    ];
  });
  console.log(`\n${title}: ${SUITE.length} checks, median of ${ROUNDS} interleaved rounds`);
  console.log(
    figuresTable(["tool (whole process)", "wall s", "range s", "vs fused"], rows, {
      rule: true,
    }).join("\n"),
  );
}

async function duckdb(root: string): Promise<void> {
  const dir = join(root, "duckdb");
  mkdirSync(dir);
  const path = join(dir, "orders.duckdb");
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(tableSql(`range(${DUCKDB_ROWS}) AS r(i)`));
    await connection.run("CHECKPOINT");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  await measure(`DuckDB, ${DUCKDB_ROWS.toLocaleString("en")} rows`, tools("duckdb", dir, { path }));
}

async function postgres(root: string): Promise<void> {
  const dir = join(root, "postgres");
  mkdirSync(dir);
  const server = await startPostgres({ settings: { max_connections: "50" } });
  try {
    const dsn = await server.createDatabase("peers");
    const client = new pg.Client({ connectionString: dsn });
    await client.connect();
    try {
      await client.query(
        tableSql(`generate_series(CAST(0 AS BIGINT), ${POSTGRES_ROWS - 1}) AS r(i)`),
      );
      await client.query("VACUUM ANALYZE orders");
    } finally {
      await client.end();
    }
    await measure(
      `PostgreSQL, ${POSTGRES_ROWS.toLocaleString("en")} rows`,
      tools("postgres", dir, {
        dsn,
        host: server.host,
        port: server.port,
        user: server.user,
        database: "peers",
      }),
    );
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  for (const [what, file] of [
    ["the CLI (npx tsc -b)", CLI],
    ["the project's .venv (npm run setup)", VENV_PYTHON],
    ["the benchmark venv (bash scripts/setup-bench.sh)", BENCH_PYTHON],
  ] as const) {
    if (!existsSync(file) && !(file === BENCH_PYTHON && skip.has("soda")))
      throw new Error(`missing ${what}: ${file}`);
  }
  const root = mkdtempSync(join(tmpdir(), "floe-bench-peers-"));
  try {
    if (only !== "postgres") await duckdb(root);
    if (only !== "duckdb") await postgres(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
