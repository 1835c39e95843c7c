// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} references are part of what is tested
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  CompiledArtifactsSchema,
  type CompileInput,
  compileProject,
  writeArtifacts,
} from "../src/compile/index.js";
import { type Diagnostic, FloeError } from "../src/errors/index.js";
import { readArtifactsFile as readArtifacts } from "../src/runtime/artifacts.js";

const EXAMPLES = resolve(import.meta.dirname, "../../examples");
const source = (path: string) => ({
  file: `examples/${path}`,
  text: readFileSync(join(EXAMPLES, path), "utf8"),
});
const ENTERPRISE = source("manifest.yaml");
const DOMAIN = source("domains/sales/manifest.yaml");
const PRODUCT = source("products/shop/floe.yaml");
const PROVIDERS = ["dbt_expectations", "floe_sql", "great_expectations"];

function example(changes: Partial<CompileInput> = {}): CompileInput {
  return {
    enterprise: ENTERPRISE,
    domain: DOMAIN,
    product: PRODUCT,
    knownProviders: PROVIDERS,
    ...changes,
  };
}

/** The example text with `from` replaced by `to` (which must occur exactly once). */
function edited(src: { file: string; text: string }, from: string, to: string) {
  expect(src.text.split(from)).toHaveLength(2);
  return { file: src.file, text: src.text.replace(from, to) };
}

/** The example product with a structural change made to its parsed form. */
function productWith(
  change: (product: {
    models: {
      name: string;
      columns?: string[];
      quality_checks: { name: string; parameters?: Record<string, unknown> }[];
    }[];
  }) => void,
) {
  const product = parse(PRODUCT.text);
  change(product);
  return { file: PRODUCT.file, text: stringify(product) };
}

function dropChecks(modelName: string, ...names: string[]) {
  return productWith((p) => {
    const model = p.models.find((m) => m.name === modelName)!;
    model.quality_checks = model.quality_checks.filter((c) => !names.includes(c.name));
  });
}

function errors(input: CompileInput): Diagnostic[] {
  const result = compileProject(input);
  expect(result.ok).toBe(false);
  return result.diagnostics.filter((d) => d.level === "error");
}

describe("compileProject on the example", () => {
  it("compiles cleanly into artifacts version 0.4.0", () => {
    const result = compileProject(example());
    expect(result.diagnostics).toEqual([]);
    if (!result.ok) throw new Error("the example must compile");
    const { artifacts } = result;
    expect(artifacts.version).toBe("0.4.0");
    expect(artifacts.product).toEqual({
      name: "shop",
      compute: { dialect: "duckdb", path: ".floe/demo/warehouse.duckdb" },
    });
    expect(artifacts.quality_config.provider).toBe("floe_sql");
    expect(artifacts.quality_config.thresholds).toEqual({ min_score: 60, warn_score: 85 });
    expect(artifacts.quality_config.check_timeout_seconds).toBe(120);
    expect(artifacts.quality_config.quality_gates.silver.min_test_coverage).toBe(85);
    expect(artifacts.quality_config.overrides).toEqual({
      "quality_gates.gold": { overridable: false },
      dimension_weights: { overridable: false },
      "thresholds.min_score": { overridable: false },
    });
    expect(
      artifacts.models.map((m) => [
        m.name,
        m.quality_tier,
        m.relation,
        m.columns_source,
        m.quality_checks.length,
      ]),
    ).toEqual([
      ["customers", "gold", "customers", "product", 13],
      ["orders", "silver", "main.orders", "product", 10],
      ["order_events", "bronze", "order_events", "product", 5],
    ]);
    expect(artifacts.gates).toEqual([
      {
        passed: true,
        tier: "gold",
        coverage_actual: 100,
        coverage_required: 100,
        missing_tests: [],
        violations: [],
        model_name: "customers",
      },
      {
        passed: true,
        tier: "silver",
        coverage_actual: 100,
        coverage_required: 85,
        missing_tests: [],
        violations: [],
        model_name: "orders",
      },
      {
        passed: true,
        tier: "bronze",
        coverage_actual: 80,
        coverage_required: 0,
        missing_tests: [],
        violations: [],
        model_name: "order_events",
      },
    ]);
    expect(CompiledArtifactsSchema.parse(artifacts)).toEqual(artifacts);
  });

  it("resolves aliases in the artifacts: GX and dbt-expectations names become floe types", () => {
    const result = compileProject(example());
    if (!result.ok) throw new Error("the example must compile");
    const orders = result.artifacts.models[1]!;
    expect(orders.quality_checks.find((c) => c.name === "status_known")).toEqual({
      name: "status_known",
      type: "accepted_values",
      column: "status",
      dimension: "validity",
      severity: "warning",
      parameters: { values: ["placed", "shipped", "delivered", "cancelled", "returned"] },
      enabled: true,
    });
    const events = result.artifacts.models[2]!;
    expect(events.quality_checks.find((c) => c.name === "event_unique_per_order")).toMatchObject({
      type: "compound_unique",
      parameters: { columns: ["order_id", "event_type", "occurred_at"] },
    });
  });

  it("compiles without the domain layer", () => {
    const result = compileProject(example({ domain: undefined }));
    expect(result.ok && result.artifacts.quality_config.thresholds).toEqual({
      min_score: 60,
      warn_score: 80,
    });
  });
});

