// The ingest path: a user's own dbt project (test/fixtures/dbt-shop), built with
// real `dbt deps` + `dbt build`, read back through the SDK's shared parser
// (run_results.json + manifest.json) and scored by the host's scoring function.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { FloeError, parseDbtTestResults, readDbtTestResults } from "@floe/quality-sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { QualityConfigSchema } from "../../../host/src/config/quality.js";
import { calculateQualityScore } from "../../../host/src/scoring/index.js";
import { buildDbtShop } from "./support.js";

const _run = promisify(execFile);

// dbt starts in seconds, more on a busy machine: every test gets two minutes.
describe("ingest of a user's dbt build", { timeout: 120_000 }, () => {
  let project = "";
  let dbt: Awaited<ReturnType<typeof buildDbtShop>>["dbt"];
  const runResults = () => join(project, "target", "run_results.json");
  const manifest = () => join(project, "target", "manifest.json");

  beforeAll(async () => {
    ({ project, dbt } = await buildDbtShop(mkdtempSync(join(tmpdir(), "floe-dbt-shop-"))));
  }, 120_000);

  it("turns every dbt test of a model into a check result, meta overriding name and dimension", async () => {
    const results = await readDbtTestResults(runResults(), manifest(), { model: "orders" });
    expect(
      results
        .map((r) => [r.check_name, r.status, r.records_failed, r.dimension, r.severity])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      [
        "accepted_values_orders_status__shipped__placed__returned",
        "failed",
        1,
        "consistency",
        "critical",
      ],
      ["assert_orders_have_amount", "passed", 0, "validity", "critical"],
      [
        "floe_expectations_expect_table_row_count_to_be_between_orders_1",
        "passed",
        0,
        "completeness",
        "critical",
      ],
      ["not_null_orders_order_id", "passed", 0, "completeness", "critical"],
      ["orders_amount_positive", "failed", 1, "accuracy", "critical"],
      [
        "relationships_orders_customer_id__id__ref_customers_",
        "failed",
        1,
        "consistency",
        "critical",
      ],
      ["unique_orders_order_id", "failed", 1, "consistency", "critical"],
    ]);
    const customers = await readDbtTestResults(runResults(), manifest(), { model: "customers" });
    expect(customers.find((r) => r.check_name === "not_null_customers_email")).toMatchObject({
      status: "failed",
      severity: "warning",
      dbt_status: "warn",
      records_failed: 1,
    });
  });

  it("scores the model with its dbt tests counted apart", async () => {
    const results = await readDbtTestResults(runResults(), manifest(), { model: "orders" });
    const config = QualityConfigSchema.parse({ provider: "dbt_expectations" });
    const score = calculateQualityScore([], config, {
      dbtResults: results,
      modelName: "orders",
      now: new Date("2026-01-01T00:00:00Z"),
    });
    // completeness 100 (2 of 2), accuracy 0, validity 100, consistency 0 (3 of 3 failed), timeliness 100 (none):
    // 0.25·100 + 0.25·0 + 0.20·100 + 0.15·0 + 0.15·100 = 60.
    expect(score.dimension_scores).toEqual({
      completeness: 100,
      accuracy: 0,
      validity: 100,
      consistency: 0,
      timeliness: 100,
    });
    expect(score.overall).toBe(60);
    expect([
      score.checks_passed,
      score.checks_failed,
      score.dbt_tests_passed,
      score.dbt_tests_failed,
    ]).toEqual([0, 0, 3, 4]);
  });

  it("names the file of a truncated or corrupt run_results.json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "floe-dbt-corrupt-"));
    const truncated = join(dir, "run_results.json");
    const text = readFileSync(runResults(), "utf8");
    writeFileSync(truncated, text.slice(0, Math.floor(text.length / 2)));
    const error = await readDbtTestResults(truncated, manifest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FloeError);
    expect(error).toMatchObject({ code: "FLOE-DQ100", file: truncated });
    expect((error as Error).message).toContain("not valid JSON (corrupt or truncated)");

    const wrongShape = JSON.stringify({ ...JSON.parse(text), results: [{ unique_id: "test.x" }] });
    const shapeError = (() => {
      try {
        parseDbtTestResults(wrongShape, readFileSync(manifest(), "utf8"), {
          runResultsFile: truncated,
        });
      } catch (e) {
        return e;
      }
    })();
    expect(shapeError).toMatchObject({
      code: "FLOE-DQ100",
      file: truncated,
      path: "results[0].status",
    });
  });

  it("reports a test that fails to compile as an error naming the test", async () => {
    await dbt([
      "test",
      "--select",
      "assert_orders_have_amount",
      "--vars",
      "{break_singular_test: true}",
    ]);
    const results = await readDbtTestResults(runResults(), manifest(), { model: "orders" });
    expect(results.map((r) => [r.check_name, r.status])).toEqual([
      ["assert_orders_have_amount", "error"],
    ]);
    expect(results[0]?.error_message).toContain(
      "Compilation Error in test assert_orders_have_amount",
    );
    expect(results[0]?.error_message).toContain("broken on purpose");
  });
});
