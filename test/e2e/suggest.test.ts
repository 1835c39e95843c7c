// `floe-quality suggest` through the built CLI and the real floe_sql plugin on
// the demo warehouse with its planted defects removed: the suggested checks meet
// the gold gate, all pass on the clean data, compile as a product, and each
// planted defect put back fails exactly the checks that guard against it.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import {
  createDemoWarehouse,
  type DemoTable,
  demoTables,
} from "../../host/src/cli/commands/demo.js";
import { type CliRun, floeQuality, ROOT } from "./support.js";

// Real processes on a shared 2-core machine: generous deadlines, never sleeps.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

const env = { FLOE_LINEAGE_TRANSPORT: "none", FLOE_HISTORY_URL: "none" };
const now = new Date();

type Cell = string | number | null;
/** One planted defect: table, row and column of the demo, its clean value and the defect. */
interface Defect {
  what: string;
  table: string;
  row: number;
  column: string;
  clean: Cell;
  defect: Cell;
  /** The suggested checks the defect must fail, exactly. */
  fails: string[];
}

const DEFECTS: Defect[] = [
  {
    what: "a duplicate email",
    table: "customers",
    row: 7,
    column: "email",
    clean: "ada.king@example.com",
    defect: "ada@example.com",
    fails: ["email_unique"],
  },
  {
    what: "a malformed email",
    table: "customers",
    row: 6,
    column: "email",
    clean: "margaret@example.com",
    defect: "margaret@example",
    fails: ["email_format"],
  },
  {
    what: "an unknown country",
    table: "customers",
    row: 8,
    column: "country_code",
    clean: "US",
    defect: "FI",
    fails: ["country_code_accepted"],
  },
  {
    what: "a referrer that does not exist",
    table: "customers",
    row: 8,
    column: "referred_by",
    clean: 4,
    defect: 42,
    fails: ["referred_by_range", "referred_by_references_customer_id"],
  },
  {
    what: "a negative lifetime value",
    table: "customers",
    row: 9,
    column: "lifetime_value",
    clean: 15,
    defect: -15,
    fails: ["lifetime_value_range"],
  },
  {
    what: "an order of a customer that does not exist",
    table: "orders",
    row: 7,
    column: "customer_id",
    clean: 8,
    defect: 99,
    fails: ["customer_id_range", "customer_id_references_customer_id"],
  },
  {
    what: "an unknown currency",
    table: "orders",
    row: 8,
    column: "currency",
    clean: "USD",
    defect: "JPY",
    fails: ["currency_accepted"],
  },
  {
    what: "an unknown event type",
    table: "order_events",
    row: 13,
    column: "event_type",
    clean: "paid",
    defect: "refunded",
    fails: ["event_type_accepted"],
  },
];

/** The demo tables with every planted defect set to its clean value, except `keep`. */
function tablesWith(keep?: Defect): DemoTable[] {
  const tables = demoTables(now);
  for (const d of DEFECTS) {
    const table = tables.find((t) => t.name === d.table)!;
    const at = table.columns.findIndex(([name]) => name === d.column);
    const row = table.rows[d.row]!;
    expect(row[at]).toBe(d.defect);
    row[at] = d === keep ? d.defect : d.clean;
  }
  return tables;
}

const MODELS = ["customers", "orders", "order_events"];
// biome-ignore lint/suspicious/noExplicitAny: CLI JSON documents as printed
type Json = any;