describe("compileProject on broken variants", () => {
  it("weights summing to 0.9: FLOE-DQ100 naming the sum and the line", () => {
    expect(
      errors(example({ enterprise: edited(ENTERPRISE, "timeliness: 0.15", "timeliness: 0.05") })),
    ).toEqual([
      {
        code: "FLOE-DQ100",
        level: "error",
        file: "examples/manifest.yaml:10:5",
        path: "quality.dimension_weights",
        message: "dimension weights sum to 0.9, not 1",
        fix: "Make completeness, accuracy, validity, consistency and timeliness sum to 1.",
      },
    ]);
  });

  it("unknown column: FLOE-DQ105 at the check's column, with did-you-mean", () => {
    const diagnostics = errors(
      example({ product: edited(PRODUCT, "column: full_name", "column: fullname") }),
    );
    expect(diagnostics[0]).toMatchObject({
      code: "FLOE-DQ105",
      path: "models[0].quality_checks[5].column",
      message:
        "model customers, check full_name_length: unknown column 'fullname' (did you mean 'full_name'?)",
    });
    expect(diagnostics[0]!.file).toMatch(/^examples\/products\/shop\/floe\.yaml:\d+:\d+$/);
    // full_name lost its only check: the gold gate's 100 % coverage fails too.
    expect(diagnostics.map((d) => d.code)).toEqual(["FLOE-DQ105", "FLOE-DQ103"]);
  });

  it("unknown column in a column parameter and in a relationship's field", () => {
    const product = productWith((p) => {
      const [customers, orders] = p.models;
      customers!.quality_checks[8]!.parameters!.field = "customerid";
      orders!.quality_checks[8]!.parameters!.column_b = "order_at";
    });
    expect(errors(example({ product })).map((d) => [d.code, d.path])).toEqual([
      ["FLOE-DQ105", "models[1].quality_checks[8].parameters.column_b"],
      ["FLOE-DQ105", "models[0].quality_checks[8].parameters.field"],
    ]);
  });

  it("gold model missing a required unique: FLOE-DQ104", () => {
    expect(
      errors(example({ product: dropChecks("customers", "customer_id_unique", "email_unique") })),
    ).toEqual([
      {
        code: "FLOE-DQ104",
        level: "error",
        file: expect.stringMatching(/^examples\/products\/shop\/floe\.yaml:\d+:\d+$/),
        path: "models[0].quality_checks",
        message: "model customers: the gold gate requires check types missing here: unique",
        fix: "Add enabled checks of type unique to customers.",
      },
    ]);
  });

  it("coverage below the gate: FLOE-DQ103 with actual and required coverage", () => {
    const diagnostics = errors(
      example({ product: dropChecks("orders", "status_known", "currency_known") }),
    );
    expect(diagnostics.map((d) => [d.code, d.path, d.message])).toEqual([
      [
        "FLOE-DQ103",
        "models[1].quality_checks",
        "model orders: test coverage 71.43% is below the silver gate's 85%",
      ],
    ]);
  });

  it("a disabled check does not count toward coverage", () => {
    const product = edited(
      PRODUCT,
      "      - name: currency_known\n",
      "      - name: currency_known\n        enabled: false\n",
    );
    const first = edited(
      product,
      "      - name: status_known\n",
      "      - name: status_known\n        enabled: false\n",
    );
    expect(errors(example({ product: first })).map((d) => d.code)).toEqual(["FLOE-DQ103"]);
  });

  it("locked override: FLOE-DQ107 with the exact path, the locking layer and the file that tried", () => {
    const product = edited(
      PRODUCT,
      "quality:\n  check_timeout_seconds: 120\n",
      "quality:\n  check_timeout_seconds: 120\n  dimension_weights: {accuracy: 0.3}\n",
    );
    expect(errors(example({ product }))).toEqual([
      {
        code: "FLOE-DQ107",
        level: "error",
        file: "examples/products/shop/floe.yaml:8:33",
        path: "quality.dimension_weights.accuracy",
        message:
          "quality.dimension_weights.accuracy is locked by the enterprise layer (examples/manifest.yaml: quality.overrides.dimension_weights); " +
          "examples/products/shop/floe.yaml sets it to 0.3, the locked value is 0.25",
        fix: "Remove quality.dimension_weights.accuracy from examples/products/shop/floe.yaml (or set it to the locked value); only examples/manifest.yaml can change it.",
      },
    ]);
  });

  it("a domain lock stops the product: thresholds.min_score", () => {
    const product = edited(
      PRODUCT,
      "quality:\n  check_timeout_seconds: 120\n",
      "quality:\n  check_timeout_seconds: 120\n  thresholds: {min_score: 10}\n",
    );
    expect(errors(example({ product })).map((d) => [d.code, d.path])).toEqual([
      ["FLOE-DQ107", "quality.thresholds.min_score"],
    ]);
    expect(errors(example({ product }))[0]!.message).toContain(
      "locked by the domain layer (examples/domains/sales/manifest.yaml: quality.overrides.thresholds.min_score)",
    );
  });

  it("the locked gold tier stops a domain relaxing it", () => {
    const domain = edited(
      DOMAIN,
      "    silver: { min_test_coverage: 85 }\n",
      "    silver: { min_test_coverage: 85 }\n    gold: {min_test_coverage: 50}\n",
    );
    expect(errors(example({ domain })).map((d) => [d.code, d.file, d.path])).toEqual([
      [
        "FLOE-DQ107",
        "examples/domains/sales/manifest.yaml:10:31",
        "quality.quality_gates.gold.min_test_coverage",
      ],
    ]);
  });

  it("unknown provider: FLOE-DQ001 listing the known ones", () => {
    expect(
      errors(
        example({ enterprise: edited(ENTERPRISE, "provider: floe_sql", "provider: floe_sqll") }),
      ),
    ).toEqual([
      {
        code: "FLOE-DQ001",
        level: "error",
        file: "examples/manifest.yaml:7:15",
        path: "plugins.quality.provider",
        message:
          "unknown quality provider 'floe_sqll' (did you mean 'floe_sql'?); known providers: dbt_expectations, floe_sql, great_expectations",
        fix: "Set plugins.quality.provider to one of: dbt_expectations, floe_sql, great_expectations (floe-quality plugins list).",
      },
    ]);
  });

  it("no provider in any layer: FLOE-DQ001 listing the known ones", () => {
    const enterprise = edited(ENTERPRISE, "plugins:\n  quality:\n    provider: floe_sql\n", "");
    expect(errors(example({ enterprise }))).toEqual([
      {
        code: "FLOE-DQ001",
        level: "error",
        file: "examples/manifest.yaml",
        path: "plugins.quality.provider",
        message:
          "no quality provider: no layer sets plugins.quality.provider; known providers: dbt_expectations, floe_sql, great_expectations",
        fix: "Set plugins.quality.provider in the enterprise manifest (for example floe_sql).",
      },
    ]);
  });

  it("malformed YAML: FLOE-DQ100 with the line number", () => {
    const diagnostics = errors(
      example({ domain: edited(DOMAIN, "    warn_score: 85\n", "    warn_score: [85\n") }),
    );
    expect(diagnostics[0]!.code).toBe("FLOE-DQ100");
    expect(diagnostics[0]!.file).toMatch(/^examples\/domains\/sales\/manifest\.yaml:8:\d+$/);
    expect(diagnostics[0]!.message).toMatch(/^not valid YAML\/JSON: /);
  });

  it("collects the problems of every file before failing", () => {
    const diagnostics = errors(
      example({
        enterprise: edited(ENTERPRISE, "check_timeout_seconds: 300", "check_timeout_secs: 300"),
        product: edited(
          PRODUCT,
          "type: not_null, column: event_id",
          "type: not_nul, column: event_id",
        ),
      }),
    );
    expect(diagnostics.map((d) => [d.code, d.path, d.message])).toEqual([
      [
        "FLOE-DQ100",
        "quality.check_timeout_secs",
        "unknown key 'check_timeout_secs' (did you mean 'check_timeout_seconds'?)",
      ],
      [
        "FLOE-DQ101",
        "models[2].quality_checks[0].type",
        "unknown check type 'not_nul' (did you mean 'not_null'?)",
      ],
    ]);
  });

  it("collects merge, column and gate problems together", () => {
    const product = edited(
      edited(PRODUCT, "column: full_name", "column: fullname"),
      "quality:\n  check_timeout_seconds: 120\n",
      "quality:\n  check_timeout_seconds: 120\n  thresholds: {min_score: 10}\n",
    );
    expect(errors(example({ product })).map((d) => d.code)).toEqual([
      "FLOE-DQ107",
      "FLOE-DQ105",
      "FLOE-DQ103",
    ]);
  });
});

