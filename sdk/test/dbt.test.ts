import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DbtTestResult,
  dimensionOfDbtTest,
  FloeError,
  parseDbtTestResults,
  readDbtTestResults,
} from "../src/index.js";

const FIXTURES = join(import.meta.dirname, "fixtures", "dbt");
const RUN_RESULTS = join(FIXTURES, "run_results.json");
const MANIFEST = join(FIXTURES, "manifest.json");

let runText: string;
let manifestText: string;
beforeAll(async () => {
  runText = await readFile(RUN_RESULTS, "utf8");
  manifestText = await readFile(MANIFEST, "utf8");
});

/** The FloeError `fn` throws, for asserting its code, file, path and message. */
function thrown(fn: () => unknown): FloeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FloeError) return error;
    throw error;
  }
  throw new Error("expected a FloeError");
}

function withRun(mutate: (run: { results: Record<string, unknown>[] }) => void): string {
  const run = JSON.parse(runText);
  mutate(run);
  return JSON.stringify(run);
}

function withManifest(mutate: (m: { nodes: Record<string, Record<string, unknown>> }) => void) {
  const manifest = JSON.parse(manifestText);
  mutate(manifest);
  return JSON.stringify(manifest);
}

const EXPECTED: DbtTestResult[] = [
  {
    check_name: "not_null_orders_order_id",
    passed: true,
    status: "passed",
    dimension: "completeness",
    severity: "critical",
    records_failed: 0,
    execution_time_ms: 500,
    check_type: "not_null",
    column: "order_id",
    error_message: null,
    model: "orders",
    unique_id: "test.shop.not_null_orders_order_id.1a2b3c4d5e",
    test_name: "not_null",
    dbt_status: "pass",
  },
  {
    check_name: "unique_orders_order_id",
    passed: false,
    status: "failed",
    dimension: "consistency",
    severity: "critical",
    records_failed: 3,
    execution_time_ms: 250,
    check_type: "unique",
    column: "order_id",
    error_message: null,
    model: "orders",
    unique_id: "test.shop.unique_orders_order_id.2b3c4d5e6f",
    test_name: "unique",
    dbt_status: "fail",
  },
  {
    check_name: "accepted_values_orders_status__placed__shipped",
    passed: false,
    status: "failed",
    dimension: "validity",
    severity: "warning",
    records_failed: 2,
    execution_time_ms: 125,
    check_type: "accepted_values",
    column: "status",
    error_message: null,
    model: "orders",
    unique_id: "test.shop.accepted_values_orders_status__placed__shipped.3c4d5e6f7a",
    test_name: "accepted_values",
    dbt_status: "warn",
  },
  {
    check_name: "relationships_orders_customer_id__customer_id__ref_customers_",
    passed: false,
    status: "error",
    dimension: "consistency",
    severity: "critical",
    records_failed: 0,
    execution_time_ms: 62.5,
    check_type: "relationships",
    column: "customer_id",
    error_message:
      'Database Error in test relationships_orders_customer_id (models/schema.yml)\n  relation "analytics.customers" does not exist',
    model: "orders",
    unique_id: "test.shop.relationships_orders_customer_id__customer_id__ref_customers_.4d5e6f7a8b",
    test_name: "relationships",
    dbt_status: "error",
  },
  {
    check_name: "amount_in_range",
    passed: true,
    status: "passed",
    dimension: "accuracy",
    severity: "critical",
    records_failed: 0,
    execution_time_ms: 1500,
    check_type: "between",
    column: "amount",
    error_message: null,
    model: "orders",
    unique_id:
      "test.shop.dbt_expectations_expect_column_values_to_be_between_orders_amount__0.5e6f7a8b9c",
    test_name: "expect_column_values_to_be_between",
    dbt_status: "pass",
  },
  {
    check_name: "not_null_customers_email",
    passed: false,
    status: "failed",
    dimension: "validity",
    severity: "info",
    records_failed: 5,
    execution_time_ms: 500,
    check_type: "not_null",
    column: "email",
    error_message: null,
    model: "customers",
    unique_id: "test.shop.not_null_customers_email.6f7a8b9c0d",
    test_name: "not_null",
    dbt_status: "fail",
  },
  {
    check_name: "assert_orders_total_positive",
    passed: false,
    status: "skipped",
    dimension: "validity",
    severity: "critical",
    records_failed: 0,
    execution_time_ms: 0,
    check_type: null,
    column: null,
    error_message: null,
    model: "orders",
    unique_id: "test.shop.assert_orders_total_positive",
    test_name: null,
    dbt_status: "skipped",
  },
  {
    check_name: "dbt_utils_accepted_range_orders_amount__0",
    passed: true,
    status: "passed",
    dimension: "validity",
    severity: "critical",
    records_failed: 0,
    execution_time_ms: 250,
    check_type: null,
    column: "amount",
    error_message: null,
    model: "orders",
    unique_id: "test.shop.dbt_utils_accepted_range_orders_amount__0.7a8b9c0d1e",
    test_name: "accepted_range",
    dbt_status: "pass",
  },
];

