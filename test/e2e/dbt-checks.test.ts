// dbt tests as first-class checks: a real `dbt build` of the test dbt project
// (test/fixtures/dbt-shop), a floe.yaml with one floe check per model, then
// compile with the dbt manifest (dbt's unique and not_null satisfy the silver
// gate's required_tests and cover columns) and `run --all` with the build's
// run_results.json: every dbt test appears by name in the text and the JSON.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDbtShop } from "../../plugins/dbt/test/support.js";
import { floeQuality, ROOT } from "./support.js";

const _exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "floe-e2e-dbt-"));
const project = join(dir, "dbt-shop");
const target = (file: string) => join(project, "target", file);

// floe_sql reads its own copy of the two models: the DuckDB inside dbt-duckdb
// may write a newer file format than the one in @duckdb/node-api.
const product = (columns: string) => `name: dbt_shop
compute: {dialect: duckdb, path: ${join(dir, "warehouse.duckdb")}}
models:
  - name: customers
    tier: silver
${columns}
    quality_checks:
      - {name: tier_present, type: not_null, column: tier}
  - name: orders
    tier: silver
    quality_checks:
      - {name: amount_mean, type: mean_between, column: amount, parameters: {min_value: 0, max_value: 100}}
`;

function compile(productFile: string, out: string, manifest?: string) {
  return floeQuality(
    [
      "compile",
      "--enterprise",
      join(ROOT, "examples/manifest.yaml"),
      "--product",
      productFile,
      "--out",
      out,
      "--json",
      ...(manifest === undefined ? [] : ["--dbt-manifest", manifest]),
    ],
    { cwd: dir },
  );
}

// biome-ignore lint/suspicious/noExplicitAny: JSON documents as printed
type Json = any;

// dbt starts in seconds, more on a busy machine: two minutes a test.
describe("dbt tests as floe checks", { timeout: 120_000 }, () => {
  beforeAll(async () => {
    await buildDbtShop(dir);
    const instance = await DuckDBInstance.create(join(dir, "warehouse.duckdb"));
    const connection = await instance.connect();
    const seed = (name: string) => join(project, "seeds", `${name}.csv`);
    await connection.run(
      `CREATE TABLE customers AS SELECT id, name, email, tier FROM read_csv('${seed("raw_customers")}')`,
    );
    await connection.run(
      `CREATE TABLE orders AS SELECT id AS order_id, customer_id, amount, status FROM read_csv('${seed("raw_orders")}')`,
    );
    connection.closeSync();
    instance.closeSync();
    await writeFile(join(dir, "floe.yaml"), product(""));
    await writeFile(join(dir, "floe-columns.yaml"), product("    columns: [id, email, tier]"));
  }, 180_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("without the dbt manifest, the silver gate misses unique and most columns", async () => {
    const run = await compile("floe-columns.yaml", join(dir, "no-dbt.json"));
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(
      report.diagnostics
        .filter((d: { level: string }) => d.level === "error")
        .map((d: { code: string; message: string }) => `${d.code} ${d.message}`),
    ).toEqual([
      "FLOE-DQ103 model customers: test coverage 33.33% is below the silver gate's 80%",
      "FLOE-DQ104 model customers: the silver gate requires check types missing here: unique",
      "FLOE-DQ104 model orders: the silver gate requires check types missing here: not_null, unique",
    ]);
  });

  it("with the dbt manifest, dbt's not_null and unique satisfy required_tests and cover columns", async () => {
    const run = await compile(
      "floe-columns.yaml",
      join(dir, "with-dbt.json"),
      target("manifest.json"),
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const gates = JSON.parse(run.stdout).gates;
    expect(
      gates.map((g: { model_name: string; coverage_actual: number; missing_tests: string[] }) => [
        g.model_name,
        g.coverage_actual,
        g.missing_tests,
      ]),
    ).toEqual([
      ["customers", 100, []],
      ["orders", 100, []],
    ]);
  });

  it("run --all joins every model's dbt tests by name, in the table and the JSON", async () => {
    const artifacts = join(dir, "artifacts.json");
    expect((await compile("floe.yaml", artifacts, target("manifest.json"))).code).toBe(0);
    const args = [
      "run",
      "--artifacts",
      artifacts,
      "--all",
      "--quiet",
      "--dbt-run-results",
      target("run_results.json"),
      "--dbt-manifest",
      target("manifest.json"),
    ];
    const lineage = join(dir, "lineage.jsonl");
    const env = { FLOE_LINEAGE_TRANSPORT: "file", FLOE_LINEAGE_FILE: lineage };
    const text = await floeQuality(args, { cwd: dir, env });
    const json = await floeQuality([...args, "--json"], {
      cwd: dir,
      env: { FLOE_LINEAGE_TRANSPORT: "none" },
    });
    // In lineage: the dbt tests are assertions of the run's end event.
    const ends = (await readFile(lineage, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((e) => e.eventType !== "START" && e.job.name === "orders.quality");
    expect(
      ends[0].inputs[0].inputFacets.dataQualityAssertions.assertions.map(
        (a: { name: string }) => a.name,
      ),
    ).toContain("unique_orders_order_id");
    const report = JSON.parse(json.stdout);
    const byModel = Object.fromEntries(
      report.runs.map((r: { model: string }) => [r.model, r]),
    ) as Record<string, Json>;
    const tests = (model: string) =>
      (
        byModel[model]!.dbt_tests as Array<{
          check_name: string;
          status: string;
          check_type: string;
        }>
      )
        .map((t) => [t.check_name, t.status, t.check_type])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(tests("orders")).toEqual([
      ["accepted_values_orders_status__shipped__placed__returned", "failed", "accepted_values"],
      ["assert_orders_have_amount", "passed", null],
      [
        "floe_expectations_expect_table_row_count_to_be_between_orders_1",
        "passed",
        "row_count_between",
      ],
      ["not_null_orders_order_id", "passed", "not_null"],
      ["orders_amount_positive", "failed", "between"],
      ["relationships_orders_customer_id__id__ref_customers_", "failed", "relationships"],
      ["unique_orders_order_id", "failed", "unique"],
    ]);
    expect(tests("customers").map((t) => t[0])).toEqual([
      "accepted_values_customers_tier__gold__silver__bronze",
      "not_null_customers_email",
      "not_null_customers_id",
      "unique_customers_id",
    ]);
    // The floe check ran too, and the gate at run time counts the dbt tests that ran.
    expect(byModel.orders.suite_result.checks.map((c: Json) => c.check_name)).toEqual([
      "amount_mean",
    ]);
    expect(byModel.customers!.gate).toMatchObject({ coverage_actual: 100, missing_tests: [] });
    expect(byModel.customers!.score).toMatchObject({ dbt_tests_passed: 2, dbt_tests_failed: 2 });
    // In the text: a row per dbt test, its type marked as dbt.
    expect(text.stdout).toMatch(
      /^ {2}FAIL +unique_orders_order_id +dbt unique +order_id +consistency +critical +1$/m,
    );
    expect(text.stdout).toContain(
      "customers (silver, floe_sql): 1 passed, 0 failed; dbt tests 2 passed, 2 failed\n",
    );
    expect(json.code).toBe(report.exit_code);
    expect(text.code).toBe(report.exit_code);
  });
});
