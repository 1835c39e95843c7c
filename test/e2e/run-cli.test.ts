// `floe-quality run` as an orchestrator step runs it: the built CLI in a child
// process against a DuckDB warehouse with planted defects and the real floe_sql
// plugin. Exit codes 0 (pass, warn), 1 (fail), 2 (usage or configuration).
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDemoWarehouse } from "../../host/src/cli/commands/demo.js";
import { compileShop, floeQuality, ROOT } from "./support.js";

// Real processes on a shared 2-core machine: generous deadlines, never sleeps.
vi.setConfig({ testTimeout: 60_000 });

const DBT = join(ROOT, "sdk/test/fixtures/dbt");
let dir: string;
let artifacts: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-run-"));
  await createDemoWarehouse(join(dir, "warehouse.duckdb"));
  artifacts = await compileShop(dir, "dialect: duckdb\npath: warehouse.duckdb");
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const env = { FLOE_LINEAGE_TRANSPORT: "none" };

describe("floe-quality run", () => {
  it("prints one JSON document and exits 1 for a failing verdict", async () => {
    const run = await floeQuality(
      ["run", "--artifacts", artifacts, "--model", "customers", "--json"],
      { cwd: dir, env },
    );
    expect(run.code).toBe(1);
    // Progress goes to stderr, one line per check; stdout holds the one document.
    expect(run.stderr.trim().split("\n")).toHaveLength(13);
    expect(run.stderr).toMatch(/^\[customers \d+\/13\] email_unique FAIL$/m);
    const report = JSON.parse(run.stdout);
    expect(Object.keys(report)).toEqual([
      "model",
      "quality_tier",
      "provider",
      "run_id",
      "suite_result",
      "dbt_tests",
      "score",
      "verdict",
      "exit_code",
      "violations",
      "error",
      "errors",
      "gate",
      "diagnostics",
    ]);
    expect(report.exit_code).toBe(1);
    expect(report.error).toBeNull();
    expect(report.errors).toEqual([]);
    expect(report.verdict).toBe("fail");
    expect(report.score.overall).toBeCloseTo(202 / 3, 10);
    expect(report.violations).toEqual(["score 67.33 is below the gold gate's min_score 90"]);
    expect(report.diagnostics.map((d: { code: string }) => d.code)).toEqual(["FLOE-DQ102"]);
    expect(report.gate).toMatchObject({ tier: "gold", passed: false });
    expect(report.suite_result.checks.map((c: { check_name: string }) => c.check_name)).toEqual([
      "customer_id_present",
      "customer_id_unique",
      "email_present",
      "email_unique",
      "email_format",
      "full_name_length",
      "country_known",
      "segment_known",
      "referrer_exists",
      "signup_date_present",
      "lifetime_value_non_negative",
      "lifetime_value_mean",
      "customers_not_empty",
    ]);
  });

  it("prints a table and exits 0 for a warning verdict", async () => {
    const run = await floeQuality(["run", "--artifacts", artifacts, "--model", "orders"], {
      cwd: dir,
      env,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("orders (silver, floe_sql): 8 passed, 2 failed\n");
    expect(run.stdout).toMatch(
      /^ {2}FAIL +currency_known +accepted_values +currency +validity +warning +1\/12$/m,
    );
    // What failed, visible: the failing value, and the observed value of an aggregate check.
    expect(run.stdout).toContain('\n      samples of currency_known: "JPY"\n');
    expect(run.stdout).toMatch(
      /^ {2}pass +daily_amount_total +sum_between +amount +accuracy +info +0\/12 +1046\.4$/m,
    );
    expect(run.stdout).toContain("  score 83.57 → WARN (score 83.57 is below warn_score 85)\n");
  });

  // The fixture's orders tests: not_null, amount_in_range and accepted_range pass;
  // unique and accepted_values (warn) fail; relationships errored (dbt could not
  // run it) and it is critical, so the data cannot be judged: verdict error.
  it("joins the model's dbt tests as checks; a critical dbt test that errored makes the verdict error", async () => {
    const run = await floeQuality(
      [
        "run",
        "--artifacts",
        artifacts,
        "--model",
        "orders",
        "--dbt-run-results",
        join(DBT, "run_results.json"),
        "--dbt-manifest",
        join(DBT, "manifest.json"),
        "--json",
      ],
      { cwd: dir, env },
    );
    const report = JSON.parse(run.stdout);
    const statuses = report.dbt_tests.map((t: { status: string }) => t.status).sort();
    expect(statuses).toEqual([
      "error",
      "failed",
      "failed",
      "passed",
      "passed",
      "passed",
      "skipped",
    ]);
    expect(report.dbt_tests.map((t: { check_name: string }) => t.check_name)).toContain(
      "unique_orders_order_id",
    );
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({
      source: "dbt",
      cause: "config",
      retryable: false,
      code: "FLOE-DQ108",
    });
    expect(report.errors[0].check_name).toMatch(/^relationships_orders_customer_id/);
    expect(report.score).toBeNull();
    expect(report.verdict).toBe("error");
    expect(run.code).toBe(3);
  });

  it("exits 2 naming the model that is not compiled", async () => {
    const run = await floeQuality(["run", "--artifacts", artifacts, "--model", "refunds"], {
      cwd: dir,
      env,
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "error FLOE-DQ100 models: model 'refunds' is not in the compiled artifacts of product shop (models: customers, orders, order_events)\n" +
        "  fix: Name one of the compiled models (or select several with --select / --all), or add the model to floe.yaml and compile again.\n",
    );
  });

  it("exits 2 for artifacts of another contract version", async () => {
    const old = join(dir, "old_artifacts.json");
    const text = await readFile(artifacts, "utf8");
    await writeFile(old, text.replace('"version": "0.4.0"', '"version": "0.3.0"'));
    const run = await floeQuality(["run", "--artifacts", old, "--model", "orders"], {
      cwd: dir,
      env,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `error FLOE-DQ100 ${old}:2:14 version: compiled artifacts of contract version "0.3.0"; this host reads 0.4.0\n` +
        "  fix: Recompile with this floe-quality (floe-quality compile) to get 0.4.0 artifacts.\n",
    );
  });

  it("exits 2 for a missing option", async () => {
    const run = await floeQuality(["run", "--artifacts", artifacts], { cwd: dir, env });
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n")[0]).toBe("floe-quality run: missing --model, --select or --all");
  });

  it("names an unset secret variable without a value", async () => {
    const pgArtifacts = await compileShop(
      await mkdtemp(join(dir, "pg-")),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a floe `${env:NAME}` reference
      'dialect: postgres\nhost: 127.0.0.1\ndatabase: shop\nuser: etl\npassword: "${env:FLOE_E2E_UNSET_PASSWORD}"',
    );
    const run = await floeQuality(["run", "--artifacts", pgArtifacts, "--model", "orders"], {
      cwd: dir,
      env: { ...env, FLOE_E2E_UNSET_PASSWORD: "" },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "error FLOE-DQ100 product.compute.password: environment variable FLOE_E2E_UNSET_PASSWORD is not set; product.compute.password refers to it\n" +
        "  fix: Set FLOE_E2E_UNSET_PASSWORD in the environment of the floe-quality host (the value is read at run time and never written anywhere).\n",
    );
  });
});

describe("the command line", () => {
  it("prints its version", async () => {
    const run = await floeQuality(["--version"], { cwd: dir, env });
    const { version } = JSON.parse(await readFile(join(ROOT, "host/package.json"), "utf8"));
    expect(run.stdout).toBe(
      `floe-quality ${version} (contract floe.quality.v1, plugin API 1.0.0, artifacts 0.4.0)\n`,
    );
    expect(run.code).toBe(0);
  });

  it("suggests the command an unknown one meant", async () => {
    const run = await floeQuality(["valdiate"], { cwd: dir, env });
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n")[0]).toBe(
      "floe-quality: unknown command 'valdiate' (did you mean 'validate'?)",
    );
  });

  it("demo --examples never replaces the DuckDB file the examples' floe.yaml names", async () => {
    const examples = join(dir, "my-examples");
    await cp(join(ROOT, "examples"), examples, { recursive: true });
    const mine = join(dir, "precious.duckdb");
    await writeFile(mine, "not a demo file");
    const product = join(examples, "products/shop/floe.yaml");
    await writeFile(
      product,
      (await readFile(product, "utf8")).replace(".floe/demo/warehouse.duckdb", mine),
    );
    const work = await mkdtemp(join(dir, "demo-"));
    const run = await floeQuality(["demo", "--examples", examples], { cwd: work, env });
    expect(run.code).toBe(0);
    expect(await readFile(mine, "utf8")).toBe("not a demo file");
    expect(run.stdout).toContain("warehouse .floe/demo/warehouse.duckdb: customers (10 rows)");
  });
});