describe("parseDbtTestResults", () => {
  it("turns every dbt test of a run into a floe check result, leaving models and unit tests out", () => {
    expect(parseDbtTestResults(runText, manifestText)).toEqual(EXPECTED);
  });

  it("keeps only the tests of the requested model", () => {
    const orders = parseDbtTestResults(runText, manifestText, { model: "orders" });
    expect(orders.map((t) => t.check_name)).toEqual([
      "not_null_orders_order_id",
      "unique_orders_order_id",
      "accepted_values_orders_status__placed__shipped",
      "relationships_orders_customer_id__customer_id__ref_customers_",
      "amount_in_range",
      "assert_orders_total_positive",
      "dbt_utils_accepted_range_orders_amount__0",
    ]);
    const customers = parseDbtTestResults(runText, manifestText, { model: "customers" });
    expect(customers.map((t) => t.check_name)).toEqual(["not_null_customers_email"]);
    expect(parseDbtTestResults(runText, manifestText, { model: "payments" })).toEqual([]);
  });

  it("scores a dbt warn as a failure at severity warning, even when configured as error", () => {
    const run = withRun((r) => {
      const unique = r.results[2] as Record<string, unknown>;
      unique.status = "warn";
    });
    const unique = parseDbtTestResults(run, manifestText)[1];
    expect([unique?.status, unique?.passed, unique?.severity, unique?.records_failed]).toEqual([
      "failed",
      false,
      "warning",
      3,
    ]);
  });

  it("gives a passing test configured with severity warn the severity warning", () => {
    const run = withRun((r) => {
      const accepted = r.results[3] as Record<string, unknown>;
      accepted.status = "pass";
      accepted.failures = 0;
    });
    const accepted = parseDbtTestResults(run, manifestText)[2];
    expect([accepted?.status, accepted?.severity]).toEqual(["passed", "warning"]);
  });

  it("maps a runtime error to status error", () => {
    const run = withRun((r) => {
      (r.results[1] as Record<string, unknown>).status = "runtime error";
    });
    expect(parseDbtTestResults(run, manifestText)[0]?.status).toBe("error");
  });

  it("finds the model through depends_on when attached_node is absent", () => {
    const manifest = withManifest((m) => {
      const node = m.nodes["test.shop.unique_orders_order_id.2b3c4d5e6f"] as Record<
        string,
        unknown
      >;
      delete node.attached_node;
    });
    expect(parseDbtTestResults(runText, manifest)[1]?.model).toBe("orders");
  });

  it("leaves the model unknown for a test over two models without attached_node", () => {
    const id = "test.shop.relationships_orders_customer_id__customer_id__ref_customers_.4d5e6f7a8b";
    const manifest = withManifest((m) => {
      delete (m.nodes[id] as Record<string, unknown>).attached_node;
    });
    expect(parseDbtTestResults(runText, manifest)[3]?.model).toBe(null);
    expect(
      parseDbtTestResults(runText, manifest, { model: "orders" }).map((t) => t.unique_id),
    ).not.toContain(id);
  });

  it("finds the model through the test's model argument when attached_node is absent", () => {
    const id = "test.shop.relationships_orders_customer_id__customer_id__ref_customers_.4d5e6f7a8b";
    const manifest = (model: string) =>
      withManifest((m) => {
        const node = m.nodes[id] as { attached_node?: string; test_metadata: { kwargs: object } };
        delete node.attached_node;
        node.test_metadata.kwargs = { ...node.test_metadata.kwargs, model };
      });
    const modelOf = (model: string) => parseDbtTestResults(runText, manifest(model))[3]?.model;
    expect(modelOf("{{ get_where_subquery(ref('orders')) }}")).toBe("orders");
    expect(modelOf('{{ get_where_subquery(ref("shop", "orders")) }}')).toBe("orders");
    expect(modelOf("{{ get_where_subquery(source('raw', 'orders_raw')) }}")).toBe("orders_raw");
  });

  it("names the file of a truncated run_results.json", () => {
    const e = thrown(() =>
      parseDbtTestResults(runText.slice(0, 700), manifestText, {
        runResultsFile: "target/run_results.json",
      }),
    );
    expect(e.code).toBe("FLOE-DQ100");
    expect(e.file).toBe("target/run_results.json");
    expect(e.message).toMatch(/^not valid JSON \(corrupt or truncated\): /);
  });

  it("names the file of a corrupt manifest.json", () => {
    const e = thrown(() => parseDbtTestResults(runText, '{"metadata": {]}'));
    expect(e.code).toBe("FLOE-DQ100");
    expect(e.file).toBe("manifest.json");
    expect(e.message).toMatch(/^not valid JSON \(corrupt or truncated\): /);
  });

  it("reports an empty artifact", () => {
    const e = thrown(() => parseDbtTestResults("  \n", manifestText));
    expect([e.code, e.file, e.message]).toEqual([
      "FLOE-DQ100",
      "run_results.json",
      "the file is empty",
    ]);
  });

  it("reports swapped files by their schema version", () => {
    const e = thrown(() => parseDbtTestResults(manifestText, runText));
    expect(e.code).toBe("FLOE-DQ100");
    expect(e.path).toBe("metadata.dbt_schema_version");
    expect(e.message).toBe(
      "holds https://schemas.getdbt.com/dbt/manifest/v12.json, not a dbt run-results artifact",
    );
    const twice = thrown(() => parseDbtTestResults(runText, runText));
    expect([twice.file, twice.message]).toEqual([
      "manifest.json",
      "holds https://schemas.getdbt.com/dbt/run-results/v6.json, not a dbt manifest artifact",
    ]);
  });

  it("names the field of a mistyped value", () => {
    const run = withRun((r) => {
      (r.results[2] as Record<string, unknown>).failures = "3";
    });
    const e = thrown(() => parseDbtTestResults(run, manifestText));
    expect([e.code, e.file, e.path]).toEqual([
      "FLOE-DQ100",
      "run_results.json",
      "results[2].failures",
    ]);
  });

  it("reports a test missing from the manifest", () => {
    const manifest = withManifest((m) => {
      delete m.nodes["test.shop.unique_orders_order_id.2b3c4d5e6f"];
    });
    const e = thrown(() => parseDbtTestResults(runText, manifest));
    expect([e.code, e.file, e.path, e.message]).toEqual([
      "FLOE-DQ100",
      "run_results.json",
      "results[2].unique_id",
      "test test.shop.unique_orders_order_id.2b3c4d5e6f is not in manifest.json",
    ]);
  });

  it("rejects an unknown meta.dimension with FLOE-DQ101 at the test's meta", () => {
    const id = "test.shop.not_null_orders_order_id.1a2b3c4d5e";
    const manifest = withManifest((m) => {
      (m.nodes[id] as Record<string, unknown>).meta = { dimension: "freshness" };
    });
    const e = thrown(() => parseDbtTestResults(runText, manifest));
    expect([e.code, e.file, e.path, e.message]).toEqual([
      "FLOE-DQ101",
      "manifest.json",
      `nodes["${id}"].meta.dimension`,
      '"freshness" is not one of completeness, accuracy, validity, consistency, timeliness',
    ]);
  });

  it("reports an unknown dbt status", () => {
    const run = withRun((r) => {
      (r.results[1] as Record<string, unknown>).status = "success";
    });
    const e = thrown(() => parseDbtTestResults(run, manifestText));
    expect([e.code, e.path]).toEqual(["FLOE-DQ100", "results[1].status"]);
  });
});

