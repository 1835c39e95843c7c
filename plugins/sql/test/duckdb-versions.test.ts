// DuckDB storage versions: a file written by the project's pinned Python duckdb
// (the one dbt-duckdb and Great Expectations use) opens in floe_sql; a file
// written by Python duckdb 2.0.1 stops RunChecks and ValidateSuite with
// FLOE-DQ111 naming both versions and a conversion command, and that exact
// command makes a file floe_sql reads.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { contract } from "@floe/quality-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  discoverPlugins,
  PluginCallError,
  type RunningPlugin,
  resolveProvider,
  startPlugin,
} from "../../../host/src/plugins/index.js";
import { check, emptyConnection } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const python = join(root, ".venv/bin/python");
/** duckdb 2.0.1, installed apart from the product's packages by scripts/setup-python.sh. */
const duckdb2 = join(root, ".venv/duckdb-2.0.1");

const WRITE = `
import sys, duckdb
c = duckdb.connect(sys.argv[1])
c.execute("CREATE TABLE orders (id INTEGER, email VARCHAR)")
c.execute("INSERT INTO orders VALUES (1, 'a@x'), (2, NULL), (3, 'c@x')")
c.close()
print(duckdb.__version__)
`;

function writeWith(pythonPath: string | undefined, path: string): string {
  const env = { ...process.env, ...(pythonPath ? { PYTHONPATH: pythonPath } : {}) };
  return execFileSync(python, ["-c", WRITE, path], { env, encoding: "utf8" }).trim();
}

