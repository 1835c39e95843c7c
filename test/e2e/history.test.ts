// The run history: the built CLI (and serve) append every model run to a DuckDB
// file under the state directory, or to PostgreSQL with --history-url; `history`
// lists a model's runs; a store that cannot be written is a FLOE-DQ112 warning
// and the run's printed results are the same as without it.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDemoWarehouse } from "../../host/src/cli/commands/demo.js";
import { usePostgres } from "../support/postgres.js";
import { compileShop, floeQuality, orchestrate, startServe } from "./support.js";

// Real processes on a shared 2-core machine: generous deadlines, never sleeps.
vi.setConfig({ testTimeout: 120_000 });

const postgres = usePostgres();
let dir: string;
let artifacts: string;
let missingTable: string;

// biome-ignore lint/suspicious/noExplicitAny: JSON documents as printed
type Json = any;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-history-"));
  await createDemoWarehouse(join(dir, "warehouse.duckdb"));
  artifacts = await compileShop(dir, `dialect: duckdb\npath: ${join(dir, "warehouse.duckdb")}`);
  const broken = JSON.parse(await readFile(artifacts, "utf8"));
  broken.models.find((m: { name: string }) => m.name === "orders").relation =
    "main.orders_not_built";
  missingTable = join(dir, "missing.json");
  await writeFile(missingTable, JSON.stringify(broken));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const env = (stateDir: string, extra: NodeJS.ProcessEnv = {}) => ({
  FLOE_LINEAGE_TRANSPORT: "none",
  FLOE_STATE_DIR: stateDir,
  ...extra,
});

async function runJson(
  stateDir: string,
  args: string[],
  extra?: NodeJS.ProcessEnv,
): Promise<{ code: number; stderr: string; report: Json }> {
  const run = await floeQuality([...args, "--json", "--quiet"], {
    cwd: dir,
    env: env(stateDir, extra),
  });
  return { code: run.code, stderr: run.stderr, report: JSON.parse(run.stdout) };
}

async function history(stateDir: string, args: string[]): Promise<Json> {
  const run = await floeQuality(["history", ...args, "--json"], { cwd: dir, env: env(stateDir) });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

async function duckdbRows(path: string, sql: string): Promise<Json[]> {
  const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const failedOf = (report: Json) =>
  report.suite_result.checks
    .filter((c: Json) => c.status === "failed")
    .map((c: Json) => c.check_name)
    .sort();

describe("run history in the state directory (DuckDB)", () => {
  let state: string;
  const reports: Json[] = [];

  beforeAll(async () => {
    state = join(dir, "state-duck");
    for (const args of [
      ["--artifacts", artifacts, "--model", "customers"],
      ["--artifacts", artifacts, "--model", "customers"],
      ["--artifacts", missingTable, "--model", "orders"],
    ]) {
      const run = await runJson(state, ["run", ...args]);
      expect(run.stderr).toBe("");
      reports.push(run.report);
    }
  });

  it("appends each run with its score, dimensions, verdict and failed checks", async () => {
    const listed = await history(state, ["--model", "customers"]);
    expect(listed.store).toBe(join(state, "history.duckdb"));
    // Newest first.
    expect(listed.runs.map((r: Json) => r.run_id)).toEqual([reports[1].run_id, reports[0].run_id]);
    for (const [i, report] of [reports[1], reports[0]].entries()) {
      const run = listed.runs[i];
      expect(run.product).toBe("shop");
      expect(run.verdict).toBe("fail");
      expect(run.score).toBe(report.score.overall);
      expect(run.score).toBeCloseTo(202 / 3, 10);
      expect(run.dimension_scores).toEqual(report.score.dimension_scores);
      expect(run.checks_total).toBe(13);
      expect(run.checks_failed).toBe(failedOf(report).length);
      expect(run.failed_checks.sort()).toEqual(failedOf(report));
      expect(run.checks_errored).toBe(0);
      expect(run.error_cause).toBeNull();
      expect(Date.parse(run.run_at)).toBe(Date.parse(report.suite_result.timestamp));
    }
  });

  it("keeps a run whose verdict is error with its cause", async () => {
    const listed = await history(state, ["--model", "orders"]);
    expect(listed.runs).toHaveLength(1);
    expect(listed.runs[0]).toMatchObject({
      run_id: reports[2].run_id,
      verdict: "error",
      score: null,
      dimension_scores: null,
      error_cause: "config",
      checks_errored: reports[2].suite_result.checks.length,
    });
    expect(listed.runs[0].error_message).toBe(reports[2].error.message);
  });

  it("is a versioned schema with one row per check result", async () => {
    const file = join(state, "history.duckdb");
    expect(await duckdbRows(file, "SELECT key, value FROM floe_history_meta")).toEqual([
      { key: "schema_version", value: "1" },
    ]);
    const counts = await duckdbRows(
      file,
      "SELECT run_id, CAST(count(*) AS INTEGER) AS n FROM floe_check_results GROUP BY run_id ORDER BY run_id",
    );
    expect(counts).toEqual(
      reports
        .map((r) => ({ run_id: r.run_id, n: r.suite_result.checks.length }))
        .sort((a, b) => (a.run_id < b.run_id ? -1 : 1)),
    );
    const [mean] = await duckdbRows(
      file,
      `SELECT observed_value, status FROM floe_check_results
        WHERE run_id = '${reports[0].run_id}' AND check_name = 'lifetime_value_mean'`,
    );
    const reported = reports[0].suite_result.checks.find(
      (c: Json) => c.check_name === "lifetime_value_mean",
    );
    expect(mean).toEqual({
      observed_value: reported.details.observed_value,
      status: reported.status,
    });
  });

  it("prints a table", async () => {
    const run = await floeQuality(["history", "--model", "customers", "--limit", "1"], {
      cwd: dir,
      env: env(state),
    });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^run_at\s+product\s+verdict\s+score\s+failed\s+errored\s+failed checks$/,
    );
    expect(lines[1]).toContain(
      `shop     fail     67.33  ${failedOf(reports[1]).length}       0        `,
    );
  });
});

describe("a history store that cannot be written", () => {
  let reference: Json;

  beforeAll(async () => {
    const run = await runJson(join(dir, "state-reference"), [
      "run",
      "--artifacts",
      artifacts,
      "--model",
      "customers",
    ]);
    reference = run.report;
  });

  /** The report without what differs between two runs of the same data. */
  const stable = (report: Json) => ({
    ...report,
    run_id: undefined,
    score: { ...report.score, timestamp: undefined },
    suite_result: {
      ...report.suite_result,
      timestamp: undefined,
      execution_time_ms: undefined,
      checks: report.suite_result.checks.map((c: Json) => ({ ...c, execution_time_ms: undefined })),
    },
  });

  async function expectWarnedButReturned(stateDir: string, cause: RegExp) {
    const run = await runJson(stateDir, ["run", "--artifacts", artifacts, "--model", "customers"]);
    expect(run.code).toBe(1);
    expect(stable(run.report)).toEqual(stable(reference));
    const warnings = run.stderr.trim().split("\n");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: FLOE-DQ112 run history not written to /);
    expect(warnings[0]).toMatch(cause);
    expect(warnings[0]).toContain("(the run's results are not affected)");
  }

  it("a state directory that is a file", async () => {
    const file = join(dir, "state-is-a-file");
    await writeFile(file, "not a directory");
    await expectWarnedButReturned(
      file,
      /state-is-a-file\/history\.duckdb: EEXIST: file already exists/,
    );
  });

  it("a corrupt history file", async () => {
    const state = join(dir, "state-corrupt");
    await mkdir(state);
    await writeFile(join(state, "history.duckdb"), "x".repeat(8192));
    await expectWarnedButReturned(state, /state-corrupt\/history\.duckdb: /);
  });

  it("a history file another process holds locked", async () => {
    const state = join(dir, "state-locked");
    await mkdir(state);
    const holder = await DuckDBInstance.create(join(state, "history.duckdb"));
    try {
      await expectWarnedButReturned(state, /[Ll]ock/);
    } finally {
      holder.closeSync();
    }
  });

  it("an unreachable PostgreSQL store, its password never printed", async () => {
    const run = await runJson(join(dir, "state-pg-down"), [
      "run",
      "--artifacts",
      artifacts,
      "--model",
      "customers",
      "--history-url",
      "postgresql://floe:hunter2secret@127.0.0.1:1/history",
    ]);
    expect(run.code).toBe(1);
    expect(stable(run.report)).toEqual(stable(reference));
    expect(run.stderr).toMatch(
      /^warning: FLOE-DQ112 run history not written to postgresql:\/\/floe:\*\*\*@127\.0\.0\.1:1\/history: /,
    );
    expect(run.stderr).not.toContain("hunter2secret");
  });
});

