// dbt_expectations against plain dbt: the same tests on the same 1 M row DuckDB
// table, run by the plugin (through the host supervisor, end to end: gRPC,
// project write, one `dbt test`, results mapped back) and by a plain `dbt test`
// of an identical project without the plugin's counting test (floe_counts). Both keep
// partial parsing warm; one warm-up each, then the median of RUNS runs, taken
// alternately. Run after `npx tsc -b`: npx tsx bench/dbt.ts
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { contract } from "@floe/quality-sdk";
import { discoverPlugins, resolveProvider, startPlugin } from "../host/src/plugins/index.js";
import { findDbtExecutable } from "../plugins/dbt/src/executable.js";

const ROWS = 1_000_000;
const RUNS = 5;
const run = promisify(execFile);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function buildTable(path: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(`create table orders as
      select i as id,
             case when i % 1000 = 0 then null else 'user' || i || '@example.com' end as email,
             (['shipped', 'placed', 'returned', 'lost'])[1 + i % 4] as status,
             (i % 500) - 3 as amount,
             i % 7 as qty,
             timestamp '2024-01-01' + to_seconds(i) as created_at
      from range(${ROWS}) t(i)`);
    await connection.run("CHECKPOINT");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const check = (
  name: string,
  type: string,
  column: string,
  parameters: Record<string, unknown> = {},
) => ({
  name,
  type,
  column,
  dimension: 0,
  severity: contract.Severity.SEVERITY_CRITICAL,
  parameters,
  enabled: true,
});

const CHECKS = [
  check("id_not_null", "not_null", "id"),
  check("id_unique", "unique", "id"),
  check("email_not_null", "not_null", "email", { mostly: 0.99 }),
  check("status_known", "accepted_values", "status", { values: ["shipped", "placed", "returned"] }),
  check("amount_range", "between", "amount", { min_value: 0, max_value: 1000 }),
  check("email_shape", "regex", "email", { regex: "^[^@]+@[^@]+$" }),
  check("row_count", "row_count_between", "", { min_value: 1 }),
  check("amount_mean", "mean_between", "amount", { min_value: 0, max_value: 1000 }),
  check("qty_below_amount", "pair_greater_than", "", { column_a: "amount", column_b: "qty" }),
  check("recent", "recency", "created_at", { max_age: "P36500D" }),
];

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "floe-bench-dbt-"));
  const path = join(root, "orders.duckdb");
  await buildTable(path);
  const workdir = join(root, "work");
  const descriptor = resolveProvider(
    discoverPlugins({ workspaceRoot: join(import.meta.dirname, "..") }),
    "dbt_expectations",
  );
  const plugin = await startPlugin(descriptor, {
    env: { ...process.env, FLOE_DBT_WORKDIR: workdir },
    onLog: () => undefined,
  });
  const request: contract.RunChecksRequest = {
    suite: {
      modelName: "orders",
      checks: CHECKS,
      timeoutSeconds: 600,
      failFast: false,
      nativeSuite: "",
    },
    connection: {
      dialect: "duckdb",
      host: "",
      port: 0,
      database: "",
      user: "",
      password: "",
      path,
      schema: "",
      options: {},
    },
    relation: "orders",
    options: undefined,
    runId: "bench",
  };
  const viaPlugin = async () => {
    const started = performance.now();
    const summary = await plugin.client.runChecks(request, { timeoutMs: 600_000 });
    if (summary.checks.length !== CHECKS.length) throw new Error("the plugin lost checks");
    return performance.now() - started;
  };

  try {
    await viaPlugin();
    // The plain project: the plugin's own generated project, copied, minus the counting test.
    const [projectName] = readdirSync(workdir).filter((d) => !d.startsWith("."));
    const plain = join(root, "plain");
    cpSync(join(workdir, projectName!), plain, { recursive: true });
    rmSync(join(plain, "target"), { recursive: true, force: true });
    const modelsDir = join(plain, "models", "floe");
    for (const file of readdirSync(modelsDir)) {
      const properties = JSON.parse(readFileSync(join(modelsDir, file), "utf8"));
      for (const source of properties.sources) {
        for (const table of source.tables) {
          table.data_tests = table.data_tests.filter(
            (t: object) => !("floe_expectations.floe_counts" in t),
          );
        }
      }
      writeFileSync(join(modelsDir, file), JSON.stringify(properties, null, 2));
    }
    const dbt = findDbtExecutable();
    const plainDbt = async () => {
      const started = performance.now();
      await run(dbt, ["test", "--project-dir", plain, "--profiles-dir", plain, "--threads", "4"], {
        cwd: plain,
        env: { ...process.env, DBT_SEND_ANONYMOUS_USAGE_STATS: "false" },
      }).catch((error: { code?: number }) => {
        if (error.code !== 1) throw error;
      });
      return performance.now() - started;
    };
    await plainDbt();

    const pluginTimes: number[] = [];
    const plainTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      plainTimes.push(await plainDbt());
      pluginTimes.push(await viaPlugin());
    }
    const p = median(pluginTimes);
    const d = median(plainTimes);
    console.log(
      `dbt_expectations vs plain dbt test: ${CHECKS.length} checks on ${ROWS.toLocaleString("en")} rows (DuckDB), median of ${RUNS}`,
    );
    console.log("| runner | median ms | min ms | max ms |");
    console.log("|---|---:|---:|---:|");
    console.log(
      `| plain dbt test | ${d.toFixed(0)} | ${Math.min(...plainTimes).toFixed(0)} | ${Math.max(...plainTimes).toFixed(0)} |`,
    );
    console.log(
      `| dbt_expectations plugin | ${p.toFixed(0)} | ${Math.min(...pluginTimes).toFixed(0)} | ${Math.max(...pluginTimes).toFixed(0)} |`,
    );
    console.log(`overhead: ${(((p - d) / d) * 100).toFixed(1)} % (target ≤ 10 %)`);
  } finally {
    await plugin.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