describe("model columns", () => {
  const dbtManifest = (nodes: Record<string, unknown>) => ({
    file: "target/manifest.json",
    text: JSON.stringify({
      metadata: { dbt_schema_version: "https://schemas.getdbt.com/dbt/manifest/v12.json" },
      nodes,
    }),
  });
  const withoutColumns = productWith((p) => {
    for (const m of p.models) delete m.columns;
  });

  it("come from the dbt manifest when floe.yaml does not list them", () => {
    const manifest = dbtManifest({
      "model.shop.customers": {
        resource_type: "model",
        name: "customers",
        columns: Object.fromEntries(
          [
            "customer_id",
            "email",
            "full_name",
            "country_code",
            "segment",
            "referred_by",
            "signup_date",
            "lifetime_value",
          ].map((c) => [c, { name: c, data_type: null }]),
        ),
      },
      "model.shop.orders": {
        resource_type: "model",
        name: "orders",
        columns: { order_id: { name: "order_id" } },
      },
      "test.shop.unique_orders_order_id": {
        resource_type: "test",
        name: "unique_orders_order_id",
        columns: {},
      },
    });
    const result = compileProject(example({ product: withoutColumns, dbtManifest: manifest }));
    // orders' manifest lists one column: its checks name six others.
    expect(result.ok).toBe(false);
    expect(
      result.diagnostics.filter((d) => d.level === "error").map((d) => [d.code, d.path]),
    ).toEqual([
      ["FLOE-DQ105", "models[1].quality_checks[2].column"],
      ["FLOE-DQ105", "models[1].quality_checks[3].column"],
      ["FLOE-DQ105", "models[1].quality_checks[4].column"],
      ["FLOE-DQ105", "models[1].quality_checks[5].column"],
      ["FLOE-DQ105", "models[1].quality_checks[6].column"],
      ["FLOE-DQ105", "models[1].quality_checks[7].column"],
      ["FLOE-DQ105", "models[1].quality_checks[8].parameters.column_a"],
      ["FLOE-DQ105", "models[1].quality_checks[8].parameters.column_b"],
      ["FLOE-DQ105", "models[1].quality_checks[9].column"],
    ]);
    expect(
      result.diagnostics.filter((d) => d.level === "warning").map((d) => [d.code, d.path]),
    ).toEqual([["FLOE-DQ105", "models[2].name"]]);
  });

  it("unknown columns are a warning, and coverage counts the columns the checks name", () => {
    const result = compileProject(example({ product: withoutColumns }));
    expect(result.diagnostics.map((d) => [d.level, d.code, d.path])).toEqual([
      ["warning", "FLOE-DQ105", "models[0].name"],
      ["warning", "FLOE-DQ105", "models[1].name"],
      ["warning", "FLOE-DQ105", "models[2].name"],
    ]);
    expect(result.diagnostics[0]!.message).toBe(
      "model customers: floe.yaml does not list its columns, so column references are not checked and coverage counts only the columns the checks name",
    );
    if (!result.ok) throw new Error("unknown columns must not fail the compile");
    expect(result.artifacts.models.map((m) => [m.columns, m.columns_source])).toEqual([
      [null, "unknown"],
      [null, "unknown"],
      [null, "unknown"],
    ]);
    expect(result.artifacts.gates.map((g) => g.coverage_actual)).toEqual([100, 100, 100]);
  });

  it("a broken dbt manifest is FLOE-DQ100 naming it", () => {
    expect(
      errors(example({ dbtManifest: { file: "target/manifest.json", text: "{nodes" } }))[0],
    ).toMatchObject({
      code: "FLOE-DQ100",
      file: "target/manifest.json",
    });
  });
});