let dir: string;
const suggested = new Map<string, Json>();
const suggestRuns = new Map<string, CliRun>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-suggest-"));
  await createDemoWarehouse(join(dir, "warehouse.duckdb"), now, tablesWith());
  const shop = await readFile(join(ROOT, "examples/products/shop/floe.yaml"), "utf8");
  await writeFile(
    join(dir, "floe.yaml"),
    shop.replace(".floe/demo/warehouse.duckdb", "warehouse.duckdb"),
  );
  for (const model of MODELS) {
    const run = await floeQuality(
      ["suggest", "--config", "floe.yaml", "--model", model, "--tier", "gold", "--json"],
      { cwd: dir, env },
    );
    suggestRuns.set(model, run);
    if (run.code === 0) suggested.set(model, JSON.parse(run.stdout));
  }
  // The suggested models as one product on the same warehouse.
  await writeFile(
    join(dir, "suggested.yaml"),
    stringify({
      name: "shop",
      compute: { dialect: "duckdb", path: "warehouse.duckdb" },
      models: MODELS.map((m) => suggested.get(m)?.model),
    }),
  );
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("suggest on the clean demo warehouse", () => {
  it.each(MODELS)("proposes checks for %s that meet the gold gate", (model) => {
    const run = suggestRuns.get(model)!;
    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(0);
    const doc = suggested.get(model);
    expect(doc.gate).toMatchObject({
      passed: true,
      tier: "gold",
      coverage_actual: 100,
      missing_tests: [],
    });
    expect(doc.model.tier).toBe("gold");
  });

  it("profiles the table through the plugin: rows, nulls, distinct counts, value sets, patterns", () => {
    const profile = suggested.get("customers").profile;
    expect(profile.rows).toBe(10);
    const column = (name: string) => profile.columns.find((c: Json) => c.name === name);
    expect(column("referred_by")).toMatchObject({ nulls: 5, distinct: 4, min: 1, max: 4 });
    expect(column("country_code")).toMatchObject({ distinct: 3, values: ["GB", "NL", "US"] });
    expect(column("email").patterns).toEqual(["email", "trimmed_text"]);
    expect(column("signup_date")).toMatchObject({ min: "2024-01-05", max: "2024-07-12" });
    expect(column("lifetime_value")).toMatchObject({ min: 15, max: 4200 });
  });

  it("proposes exactly these checks for customers", () => {
    const checks = suggested.get("customers").model.quality_checks;
    expect(checks.map((c: Json) => [c.name, c.type, c.parameters ?? {}])).toEqual([
      ["customers_not_empty", "row_count_between", { min_value: 1 }],
      ["customer_id_not_null", "not_null", {}],
      ["customer_id_unique", "unique", {}],
      ["customer_id_range", "between", { min_value: 1, max_value: 10 }],
      ["email_not_null", "not_null", {}],
      ["email_unique", "unique", {}],
      ["email_format", "regex", { regex: "^[^@[:space:]]+@[^@[:space:]]+[.][A-Za-z]{2,}$" }],
      ["full_name_not_null", "not_null", {}],
      ["full_name_unique", "unique", {}],
      ["full_name_format", "regex", { regex: "^[^[:space:]](.*[^[:space:]])?$" }],
      ["country_code_not_null", "not_null", {}],
      ["country_code_accepted", "accepted_values", { values: ["GB", "NL", "US"] }],
      ["segment_not_null", "not_null", {}],
      ["segment_accepted", "accepted_values", { values: ["business", "consumer", "enterprise"] }],
      ["referred_by_range", "between", { min_value: 1, max_value: 4 }],
      [
        "referred_by_references_customer_id",
        "relationships",
        { to: "customers", field: "customer_id" },
      ],
      ["signup_date_not_null", "not_null", {}],
      ["signup_date_since", "between", { min_value: "2024-01-05" }],
      ["lifetime_value_not_null", "not_null", {}],
      ["lifetime_value_range", "between", { min_value: 15, max_value: 4200 }],
    ]);
  });

  it("all pass on the clean data, compiled as a gold product", async () => {
    const run = await floeQuality(["run", "--config", "suggested.yaml", "--json"], {
      cwd: dir,
      env,
    });
    expect(run.stderr).not.toContain("FLOE-DQ10");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    for (const r of report.runs) {
      expect(r.quality_tier).toBe("gold");
      expect(r.gate.passed).toBe(true);
      const notPassed = r.suite_result.checks.filter((c: Json) => c.status !== "passed");
      expect(notPassed).toEqual([]);
    }
    expect(report.runs.map((r: Json) => [r.model, r.verdict, r.score.overall])).toEqual([
      ["customers", "pass", 100],
      ["orders", "pass", 100],
      ["order_events", "pass", 100],
    ]);
  });

  it.each(DEFECTS.map((d) => [d.what, d] as const))(
    "fail when the planted defect is put back: %s",
    async (_, defect) => {
      const warehouse = `warehouse-${DEFECTS.indexOf(defect)}.duckdb`;
      await createDemoWarehouse(join(dir, warehouse), now, tablesWith(defect));
      const product = (await readFile(join(dir, "suggested.yaml"), "utf8")).replace(
        "path: warehouse.duckdb",
        `path: ${warehouse}`,
      );
      const file = `suggested-${DEFECTS.indexOf(defect)}.yaml`;
      await writeFile(join(dir, file), product);
      expect(parse(product).compute.path).toBe(warehouse);
      const run = await floeQuality(["run", "--config", file, "--model", defect.table, "--json"], {
        cwd: dir,
        env,
      });
      const report = JSON.parse(run.stdout);
      const failed = report.suite_result.checks
        .filter((c: Json) => c.status !== "passed")
        .map((c: Json) => [c.check_name, c.status]);
      expect(failed).toEqual(defect.fails.map((name) => [name, "failed"]));
    },
  );
});

