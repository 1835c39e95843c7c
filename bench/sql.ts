// floe_sql against the floor: a 100-check mixed suite (row-level and
// aggregate checks) run by the floe_sql engine, versus ONE hand-written fused
// aggregate query doing the same work, on generated tables: DuckDB 1 M and
// 10 M rows, PostgreSQL 1 M rows (a throwaway server).
// Run: npx tsx bench/sql.ts [--quick] [--only=duckdb|postgres]   (--quick: 1 M rows DuckDB only)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { contract } from "@floe/quality-sdk";
import pg from "pg";
import { parseRelation } from "../plugins/sql/src/compile/index.js";
import { openDuckDb } from "../plugins/sql/src/engines/duckdb.js";
import type { Engine } from "../plugins/sql/src/engines/index.js";
import { openPostgres } from "../plugins/sql/src/engines/postgres.js";
import { runSuite } from "../plugins/sql/src/run.js";
import { startPostgres } from "../test/support/postgres.js";
import { figuresTable } from "./table.js";

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);

/** Deterministic data with defects in every column; `source` yields i = 0 .. n-1. */
function tableSql(source: string): string {
  return `CREATE TABLE orders AS SELECT
    CAST(i AS BIGINT) AS id,
    CASE WHEN i % 101 = 0 THEN NULL ELSE i % 5000 END AS customer_id,
    CASE i % 7 WHEN 0 THEN 'shipped' WHEN 1 THEN 'pending' WHEN 2 THEN 'cancelled' WHEN 3 THEN 'returned'
      WHEN 4 THEN 'shipped' WHEN 5 THEN 'pending' ELSE NULL END AS status,
    CASE WHEN i % 53 = 0 THEN NULL ELSE (i * 7919 % 100000) / 100.0 END AS amount,
    CASE WHEN i % 89 = 0 THEN NULL WHEN i % 1000 = 0 THEN 'broken' ELSE 'user' || i || '@example.com' END AS email,
    i % 50 AS qty,
    TIMESTAMP '2024-01-01 00:00:00' + (i % 500000) * INTERVAL '1 minute' AS created_at,
    TIMESTAMP '2024-01-01 00:00:00' + (i % 500000) * INTERVAL '1 minute'
      + CASE WHEN i % 333 = 0 THEN INTERVAL '-5 minutes' ELSE (i % 3000) * INTERVAL '1 minute' END AS shipped_at
  FROM ${source}`;
}

interface BenchCheck {
  check: contract.QualityCheck;
  /** The same work written by hand as select-list items (values inline, SUM(CASE ...)). */
  floor: string[];
}

function mk(
  name: string,
  type: string,
  column: string,
  parameters: Record<string, unknown>,
  floor: string[],
): BenchCheck {
  return {
    check: {
      name,
      type,
      column,
      dimension: 0,
      severity: contract.Severity.SEVERITY_WARNING,
      customWeight: undefined,
      parameters,
      enabled: true,
    },
    floor,
  };
}

const rowCheck = (cond: string, fail: string) => [
  `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END)`,
  `SUM(CASE WHEN ${cond} AND ${fail} THEN 1 ELSE 0 END)`,
];