describe("secrets", () => {
  it("keeps ${env:NAME} references as written, never their values", () => {
    process.env.FLOE_TEST_PGPASSWORD = "s3cret-value";
    try {
      const product = edited(
        PRODUCT,
        "compute:\n  dialect: duckdb\n  path: .floe/demo/warehouse.duckdb\n",
        "compute:\n  dialect: postgres\n  host: localhost\n  port: ${env:FLOE_TEST_PGPORT}\n  database: shop\n  user: etl\n  password: ${env:FLOE_TEST_PGPASSWORD}\n",
      );
      const result = compileProject(example({ product }));
      if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
      expect(result.artifacts.product.compute).toEqual({
        dialect: "postgres",
        host: "localhost",
        port: "${env:FLOE_TEST_PGPORT}",
        database: "shop",
        user: "etl",
        password: "${env:FLOE_TEST_PGPASSWORD}",
      });
      expect(JSON.stringify(result.artifacts)).not.toContain("s3cret-value");
    } finally {
      delete process.env.FLOE_TEST_PGPASSWORD;
    }
  });
});

describe("artifacts on disk", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "floe-artifacts-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("are written atomically (no temp file left) and read back equal", async () => {
    const result = compileProject(example());
    if (!result.ok) throw new Error("the example must compile");
    const file = join(dir, "nested", "compiled_artifacts.json");
    await writeArtifacts(file, result.artifacts);
    await writeArtifacts(file, result.artifacts);
    expect(await readdir(join(dir, "nested"))).toEqual(["compiled_artifacts.json"]);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(result.artifacts);
    expect(await readArtifacts(file)).toEqual(result.artifacts);
  });

  it("another contract version is rejected with FLOE-DQ100", async () => {
    const result = compileProject(example());
    if (!result.ok) throw new Error("the example must compile");
    const file = join(dir, "old.json");
    await writeFile(file, JSON.stringify({ ...result.artifacts, version: "0.3.0" }, null, 2));
    const error = await readArtifacts(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FloeError);
    expect({ ...(error as FloeError), message: (error as FloeError).message }).toEqual({
      name: "FloeError",
      code: "FLOE-DQ100",
      file: `${file}:2:14`,
      path: "version",
      message: 'compiled artifacts of contract version "0.3.0"; this host reads 0.4.0',
      fix: "Recompile with this floe-quality (floe-quality compile) to get 0.4.0 artifacts.",
    });
  });
});
