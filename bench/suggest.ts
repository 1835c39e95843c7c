// `floe-quality suggest` end to end (a whole CLI process: compile the one-file
// project, read the catalog, start floe_sql, profile, print), on the demo's three
// tables and on a generated 200 000-row orders table; beside it, `run` of the
// checks it suggested on the same table. Medians of BENCH_RUNS rounds (default 5)
// after one warm-up.
//   npx tsx bench/suggest.ts        (needs the build: npm run build)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { createDemoWarehouse } from "../host/src/cli/commands/demo.js";
import { figuresTable } from "./table.js";

const ROOT = resolve(import.meta.dirname, "..");
const CLI = join(ROOT, "host/dist/cli/main.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BIG_ROWS = 200_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const dir = mkdtempSync(join(tmpdir(), "floe-bench-suggest-"));
const env = { ...process.env, FLOE_LINEAGE_TRANSPORT: "none", FLOE_HISTORY_URL: "none" };

function cli(args: string[]): { ms: number; stdout: string } {
  const started = performance.now();
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, [CLI, ...args], {
      cwd: dir,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch (error) {
    // `run` exits 1 on a failing verdict; its time still counts.
    stdout = String((error as { stdout?: string }).stdout ?? "");
  }
  return { ms: performance.now() - started, stdout };
}

try {
  await createDemoWarehouse(join(dir, "warehouse.duckdb"));
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(join(dir, "warehouse.duckdb"));
  const connection = await instance.connect();
  await connection.run(
    `CREATE TABLE big_orders AS SELECT i AS order_id, 1 + i % 5000 AS customer_id,
       ['placed', 'shipped', 'delivered', 'cancelled'][1 + i % 4] AS status,
       CAST(i % 997 AS DOUBLE) / 4 AS amount, ['USD', 'EUR', 'GBP'][1 + i % 3] AS currency,
       'ORD-' || CAST(i AS VARCHAR) AS reference,
       TIMESTAMP '2026-01-01' + to_seconds(i) AS ordered_at
     FROM range(${BIG_ROWS}) AS t(i)`,
  );
  connection.closeSync();
  instance.closeSync();

  const compute = { dialect: "duckdb", path: "warehouse.duckdb" };
  const models = [
    ["customers", "customers"],
    ["orders", "main.orders"],
    ["order_events", "order_events"],
    ["big_orders", "big_orders"],
  ] as const;
  writeFileSync(
    join(dir, "floe.yaml"),
    stringify({
      name: "bench",
      compute,
      models: models.map(([name, relation]) => ({ name, relation })),
    }),
  );
  const rows: string[][] = [];
  for (const [model] of models) {
    const args = ["suggest", "--config", "floe.yaml", "--model", model, "--json"];
    const first = cli(args);
    const doc = JSON.parse(first.stdout);
    writeFileSync(
      join(dir, `${model}.yaml`),
      stringify({ name: "bench", compute, models: [doc.model] }),
    );
    const runArgs = ["run", "--config", `${model}.yaml`, "--json"];
    cli(runArgs);
    const suggestMs: number[] = [];
    const runMs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      suggestMs.push(cli(args).ms);
      runMs.push(cli(runArgs).ms);
    }
    rows.push([
      model,
      String(doc.profile.rows),
      String(doc.profile.columns.length),
      String(doc.model.quality_checks.length),
      median(suggestMs).toFixed(0),
      median(runMs).toFixed(0),
    ]);
  }
  const header = ["table", "rows", "columns", "checks suggested", "suggest ms", "run of them ms"];
  process.stdout.write(`${figuresTable(header, rows, { rule: true }).join("\n")}\n`);
  process.stdout.write(`medians of ${RUNS} whole CLI processes each, after one warm-up\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