function suite(dialect: "duckdb" | "postgres"): BenchCheck[] {
  const out: BenchCheck[] = [];
  const columns = [
    "id",
    "customer_id",
    "status",
    "amount",
    "email",
    "qty",
    "created_at",
    "shipped_at",
  ];
  for (const c of columns)
    out.push(mk(`${c}_nn`, "not_null", c, {}, rowCheck("TRUE", `${c} IS NULL`)));
  for (const c of columns)
    out.push(mk(`${c}_nn_m`, "not_null", c, { mostly: 0.99 }, rowCheck("TRUE", `${c} IS NULL`)));
  const sets = [
    ["shipped", "pending"],
    ["shipped", "pending", "cancelled"],
    ["shipped", "pending", "cancelled", "returned"],
    ["x", "y"],
    ["shipped"],
  ];
  sets.forEach((values, i) => {
    const list = values.map((v) => `'${v}'`).join(", ");
    out.push(
      mk(
        `status_in_${i}`,
        "accepted_values",
        "status",
        { values },
        rowCheck("status IS NOT NULL", `status NOT IN (${list})`),
      ),
    );
    out.push(
      mk(
        `status_not_in_${i}`,
        "not_accepted_values",
        "status",
        { values },
        rowCheck("status IS NOT NULL", `status IN (${list})`),
      ),
    );
  });
  for (let i = 0; i < 10; i++) {
    const max = 100 * (i + 1);
    out.push(
      mk(
        `amount_between_${i}`,
        "between",
        "amount",
        { min_value: 0, max_value: max },
        rowCheck("amount IS NOT NULL", `NOT (amount >= 0 AND amount <= ${max})`),
      ),
    );
    out.push(
      mk(
        `qty_between_${i}`,
        "between",
        "qty",
        { min_value: i, max_value: 40 + i },
        rowCheck("qty IS NOT NULL", `NOT (qty >= ${i} AND qty <= ${40 + i})`),
      ),
    );
  }
  const regexes = ["@example\\.com$", "^user", "^[a-z]+[0-9]+@", "\\.", "^broken$"];
  regexes.forEach((regex, i) => {
    const match = dialect === "duckdb" ? `regexp_matches(email, '${regex}')` : `email ~ '${regex}'`;
    out.push(
      mk(
        `email_regex_${i}`,
        "regex",
        "email",
        { regex },
        rowCheck("email IS NOT NULL", `NOT ${match}`),
      ),
    );
  });
  for (const [i, [column, min, max]] of (
    [
      ["email", 5, 40],
      ["email", 10, 30],
      ["email", 1, 25],
      ["status", 6, 8],
      ["status", 7, 7],
      ["status", 1, 9],
    ] as const
  ).entries()) {
    out.push(
      mk(
        `${column}_len_${i}`,
        "length_between",
        column,
        { min_value: min, max_value: max },
        rowCheck(
          `${column} IS NOT NULL`,
          `NOT (length(${column}) >= ${min} AND length(${column}) <= ${max})`,
        ),
      ),
    );
  }
  for (const [i, orEqual] of [false, true, false, true].entries()) {
    const op = orEqual ? ">=" : ">";
    const [a, b] = i < 2 ? ["shipped_at", "created_at"] : ["amount", "qty"];
    out.push(
      mk(
        `pair_${i}`,
        "pair_greater_than",
        "",
        { column_a: a, column_b: b, or_equal: orEqual },
        rowCheck(`${a} IS NOT NULL AND ${b} IS NOT NULL`, `NOT (${a} ${op} ${b})`),
      ),
    );
  }
  const expressions = [
    "amount < 900",
    "qty <> 13",
    "customer_id < 4000",
    "id >= 0",
    "amount * 2 < 1500",
    "qty + 1 > 0",
  ];
  expressions.forEach((expression, i) => {
    out.push(
      mk(
        `expr_${i}`,
        "expression_is_true",
        "",
        { expression },
        rowCheck("TRUE", `NOT (${expression})`),
      ),
    );
  });
  for (const [i, [min, max]] of [
    [1, 100_000_000],
    [10, 1_000_000_000],
    [0, 5],
  ].entries()) {
    out.push(
      mk(`rows_${i}`, "row_count_between", "", { min_value: min, max_value: max }, [
        `COUNT(*)`,
        `COUNT(*) >= ${min} AND COUNT(*) <= ${max}`,
      ]),
    );
  }
  const float = dialect === "duckdb" ? "DOUBLE" : "DOUBLE PRECISION";
  for (const column of ["qty", "amount"]) {
    for (const [fn, type] of [
      ["AVG", "mean_between"],
      ["MIN", "min_between"],
      ["MAX", "max_between"],
      ["SUM", "sum_between"],
      ["STDDEV_SAMP", "stdev_between"],
    ] as const) {
      for (const [i, [min, max]] of [
        [0, 10],
        [1, 1_000_000_000],
      ].entries()) {
        const agg = `CAST(${fn}(${column}) AS ${float})`;
        out.push(
          mk(`${column}_${type}_${i}`, type, column, { min_value: min, max_value: max }, [
            `COUNT(${column})`,
            agg,
            `${agg} >= ${min} AND ${agg} <= ${max}`,
          ]),
        );
      }
    }
  }
  for (const column of ["status", "customer_id"]) {
    out.push(
      mk(`${column}_distinct`, "distinct_count_between", column, { min_value: 1, max_value: 10 }, [
        `COUNT(${column})`,
        `COUNT(DISTINCT ${column})`,
      ]),
    );
  }
  for (const [i, age] of ["P1D", "P30D", "P10Y"].entries()) {
    const months = { P1D: 0, P30D: 0, P10Y: 120 }[age];
    const days = { P1D: 1, P30D: 30, P10Y: 0 }[age];
    out.push(
      mk(`recent_${i}`, "recency", "created_at", { max_age: age }, [
        `COUNT(created_at)`,
        `CAST(MAX(created_at) AS TIMESTAMP) >= CAST(now() AS TIMESTAMP) - INTERVAL '${months} months ${days} days'`,
      ]),
    );
  }
  for (const [i, condition] of [
    "status = 'pending'",
    "qty > 25",
    "amount > 500",
    "customer_id < 100",
    "id % 2 = 0",
  ].entries()) {
    out.push(
      mk(
        `cond_${i}`,
        "not_null",
        "email",
        { row_condition: condition },
        rowCheck(`(${condition})`, "email IS NULL"),
      ),
    );
  }
  return out;
}

