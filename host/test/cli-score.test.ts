// `floe-quality score` as a real child process on the built CLI (`npx tsc -b` first).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO_ROOT = resolve(import.meta.dirname, "../..");
const CLI = join(REPO_ROOT, "host/dist/cli/main.js");
const DBT = join(REPO_ROOT, "sdk/test/fixtures/dbt");
const DBT_RUN_RESULTS = join(DBT, "run_results.json");
const DBT_MANIFEST = join(DBT, "manifest.json");
const DBT_FILES = ["--dbt-run-results", DBT_RUN_RESULTS, "--dbt-manifest", DBT_MANIFEST];

function floeQuality(args: string[]) {
  return spawnSync(process.execPath, [CLI, "score", ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 30_000,
  });
}

/** `s` as a regular expression matching itself. */
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build with 'npx tsc -b' first`);
  dir = await mkdtemp(join(tmpdir(), "floe-score-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: unknown): Promise<string> {
  const text = typeof content === "string" ? content : JSON.stringify(content, null, 2);
  await writeFile(file(name), text);
  return file(name);
}

const check = (
  check_name: string,
  dimension: string,
  severity: string,
  passed: boolean,
  extra: Record<string, unknown> = {},
) => ({ check_name, passed, dimension, severity, ...extra });

/** Six checks, one of every outcome. */
const SUITE = {
  suite_name: "orders_suite",
  model_name: "orders",
  passed: false,
  execution_time_ms: 120.5,
  timestamp: "2026-03-04T05:06:07Z",
  checks: [
    check("id_present", "completeness", "critical", true, { records_checked: 10 }),
    check("email_present", "completeness", "warning", false, { records_failed: 2 }),
    check("amount_in_range", "accuracy", "critical", false, {
      status: "timed_out",
      error_code: "FLOE-DQ106",
    }),
    check("amount_mean", "accuracy", "info", true, { custom_weight: 1 }),
    check("status_values", "validity", "critical", false, { status: "skipped" }),
    check("id_unique", "consistency", "warning", false, {
      status: "error",
      error_message: "relation does not exist",
    }),
    check("fresh", "timeliness", "info", true),
  ],
};

/** Two completeness checks: passed critical (3) and failed with custom_weight 9. */
const SMALL_SUITE = {
  suite_name: "orders_suite",
  model_name: "orders",
  passed: false,
  timestamp: "2026-03-04T05:06:07Z",
  checks: [
    check("id_present", "completeness", "critical", true),
    check("email_present", "completeness", "critical", false, { custom_weight: 9 }),
  ],
};

/** `score` of SMALL_SUITE under `config` (the defaults when not given), with `extra` arguments. */
async function scoreSmallSuite(config?: string, ...extra: string[]) {
  return floeQuality([
    "--results",
    await write("small.json", SMALL_SUITE),
    "--config",
    config ?? (await write("empty.json", {})),
    ...extra,
  ]);
}

function scoreOf(run: ReturnType<typeof floeQuality>) {
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const score = JSON.parse(run.stdout) as Record<string, unknown>;
  expect(score.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  delete score.timestamp;
  return score;
}

describe("floe-quality score", () => {
  it("reproduces the hand-computed score with the default config", async () => {
    // severity weights critical 3, warning 1, info 0.5; custom_weight replaces them
    // completeness: id_present ✓ 3, email_present ✗ 1            → 100 × 3/4 = 75
    // accuracy:     amount_in_range timed out ✗ 3, amount_mean ✓ 1 → 100 × 1/4 = 25
    // validity:     status_values skipped, left out               → 100
    // consistency:  id_unique error ✗ 1                           → 0
    // timeliness:   fresh ✓ 0.5                                    → 100
    // overall = 75×0.25 + 25×0.25 + 100×0.20 + 0×0.15 + 100×0.15
    //         = 18.75 + 6.25 + 20 + 0 + 15 = 60, inside [70−50, 70+30]
    const run = floeQuality([
      "--results",
      await write("suite.json", SUITE),
      "--config",
      await write("empty.json", {}),
    ]);
    expect(scoreOf(run)).toEqual({
      overall: 60,
      dimension_scores: {
        completeness: 75,
        accuracy: 25,
        validity: 100,
        consistency: 0,
        timeliness: 100,
      },
      checks_passed: 3,
      checks_failed: 3,
      dbt_tests_passed: 0,
      dbt_tests_failed: 0,
      model_name: "orders",
    });
  });

  it("applies a YAML config's weights and caps at baseline − max_negative_influence", async () => {
    const config = await write(
      "quality.yaml",
      [
        "# every severity weighs 1",
        "dimension_weights: {completeness: 0.4, accuracy: 0.1, validity: 0.1, consistency: 0.3, timeliness: 0.1}",
        "calculation:",
        "  baseline_score: 60",
        "  max_positive_influence: 10",
        "  max_negative_influence: 10",
        "  severity_weights: {critical: 1, warning: 1, info: 1}",
        "",
      ].join("\n"),
    );
    // completeness 1/2 → 50; accuracy 1/2 → 50; validity 100; consistency 0; timeliness 100
    // weighted = 50×0.4 + 50×0.1 + 100×0.1 + 0×0.3 + 100×0.1 = 20 + 5 + 10 + 0 + 10 = 45
    // bounds [60−10, 60+10] = [50, 70] → 50
    const run = floeQuality(["--results", await write("suite.json", SUITE), "--config", config]);
    const score = scoreOf(run);
    expect(score.dimension_scores).toEqual({
      completeness: 50,
      accuracy: 50,
      validity: 100,
      consistency: 0,
      timeliness: 100,
    });
    expect(score.overall).toBe(50);
  });

  it("caps at baseline + max_positive_influence", async () => {
    // completeness 100 × 3/12 = 25 → weighted 6.25 + 25 + 20 + 15 + 15 = 81.25; ceiling 50 + 30 = 80
    const run = await scoreSmallSuite(
      await write("low-baseline.json", { calculation: { baseline_score: 50 } }),
    );
    expect(scoreOf(run).overall).toBe(80);
  });

  it("joins the model's dbt tests and counts them apart", async () => {
    // plugin: completeness id_present ✓ 3, email_present ✗ 9 (custom)
    // dbt tests of `orders` (sdk/test/fixtures/dbt):
    //   not_null_orders_order_id      pass  completeness critical 3 ✓
    //   unique_orders_order_id        fail  consistency  critical 3 ✗
    //   accepted_values_orders_status warn  validity     warning  1 ✗
    //   relationships_orders_customer error consistency  critical 3 ✗
    //   amount_in_range               pass  accuracy     critical 3 ✓
    //   assert_orders_total_positive  skipped (left out)
    //   dbt_utils_accepted_range      pass  validity     critical 3 ✓
    // completeness (3 + 3) / (3 + 9 + 3) → 40; accuracy 100; validity 3/4 → 75;
    // consistency 0/6 → 0; timeliness 100
    // overall = 40×0.25 + 100×0.25 + 75×0.20 + 0×0.15 + 100×0.15 = 10 + 25 + 15 + 0 + 15 = 65
    const run = await scoreSmallSuite(undefined, ...DBT_FILES);
    expect(scoreOf(run)).toEqual({
      overall: 65,
      dimension_scores: {
        completeness: 40,
        accuracy: 100,
        validity: 75,
        consistency: 0,
        timeliness: 100,
      },
      checks_passed: 1,
      checks_failed: 1,
      dbt_tests_passed: 3,
      dbt_tests_failed: 3,
      model_name: "orders",
    });
  });

  it("scores the model named by --model with that model's dbt tests", async () => {
    // completeness 25 (as above); customers' only dbt test: not_null_customers_email,
    // meta dimension validity, severity info, failed → validity 0
    // overall = 25×0.25 + 100×0.25 + 0×0.20 + 100×0.15 + 100×0.15 = 6.25 + 25 + 0 + 15 + 15 = 61.25
    const run = await scoreSmallSuite(undefined, ...DBT_FILES, "--model", "customers");
    const score = scoreOf(run);
    expect([
      score.overall,
      score.model_name,
      score.dbt_tests_passed,
      score.dbt_tests_failed,
    ]).toEqual([61.25, "customers", 0, 1]);
  });

  it("takes a manifest or a floe.yaml as --config: its quality: section", async () => {
    const suite = await write("suite.json", SUITE);
    // The example enterprise manifest keeps the default weights: the same 60.
    const manifest = floeQuality([
      "--results",
      suite,
      "--config",
      join(REPO_ROOT, "examples/manifest.yaml"),
    ]);
    expect(scoreOf(manifest).overall).toBe(60);
    const product = await write("floe.json", {
      name: "shop",
      compute: { dialect: "duckdb", path: "w.duckdb" },
      quality: { calculation: { baseline_score: 50, max_positive_influence: 5 } },
      models: [],
    });
    // Its calculation caps the 60 at 50 + 5.
    expect(scoreOf(floeQuality(["--results", suite, "--config", product])).overall).toBe(55);
  });

  it("takes the document of run --json as --results, its dbt tests joined", async () => {
    const suite = JSON.parse(await readFile(file("suite.json"), "utf8"));
    const report = await write("run.json", {
      model: "orders",
      suite_result: suite,
      dbt_tests: [
        {
          check_name: "unique_orders_id",
          passed: false,
          status: "failed",
          dimension: "consistency",
          severity: "critical",
          details: { source: "dbt" },
        },
      ],
      verdict: "warn",
    });
    const score = scoreOf(
      floeQuality(["--results", report, "--config", await write("empty.json", {})]),
    );
    expect(score).toMatchObject({ model_name: "orders", dbt_tests_failed: 1, dbt_tests_passed: 0 });
    // consistency: id_unique error ✗ 1 and the dbt test ✗ 3 → still 0: overall stays 60.
    expect(score.overall).toBe(60);
  });

  it("scores an all-failing suite 20 with the defaults", async () => {
    const failing = {
      ...SUITE,
      checks: SUITE.checks.map((c) => ({ ...c, passed: false, status: "failed" })),
    };
    const run = floeQuality([
      "--results",
      await write("failing.json", failing),
      "--config",
      await write("provider.yaml", "provider: floe_sql\n"),
    ]);
    expect(scoreOf(run).overall).toBe(20);
  });
});

describe("floe-quality score on bad input", () => {
  function expectFailure(run: ReturnType<typeof floeQuality>, lines: string[]) {
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(`${lines.join("\n")}\n`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }

  it("names the file, line and field of an unknown key in the results", async () => {
    const results = await write(
      "typo.json",
      JSON.stringify({ ...SMALL_SUITE, checks: [{ ...SMALL_SUITE.checks[0], colum: "id" }] }),
    );
    const run = floeQuality(["--results", results, "--config", await write("empty.json", {})]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^error FLOE-DQ100 ${literal(results)}:1:\\d+ checks\\[0\\]\\.colum: unknown key 'colum' \\(did you mean 'column'\\?\\)\n`,
      ),
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("reports weights that do not sum to 1 with the sum", async () => {
    const config = await write("weights.yaml", "dimension_weights:\n  completeness: 0.15\n");
    const run = await scoreSmallSuite(config);
    expectFailure(run, [
      `error FLOE-DQ100 ${config}:2:3 dimension_weights: dimension weights sum to 0.9, not 1`,
      "  fix: Make completeness, accuracy, validity, consistency and timeliness sum to 1.",
    ]);
  });

  it("suggests the setting a misspelt config key meant", async () => {
    const config = await write("typo.yaml", "dimension_weight:\n  accuracy: 0.3\n");
    const run = await scoreSmallSuite(config);
    expectFailure(run, [
      `error FLOE-DQ100 ${config}:1:1 dimension_weight: unknown key 'dimension_weight' (did you mean 'dimension_weights'?)`,
      "  fix: Rename 'dimension_weight' to 'dimension_weights', or remove it.",
    ]);
  });

  it("reports an empty config file", async () => {
    const config = await write("blank.yaml", "");
    const run = await scoreSmallSuite(config);
    expect(run.status).toBe(1);
    expect(run.stderr.split("\n")[0]).toBe(`error FLOE-DQ100 ${config}: the file is empty`);
  });

  it("reports a truncated results file", async () => {
    const text = JSON.stringify(SMALL_SUITE);
    const results = await write("truncated.json", text.slice(0, 60));
    const run = floeQuality(["--results", results, "--config", await write("empty.json", {})]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error FLOE-DQ100 .*truncated\.json:1:\d+: not valid YAML\/JSON: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("reports a status that contradicts passed at its field", async () => {
    const results = await write("contradiction.json", {
      ...SMALL_SUITE,
      checks: [check("x", "validity", "info", true, { status: "failed" })],
    });
    const run = floeQuality(["--results", results, "--config", await write("empty.json", {})]);
    expect(run.status).toBe(1);
    expect(run.stderr.split("\n")[0]).toMatch(
      /^error FLOE-DQ100 .*contradiction\.json:\d+:\d+ checks\[0\]\.passed: passed is true, but a check with status 'failed' has passed: false$/,
    );
  });

  it("names a truncated dbt run_results.json", async () => {
    const full = await readFile(DBT_RUN_RESULTS, "utf8");
    const runResults = await write("run_results.json", full.slice(0, 500));
    const run = await scoreSmallSuite(
      undefined,
      "--dbt-run-results",
      runResults,
      "--dbt-manifest",
      DBT_MANIFEST,
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^error FLOE-DQ100 ${literal(runResults)}: not valid JSON \\(corrupt or truncated\\): `,
      ),
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("reports a missing results file", async () => {
    const missing = file("nowhere.json");
    const run = floeQuality(["--results", missing, "--config", await write("empty.json", {})]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^error FLOE-DQ100 ${literal(missing)}: no such file`));
  });
});

describe("floe-quality score usage", () => {
  it("exits 2 without --config", () => {
    const run = floeQuality(["--results", "suite.json"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^floe-quality score: missing --config\n/);
  });

  it("exits 2 with only one of the dbt files", () => {
    const run = floeQuality([
      "--results",
      "suite.json",
      "--config",
      "q.yaml",
      "--dbt-run-results",
      DBT_RUN_RESULTS,
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^floe-quality score: --dbt-run-results and --dbt-manifest go together: give both files of one dbt run\n/,
    );
  });

  it("exits 2 on an unknown option", () => {
    const run = floeQuality(["--results", "suite.json", "--config", "q.yaml", "--weights", "x"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^floe-quality score: Unknown option '--weights'/);
  });

  it("prints its usage with --help", () => {
    const run = floeQuality(["--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: floe-quality score --results FILE --config FILE\n/);
  });
});