describe("run history in PostgreSQL", () => {
  it("--history-url stores and lists runs the same way", async () => {
    const url = await postgres().createDatabase("history");
    const state = join(dir, "state-pg");
    const first = await runJson(state, [
      "run",
      "--artifacts",
      artifacts,
      "--model",
      "customers",
      "--history-url",
      url,
    ]);
    // FLOE_HISTORY_URL says the same as --history-url.
    const second = await runJson(state, ["run", "--artifacts", missingTable, "--model", "orders"], {
      FLOE_HISTORY_URL: url,
    });
    expect(first.stderr + second.stderr).toBe("");
    const customers = await history(state, ["--model", "customers", "--history-url", url]);
    expect(customers.runs).toHaveLength(1);
    expect(customers.runs[0]).toMatchObject({
      run_id: first.report.run_id,
      verdict: "fail",
      score: first.report.score.overall,
      dimension_scores: first.report.score.dimension_scores,
      checks_total: 13,
      failed_checks: failedOf(first.report),
    });
    const orders = await history(state, ["--model", "orders", "--history-url", url]);
    expect(orders.runs[0]).toMatchObject({
      run_id: second.report.run_id,
      verdict: "error",
      error_cause: "config",
    });
    // Nothing went to the default DuckDB file.
    const local = await floeQuality(["history", "--model", "customers", "--json"], {
      cwd: dir,
      env: env(state),
    });
    expect(JSON.parse(local.stdout).runs).toEqual([]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM floe_check_results WHERE run_id = $1",
        [first.report.run_id],
      );
      expect(rows).toEqual([{ n: 13 }]);
    } finally {
      await client.end();
    }
  });
});

describe("serve", () => {
  it("appends the runs it serves", async () => {
    const state = join(dir, "state-serve");
    const serve = await startServe(["--artifacts", artifacts], { cwd: dir, env: env(state) });
    let results: Json[];
    try {
      results = await orchestrate(serve.address, [{ method: "run", model: "customers" }]);
    } finally {
      await serve.stop();
    }
    const listed = await history(state, ["--model", "customers"]);
    expect(listed.runs).toHaveLength(1);
    expect(listed.runs[0].run_id).toBe(results[0].outcome.run_id);
    expect(listed.runs[0].verdict).toBe("fail");
    expect(listed.runs[0].score).toBe(results[0].outcome.overall);
    expect(listed.runs[0].score).toBeCloseTo(202 / 3, 10);
  });
});