function floorSql(checks: BenchCheck[]): string {
  return `SELECT ${checks
    .flatMap((c) => c.floor)
    .map((e, i) => `${e} AS f${i}`)
    .join(", ")} FROM orders`;
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** One engine run of the suite, failing samples as asked; returns how many checks did not pass. */
async function engineRun(
  open: () => Promise<Engine>,
  checks: BenchCheck[],
  samples: number,
): Promise<number> {
  const engine = await open();
  let results = 0;
  let failed = 0;
  try {
    for await (const result of runSuite({
      engine,
      relation: parseRelation("orders"),
      checks: checks.map((c) => c.check),
      maxFailingSamples: samples,
    })) {
      results++;
      if (!result.passed) failed++;
    }
  } finally {
    await engine.close();
  }
  if (results !== checks.length)
    throw new Error(`expected ${checks.length} results, got ${results}`);
  return failed;
}

interface Row {
  target: string;
  rows: string;
  floor: number;
  engine: number;
  withSamples: number | null;
  /** Statements of the run with samples (N = 5). */
  sampleQueries: number;
  queries: number;
  failedChecks: number;
}

async function measure(
  label: string,
  rows: string,
  repeats: number,
  open: (onQuery: () => void) => Promise<Engine>,
  runFloor: (sql: string) => Promise<void>,
  checks: BenchCheck[],
  samples: boolean,
): Promise<Row> {
  const sql = floorSql(checks);
  let queries = 0;
  let failedChecks = 0;
  const floors: number[] = [];
  const engines: number[] = [];
  // Warm the file cache / buffer pool once, then alternate so both see the same machine.
  await runFloor(sql);
  for (let r = 0; r < repeats; r++) {
    floors.push(await time(() => runFloor(sql)));
    queries = 0;
    engines.push(
      await time(async () => {
        failedChecks = await engineRun(() => open(() => queries++), checks, 0);
      }),
    );
  }
  let withSamples: number | null = null;
  let sampleQueries = 0;
  if (samples) {
    const sampled: number[] = [];
    for (let r = 0; r < repeats; r++) {
      sampleQueries = 0;
      sampled.push(await time(() => engineRun(() => open(() => sampleQueries++), checks, 5)));
    }
    withSamples = Math.min(...sampled);
  }
  return {
    target: label,
    rows,
    floor: Math.min(...floors),
    engine: Math.min(...engines),
    withSamples,
    sampleQueries,
    queries,
    failedChecks,
  };
}

function printTable(rows: Row[]): void {
  const header = [
    "engine",
    "rows",
    "checks",
    "floor ms",
    "floe_sql ms",
    "ratio",
    "statements",
    "failed checks",
    "with samples ms",
    "statements with samples",
  ];
  const body = rows.map((r) => [
    r.target,
    r.rows,
    "100",
    r.floor.toFixed(0),
    r.engine.toFixed(0),
    `${(r.engine / r.floor).toFixed(2)}x`,
    String(r.queries),
    String(r.failedChecks),
    r.withSamples === null ? "-" : r.withSamples.toFixed(0),
    r.withSamples === null ? "-" : String(r.sampleQueries),
  ]);
  console.log(figuresTable(header, body, { rule: true }).join("\n"));
}

async function duckdbRow(dir: string, n: number, label: string, repeats: number): Promise<Row> {
  const path = join(dir, `orders_${n}.duckdb`);
  const writer = await DuckDBInstance.create(path);
  const w = await writer.connect();
  await w.run(tableSql(`range(0, ${n}) AS r(i)`));
  w.closeSync();
  writer.closeSync();
  const checks = suite("duckdb");
  const reader = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  const connection = await reader.connect();
  try {
    return await measure(
      "duckdb",
      label,
      repeats,
      (onQuery) => openDuckDb({ path }, { onQuery }),
      async (sql) => {
        await connection.runAndReadAll(sql);
      },
      checks,
      true,
    );
  } finally {
    connection.closeSync();
    reader.closeSync();
  }
}

async function postgresRow(n: number, label: string, repeats: number): Promise<Row> {
  const server = await startPostgres({
    settings: { max_parallel_workers_per_gather: "2", shared_buffers: "256MB" },
  });
  try {
    const dsn = await server.createDatabase("bench");
    const client = new pg.Client({ connectionString: dsn });
    await client.connect();
    try {
      await client.query(tableSql(`generate_series(CAST(0 AS BIGINT), ${n - 1}) AS r(i)`));
      await client.query("VACUUM ANALYZE orders");
      const checks = suite("postgres");
      return await measure(
        "postgres",
        label,
        repeats,
        (onQuery) =>
          openPostgres(
            { host: server.host, port: server.port, database: "bench", user: server.user },
            { onQuery },
          ),
        async (sql) => {
          await client.query(sql);
        },
        checks,
        true,
      );
    } finally {
      await client.end();
    }
  } finally {
    await server.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), "floe-bench-sql-"));
const rows: Row[] = [];
try {
  const checks = suite("duckdb");
  if (checks.length !== 100)
    throw new Error(`the bench suite has ${checks.length} checks, not 100`);
  const wanted = (name: string) => only === undefined || only === name;
  const progress = (row: Row) => {
    process.stderr.write(
      `${row.target} ${row.rows}: floor ${row.floor.toFixed(0)} ms, floe_sql ${row.engine.toFixed(0)} ms\n`,
    );
    rows.push(row);
  };
  if (wanted("duckdb")) progress(await duckdbRow(dir, 1_000_000, "1 M", 3));
  if (!quick && wanted("duckdb")) progress(await duckdbRow(dir, 10_000_000, "10 M", 2));
  if (!quick && wanted("postgres")) progress(await postgresRow(1_000_000, "1 M", 3));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  "floe_sql vs one hand-written fused aggregate query (best of the runs; ratio = floe_sql / floor)",
);
printTable(rows);
