// A solo user's paths into floe-quality, through the built CLI against a DuckDB
// warehouse with planted defects and the real floe_sql plugin: `run --config
// floe.yaml` (one file, compiled in memory) against the three-layer compile of
// the same checks; `init` from a warehouse; `import odcs` and `contract:` from an
// ODCS v3 contract that the reference linter accepts.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { createDemoWarehouse } from "../../host/src/cli/commands/demo.js";
import { type CliRun, floeQuality, ROOT, runCommand } from "./support.js";

// Real processes on a shared 2-core machine: generous deadlines, never sleeps.
vi.setConfig({ testTimeout: 90_000 });

const CONTRACTS = join(ROOT, "test/fixtures/contracts");
const env = { FLOE_LINEAGE_TRANSPORT: "none" };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-one-file-"));
  await createDemoWarehouse(join(dir, "data", "warehouse.duckdb"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: `run --json` documents as printed
type Report = any;

/** What must match between two runs of a model: everything but ids, times and durations. */
function comparable(report: Report) {
  return {
    model: report.model,
    quality_tier: report.quality_tier,
    provider: report.provider,
    verdict: report.verdict,
    violations: report.violations,
    gate: report.gate,
    diagnostics: report.diagnostics,
    score: { ...report.score, timestamp: undefined },
    checks: report.suite_result.checks.map((c: Report) => ({
      ...c,
      execution_time_ms: undefined,
      timestamp: undefined,
    })),
  };
}

describe("run --config floe.yaml (a one-file project)", () => {
  let project: string;
  let runConfig: CliRun;

  beforeAll(async () => {
    // The shop product alone; its warehouse path is relative to floe.yaml.
    project = join(dir, "project");
    await mkdir(project);
    const shop = await readFile(join(ROOT, "examples/products/shop/floe.yaml"), "utf8");
    const product = shop.replace(".floe/demo/warehouse.duckdb", "../data/warehouse.duckdb");
    expect(product).not.toBe(shop);
    await writeFile(join(project, "floe.yaml"), product);
    // From another working directory: the path must resolve from the file.
    runConfig = await floeQuality(["run", "--config", "project/floe.yaml", "--json"], {
      cwd: dir,
      env,
    });
  });

  it("compiles in memory with the built-in enterprise defaults and says so", () => {
    expect(runConfig.code).toBe(1);
    expect(runConfig.stderr).toContain(
      "compiled project/floe.yaml in memory with the built-in enterprise defaults (provider floe_sql, thresholds min 70 / warn 85, gold gate coverage 100%); nothing was written.",
    );
    const report = JSON.parse(runConfig.stdout);
    expect(report.product).toBe("shop");
    expect(report.runs.map((r: Report) => [r.model, r.verdict, r.score.overall])).toEqual([
      ["customers", "fail", 202 / 3],
      ["orders", "warn", 585 / 7],
      ["order_events", "pass", 100],
    ]);
    expect(report.runs[1].violations).toEqual(["score 83.57 is below warn_score 85"]);
  });

  it("gives the same results as the three-layer compile of the same checks", async () => {
    const artifacts = join(dir, "three-layer.json");
    const compile = await floeQuality(
      [
        "compile",
        "--enterprise",
        join(ROOT, "test/fixtures/one-file/manifest.yaml"),
        "--product",
        "floe.yaml",
        "--out",
        artifacts,
      ],
      { cwd: project, env },
    );
    expect(compile.code).toBe(0);
    const oneFile = JSON.parse(runConfig.stdout).runs;
    for (const [i, model] of ["customers", "orders", "order_events"].entries()) {
      // The governed path resolves compute.path from the working directory.
      const run = await floeQuality(["run", "--artifacts", artifacts, "--model", model, "--json"], {
        cwd: project,
        env,
      });
      expect(comparable(JSON.parse(run.stdout))).toEqual(comparable(oneFile[i]));
    }
  });

  it("runs the one model --model names, with exit 0 on warn", async () => {
    const run = await floeQuality(
      ["run", "--config", "project/floe.yaml", "--model", "orders", "--json"],
      { cwd: dir, env },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ model: "orders", verdict: "warn" });
  });

  it("refuses --config with --artifacts (exit 2)", async () => {
    const run = await floeQuality(
      ["run", "--config", "project/floe.yaml", "--artifacts", "x.json"],
      { cwd: dir, env },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "floe-quality run: --config runs a one-file project: give it without --artifacts\n",
    );
  });

  it("reports a floe.yaml mistake with its code, line and fix, and writes nothing", async () => {
    await writeFile(
      join(dir, "bad.yaml"),
      "name: x\ncompute: {dialect: duckdb, path: w.duckdb}\nmodels:\n  - name: m\n    quality_checks:\n      - {name: a, type: not_nul, column: id}\n",
    );
    const run = await floeQuality(["run", "--config", "bad.yaml"], { cwd: dir, env });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(
      "error FLOE-DQ101 bad.yaml:6:25 models[0].quality_checks[0].type: unknown check type 'not_nul' (did you mean 'not_null'?)",
    );
  });
});

describe("init", () => {
  it("writes a floe.yaml for the demo warehouse that compiles and runs", async () => {
    const out = join(dir, "init");
    const init = await floeQuality(
      ["init", "--duckdb", "data/warehouse.duckdb", "--out", "init/floe.yaml"],
      { cwd: dir, env },
    );
    expect(init.code).toBe(0);
    expect(init.stdout).toBe(
      "wrote init/floe.yaml: 3 models (customers, order_events, orders), 6 starter checks\n",
    );
    const written = parse(await readFile(join(out, "floe.yaml"), "utf8"));
    expect(written).toEqual({
      name: "warehouse",
      compute: { dialect: "duckdb", path: "../data/warehouse.duckdb" },
      models: [
        {
          name: "customers",
          tier: "bronze",
          columns: [
            "customer_id",
            "email",
            "full_name",
            "country_code",
            "segment",
            "referred_by",
            "signup_date",
            "lifetime_value",
          ],
          quality_checks: [
            {
              name: "customer_id_not_null",
              type: "not_null",
              column: "customer_id",
              severity: "critical",
            },
            {
              name: "customer_id_unique",
              type: "unique",
              column: "customer_id",
              severity: "critical",
            },
          ],
        },
        {
          name: "order_events",
          tier: "bronze",
          columns: ["event_id", "order_id", "event_type", "occurred_at", "payload"],
          quality_checks: [
            {
              name: "event_id_not_null",
              type: "not_null",
              column: "event_id",
              severity: "critical",
            },
            { name: "event_id_unique", type: "unique", column: "event_id", severity: "critical" },
          ],
        },
        {
          name: "orders",
          tier: "bronze",
          columns: [
            "order_id",
            "customer_id",
            "status",
            "amount",
            "currency",
            "ordered_at",
            "shipped_at",
          ],
          quality_checks: [
            {
              name: "order_id_not_null",
              type: "not_null",
              column: "order_id",
              severity: "critical",
            },
            { name: "order_id_unique", type: "unique", column: "order_id", severity: "critical" },
          ],
        },
      ],
    });
    const compile = await floeQuality(
      [
        "compile",
        "--enterprise",
        join(ROOT, "examples/manifest.yaml"),
        "--product",
        "floe.yaml",
        "--out",
        "compiled_artifacts.json",
      ],
      { cwd: out, env },
    );
    expect(compile.stderr).toBe("");
    expect(compile.code).toBe(0);
    const run = await floeQuality(["run", "--config", "init/floe.yaml", "--json"], {
      cwd: dir,
      env,
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).runs.map((r: Report) => [r.model, r.verdict])).toEqual([
      ["customers", "pass"],
      ["order_events", "pass"],
      ["orders", "pass"],
    ]);
  });

  it("refuses to replace an existing floe.yaml without --force (exit 2)", async () => {
    const again = await floeQuality(
      ["init", "--duckdb", "data/warehouse.duckdb", "--out", "init/floe.yaml"],
      { cwd: dir, env },
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(
      "floe-quality init: init/floe.yaml exists; pass --force to replace it\n",
    );
  });
});

/** `datacontract lint` of the reference ODCS tool (its own venv, set up by npm run setup). */
function lint(file: string): Promise<CliRun> {
  return runCommand(join(ROOT, ".venv-tools/bin/datacontract"), ["lint", file], {
    cwd: dir,
    timeoutMs: 120_000,
    env: { ...process.env, NO_COLOR: "1", COLUMNS: "200" },
  });
}

const ORDERS_CHECKS = [
  { name: "order_id_not_null", type: "not_null", column: "order_id" },
  { name: "order_id_unique", type: "unique", column: "order_id" },
  { name: "customer_id_not_null", type: "not_null", column: "customer_id" },
  {
    name: "status_known",
    type: "accepted_values",
    column: "status",
    dimension: "validity",
    parameters: { values: ["placed", "shipped", "delivered", "cancelled", "returned"] },
  },
  { name: "amount_not_null", type: "not_null", column: "amount" },
  { name: "amount_range", type: "between", column: "amount", parameters: { min_value: 0 } },
  {
    name: "currency_pattern",
    type: "regex",
    column: "currency",
    parameters: { regex: "^[A-Z]{3}$" },
  },
  {
    name: "currency_length",
    type: "length_between",
    column: "currency",
    parameters: { min_value: 3, max_value: 3 },
  },
  {
    name: "currency_supported",
    type: "accepted_values",
    column: "currency",
    severity: "critical",
    parameters: { values: ["USD", "EUR", "GBP"], mostly: 0.95 },
  },
  { name: "ordered_at_not_null", type: "not_null", column: "ordered_at" },
  { name: "orders_not_empty", type: "row_count_between", parameters: { min_value: 1 } },
];

const CUSTOMERS_CHECKS = [
  { name: "customer_id_not_null", type: "not_null", column: "customer_id" },
  { name: "customer_id_unique", type: "unique", column: "customer_id" },
  { name: "email_unique", type: "unique", column: "email" },
  { name: "email_mostly_present", type: "not_null", column: "email", parameters: { mostly: 0.9 } },
];

describe("data contracts (ODCS v3)", () => {
  it("uses a fixture the reference linter accepts, and a linter that rejects a broken one", async () => {
    const good = await lint(join(CONTRACTS, "orders.odcs.yaml"));
    expect(good.stdout).toContain("Data contract is valid against ODCS v3.1.0");
    expect(good.code).toBe(0);
    const text = await readFile(join(CONTRACTS, "orders.odcs.yaml"), "utf8");
    await writeFile(
      join(dir, "broken.odcs.yaml"),
      text.replace("kind: DataContract", "kind: DataContract\nowner_team: sales"),
    );
    const broken = await lint(join(dir, "broken.odcs.yaml"));
    expect(broken.stdout).toContain("'owner_team' was");
    expect(broken.code).toBe(1);
  });

  it("import odcs yields the expected checks and lists the unsupported rules", async () => {
    const run = await floeQuality(
      ["import", "odcs", join(CONTRACTS, "orders.odcs.yaml"), "--json"],
      {
        cwd: dir,
        env,
      },
    );
    expect(run.code).toBe(0);
    const imported = JSON.parse(run.stdout);
    expect(imported.contract).toMatchObject({ id: "shop-orders", version: "1.2.0" });
    expect(imported.models).toEqual([
      {
        name: "orders",
        columns: ["order_id", "customer_id", "status", "amount", "currency", "ordered_at"],
        quality_checks: ORDERS_CHECKS,
      },
      {
        name: "customers",
        columns: ["customer_id", "email", "country_code"],
        quality_checks: CUSTOMERS_CHECKS,
      },
    ]);
    expect(imported.unsupported.map((d: Report) => [d.level, d.code, d.path, d.message])).toEqual([
      [
        "warning",
        "FLOE-DQ101",
        "schema[0].properties[5].quality[0]",
        "model orders: quality rule 'ordered_recently' (type text) has no floe check; it is not checked",
      ],
      [
        "warning",
        "FLOE-DQ101",
        "schema[0].quality[1]",
        "model orders: quality rule 'orders_total_positive' (type sql) has no floe check; it is not checked",
      ],
    ]);
  });

  it("import odcs writes a floe.yaml that names what is not checked", async () => {
    const run = await floeQuality(
      ["import", "odcs", join(CONTRACTS, "orders.odcs.yaml"), "--out", "imported/floe.yaml"],
      { cwd: dir, env },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      "wrote imported/floe.yaml: 2 models, 15 checks; 2 rules not supported\n",
    );
    expect(run.stderr).toContain("warning FLOE-DQ101");
    const text = await readFile(join(dir, "imported/floe.yaml"), "utf8");
    expect(text).toContain(
      "# Not checked (2): schema[0].properties[5].quality[0], schema[0].quality[1]\n",
    );
    expect(parse(text).models[0].quality_checks).toEqual(ORDERS_CHECKS);
  });

  it("contract: in floe.yaml joins the contract's checks to the product's and runs them", async () => {
    const project = join(dir, "contract");
    await mkdir(project);
    for (const file of ["floe.yaml", "orders.odcs.yaml"]) {
      await writeFile(join(project, file), await readFile(join(CONTRACTS, file), "utf8"));
    }
    await createDemoWarehouse(join(project, "warehouse.duckdb"));
    const compile = await floeQuality(
      [
        "compile",
        "--enterprise",
        join(ROOT, "test/fixtures/one-file/manifest.yaml"),
        "--product",
        join(project, "floe.yaml"),
        "--out",
        join(project, "compiled_artifacts.json"),
        "--json",
      ],
      { cwd: dir, env },
    );
    expect(compile.code).toBe(0);
    expect(
      JSON.parse(compile.stdout).warnings.filter((w: string) => w.includes("FLOE-DQ101")),
    ).toHaveLength(2);
    const artifacts = JSON.parse(await readFile(join(project, "compiled_artifacts.json"), "utf8"));
    const orders = artifacts.models.find((m: Report) => m.name === "orders");
    expect(orders.quality_tier).toBe("silver");
    expect(orders.columns).toEqual([
      "order_id",
      "customer_id",
      "status",
      "amount",
      "currency",
      "ordered_at",
    ]);
    expect(orders.quality_checks.map((c: Report) => c.name)).toEqual([
      "customer_exists",
      ...ORDERS_CHECKS.map((c) => c.name),
    ]);
    expect(artifacts.models.map((m: Report) => [m.name, m.quality_tier])).toEqual([
      ["orders", "silver"],
      ["customers", "bronze"],
    ]);

    const run = await floeQuality(["run", "--config", "contract/floe.yaml", "--json"], {
      cwd: dir,
      env,
    });
    const runs = JSON.parse(run.stdout).runs;
    const failed = (r: Report) =>
      r.suite_result.checks
        .filter((c: Report) => c.status === "failed")
        .map((c: Report) => [c.check_name, c.records_failed]);
    // Planted: order 108's customer does not exist; JPY is one order in twelve (8.3% > 5%).
    expect(failed(runs[0])).toEqual([
      ["customer_exists", 1],
      ["currency_supported", 1],
    ]);
    // Planted: ada@example.com twice.
    expect(failed(runs[1])).toEqual([["email_unique", 2]]);
  });
});