let dir = "";
let plugin: RunningPlugin;
beforeAll(async () => {
  expect(existsSync(duckdb2), "run 'npm run setup' (it installs duckdb 2.0.1 for this test)").toBe(
    true,
  );
  dir = mkdtempSync(join(tmpdir(), "floe-duckdb-versions-"));
  const descriptor = resolveProvider(discoverPlugins({ workspaceRoot: root, env: {} }), "floe_sql");
  plugin = await startPlugin(descriptor, { onLog: () => undefined });
});
afterAll(async () => {
  await plugin?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const connection = (path: string): contract.Connection => ({
  ...emptyConnection(),
  dialect: "duckdb",
  path,
});

const suite = {
  modelName: "orders",
  checks: [check("email_present", "not_null", "email")],
  timeoutSeconds: 0,
  failFast: false,
  nativeSuite: "",
};

function run(path: string) {
  return plugin.client.runChecks(
    {
      suite,
      connection: connection(path),
      relation: "orders",
      options: { maxFailingSamples: 0, sensitiveColumns: [] },
      runId: "duckdb-versions",
    },
    { timeoutMs: 30_000 },
  );
}

describe("DuckDB files from the project's Python duckdb and from a newer one", () => {
  it("opens a file written by the pinned Python duckdb and counts exactly", async () => {
    const path = join(dir, "pinned.duckdb");
    expect(writeWith(undefined, path)).toBe("1.5.6");
    const summary = await run(path);
    expect(
      summary.checks.map((c) => [c.checkName, c.status, c.recordsChecked, c.recordsFailed]),
    ).toEqual([["email_present", contract.CheckStatus.CHECK_STATUS_FAILED, 3, 1]]);
  });

  it("stops on a file written by duckdb 2.0.1 with FLOE-DQ111, both versions and the conversion command", async () => {
    const path = join(dir, "newer.duckdb");
    expect(writeWith(duckdb2, path)).toBe("2.0.1");
    const failure = await run(path).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(PluginCallError);
    const error = failure as PluginCallError;
    expect(error.code).toBe("FLOE-DQ111");
    expect(error.message).toContain(
      `DuckDB file ${path} was written by DuckDB v2.0.1 (storage version 69); floe_sql runs DuckDB v1.5.6, which reads storage versions 64 to 68`,
    );
    expect(error.message).not.toMatch(/score|fix the data/);

    const validation = await plugin.client.validateSuite({
      suite,
      connection: connection(path),
      relation: "orders",
    });
    const [diagnostic] = validation.result?.diagnostics ?? [];
    expect(diagnostic?.code).toBe("FLOE-DQ111");
    const command =
      /Convert the file with the DuckDB that wrote it \(DuckDB v2\.0\.1\), which writes a copy DuckDB v1\.5\.6 reads: (.*) — then point compute\.path at the copy/.exec(
        diagnostic?.fix ?? "",
      )?.[1];
    expect(command).toBeDefined();

    // The command as printed, run by a shell with duckdb 2.0.1, writes a copy floe_sql reads.
    execFileSync("bash", ["-c", command as string], {
      env: { ...process.env, PATH: `${dirname(python)}:${process.env.PATH}`, PYTHONPATH: duckdb2 },
    });
    const summary = await run(join(dir, "newer.v1_5.duckdb"));
    expect(summary.checks.map((c) => [c.checkName, c.recordsChecked, c.recordsFailed])).toEqual([
      ["email_present", 3, 1],
    ]);
  });
});

describe("floe-quality plugins check --duckdb", () => {
  const pluginsCheck = (path: string) =>
    spawnSync(
      process.execPath,
      [
        join(root, "host/dist/cli/main.js"),
        "plugins",
        "check",
        "floe_sql",
        "--json",
        "--duckdb",
        path,
      ],
      {
        cwd: root,
        env: { ...process.env, FLOE_PLUGIN_PATH: "" },
        encoding: "utf8",
        timeout: 60_000,
      },
    );

  it("reports a file from the pinned duckdb readable", () => {
    const path = join(dir, "check-pinned.duckdb");
    writeWith(undefined, path);
    const run = pluginsCheck(path);
    expect(run.status).toBe(0);
    const [report] = JSON.parse(run.stdout).plugins;
    expect(report.steps.find((s: { step: string }) => s.step === "duckdb")).toMatchObject({
      ok: true,
      detail: `${path}: storage version 64 (DuckDB v1.5.6), readable`,
    });
  });

  it("fails a file from duckdb 2.0.1 with FLOE-DQ111 before any check runs", () => {
    const path = join(dir, "check-newer.duckdb");
    writeWith(duckdb2, path);
    const run = pluginsCheck(path);
    expect(run.status).toBe(1);
    const [report] = JSON.parse(run.stdout).plugins;
    expect(report.healthy).toBe(false);
    expect(report.error.code).toBe("FLOE-DQ111");
    expect(report.error.message).toContain("written by DuckDB v2.0.1 (storage version 69)");
  });
});

describe("floe-quality run on a warehouse written by duckdb 2.0.1", () => {
  it("gives verdict error (config) with FLOE-DQ111 and the conversion command, and no score", () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-duckdb-run-"));
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(root, "host/dist/cli/main.js"), ...args], {
        cwd,
        env: { ...process.env, FLOE_PLUGIN_PATH: "" },
        encoding: "utf8",
        timeout: 120_000,
      });
    try {
      expect(cli("demo").status).toBe(0);
      const warehouse = join(cwd, ".floe/demo/warehouse.duckdb");
      rmSync(warehouse);
      writeWith(duckdb2, warehouse);
      const run = cli(
        "run",
        "--artifacts",
        ".floe/demo/compiled_artifacts.json",
        "--model",
        "customers",
        "--json",
      );
      // The checks could not run (verdict error, exit 3): a setup problem to fix, not bad data.
      expect(run.status).toBe(3);
      const text = JSON.stringify(JSON.parse(run.stdout));
      expect(text).toContain(
        `DuckDB file ${warehouse} was written by DuckDB v2.0.1 (storage version 69); floe_sql runs DuckDB v1.5.6`,
      );
      expect(text).toContain("STORAGE_VERSION");
      expect(text).toContain('"error_code":"FLOE-DQ111"');
      expect(text).toContain('"cause":"config"');
      expect(text).not.toMatch(/fix the data/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 180_000);
});