describe("dimensionOfDbtTest", () => {
  it("follows the documented table", () => {
    expect(
      [
        "not_null",
        "unique",
        "accepted_values",
        "relationships",
        "expect_column_values_to_be_between",
        "expect_row_values_to_have_recent_data",
        "expect_table_row_count_to_be_between",
        "expect_column_values_to_match_regex",
        "accepted_range",
        null,
      ].map(dimensionOfDbtTest),
    ).toEqual([
      "completeness",
      "consistency",
      "validity",
      "consistency",
      "accuracy",
      "timeliness",
      "completeness",
      "validity",
      "validity",
      "validity",
    ]);
  });
});

describe("readDbtTestResults", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "floe-dbt-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads both files and names them in errors", async () => {
    expect(await readDbtTestResults(RUN_RESULTS, MANIFEST, { model: "customers" })).toEqual([
      EXPECTED[5],
    ]);
    const truncated = join(dir, "run_results.json");
    await writeFile(truncated, runText.slice(0, runText.length - 40));
    await expect(readDbtTestResults(truncated, MANIFEST)).rejects.toMatchObject({
      code: "FLOE-DQ100",
      file: truncated,
    });
    const missing = join(dir, "nope.json");
    await expect(readDbtTestResults(RUN_RESULTS, missing)).rejects.toMatchObject({
      code: "FLOE-DQ100",
      file: missing,
      message: "cannot read the file (ENOENT)",
    });
  });
});