describe("suggest with sensitive columns", () => {
  it("writes no value of a sensitive column: no value set, no range, masked profile values", async () => {
    await writeFile(
      join(dir, "sensitive.yaml"),
      stringify({
        name: "shop",
        compute: { dialect: "duckdb", path: "warehouse.duckdb" },
        quality: { sensitive_columns: ["customers.lifetime_value", "segment"] },
        models: [{ name: "customers" }],
      }),
    );
    const run = await floeQuality(
      ["suggest", "--config", "sensitive.yaml", "--model", "customers", "--json"],
      { cwd: dir, env },
    );
    expect(run.code).toBe(0);
    for (const value of ["business", "consumer", "enterprise", "4200", "120.5"]) {
      expect(run.stdout).not.toContain(value);
    }
    const doc = JSON.parse(run.stdout);
    const on = (column: string) =>
      doc.model.quality_checks.filter((c: Json) => c.column === column).map((c: Json) => c.name);
    expect(on("segment")).toEqual(["segment_not_null", "segment_format"]);
    expect(on("lifetime_value")).toEqual(["lifetime_value_not_null"]);
    const segment = doc.profile.columns.find((c: Json) => c.name === "segment");
    expect(segment.values).toHaveLength(3);
    for (const v of segment.values) expect(v).toMatch(/^masked:[0-9a-f]{16}$/);
  });
});

describe("suggest when it cannot meet the gate or cannot run", () => {
  const withModels = async (file: string, warehouse: string, models: unknown[]) =>
    writeFile(
      join(dir, file),
      stringify({ name: "shop", compute: { dialect: "duckdb", path: warehouse }, models }),
    );

  it("prints what it found and names the required type no check can give, with the defects planted", async () => {
    await createDemoWarehouse(join(dir, "defects.duckdb"), now);
    await withModels("defects.yaml", "defects.duckdb", [{ name: "customers" }]);
    const run = await floeQuality(
      ["suggest", "--config", "defects.yaml", "--model", "customers", "--tier", "gold"],
      { cwd: dir, env },
    );
    expect(run.code).toBe(1);
    // The referrer 42 exists nowhere: no relationships check holds.
    expect(run.stdout).toContain(
      "# gold gate: coverage 100% (needs 100%), NOT met: the gold gate requires check types missing here: relationships\n",
    );
    expect(parse(run.stdout).models[0].quality_checks).toHaveLength(18);
    expect(run.stderr).toContain(
      "error FLOE-DQ104 models.customers: no check the data of model customers passes meets the gold gate: the gold gate requires check types missing here: relationships\n",
    );
  });

  it("exits 2 on a listed column the table lacks (FLOE-DQ105) and on an unknown model", async () => {
    await withModels("columns.yaml", "warehouse.duckdb", [
      { name: "customers", columns: ["customer_id", "nickname"] },
    ]);
    const column = await floeQuality(
      ["suggest", "--config", "columns.yaml", "--model", "customers"],
      { cwd: dir, env },
    );
    expect(column.code).toBe(2);
    expect(column.stdout).toBe("");
    expect(column.stderr).toContain(
      'error FLOE-DQ105 models.customers.columns: column "nickname" of model customers is not in customers',
    );
    const model = await floeQuality(["suggest", "--config", "columns.yaml", "--model", "clients"], {
      cwd: dir,
      env,
    });
    expect(model.code).toBe(2);
    expect(model.stderr).toContain(
      "model 'clients' is not in the compiled artifacts of product shop (models: customers)",
    );
    const tier = await floeQuality(
      ["suggest", "--config", "columns.yaml", "--model", "customers", "--tier", "platinum"],
      { cwd: dir, env },
    );
    expect(tier.code).toBe(2);
    expect(tier.stderr).toBe(
      "floe-quality suggest: --tier must be bronze, silver or gold, got 'platinum'\n",
    );
  });

  it("exits 3 when the relation is not in the warehouse (FLOE-DQ108)", async () => {
    await withModels("ghost.yaml", "warehouse.duckdb", [{ name: "ghost" }]);
    const run = await floeQuality(["suggest", "--config", "ghost.yaml", "--model", "ghost"], {
      cwd: dir,
      env,
    });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(
      "error FLOE-DQ108 models.ghost.relation: relation ghost of model ghost is not in the warehouse",
    );
  });
});
