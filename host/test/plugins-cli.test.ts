import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { CLI, FIXTURE_PLUGINS, REPO_ROOT } from "./plugins-support.js";

function floeQuality(args: string[], env: NodeJS.ProcessEnv = {}, timeout = 30_000) {
  return spawnSync(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, FLOE_PLUGIN_PATH: FIXTURE_PLUGINS, ...env },
    encoding: "utf8",
    timeout,
  });
}

describe("floe-quality plugins", () => {
  it("list --json describes each discovered descriptor", () => {
    const run = floeQuality(["plugins", "list", "--json"]);
    expect(run.status).toBe(0);
    const listed = JSON.parse(run.stdout) as {
      plugins: Array<Record<string, unknown>>;
      problems: unknown[];
    };
    expect(listed.plugins.find((p) => p.provider === "ts_echo")).toEqual({
      name: "ts_echo",
      provider: "ts_echo",
      version: "0.1.0",
      runtime: "node",
      description:
        "Test plugin: echoes each check's parameters as its result; FLOE_ECHO_MODE selects a fault",
      floe_api_version: "1.0.0",
      command: "main.mjs",
      args: [],
      file: join(FIXTURE_PLUGINS, "ts-echo/floe-plugin.json"),
      source: "FLOE_PLUGIN_PATH",
    });
  });

  it("list finds the workspace's own plugins without FLOE_PLUGIN_PATH", () => {
    const run = floeQuality(["plugins", "list", "--json"], { FLOE_PLUGIN_PATH: "" });
    expect(run.status).toBe(0);
    const listed = JSON.parse(run.stdout) as {
      plugins: Array<{ provider: string; source: string; file: string }>;
    };
    const workspace = listed.plugins
      .filter((p) => p.source === "workspace")
      .map((p) => [p.provider, p.file])
      .sort();
    // plugins/examples/* may add more; these three ship with the workspace.
    expect(workspace).toEqual(
      expect.arrayContaining([
        ["dbt_expectations", join(REPO_ROOT, "plugins/dbt/floe-plugin.json")],
        ["floe_sql", join(REPO_ROOT, "plugins/sql/floe-plugin.json")],
        ["great_expectations", join(REPO_ROOT, "plugins/gx/floe-plugin.json")],
      ]),
    );
  });

  it("list from a directory outside any workspace finds the plugins `run` would use", () => {
    // `run` and `demo` fall back to the workspace the host is installed in; list and
    // check must search the same places, or `plugins list` says "No plugins found"
    // beside a run that just used floe_sql.
    const away = mkdtempSync(join(tmpdir(), "floe-plugins-away-"));
    try {
      const run = spawnSync(process.execPath, [CLI, "plugins", "list", "--json"], {
        cwd: away,
        env: { ...process.env, FLOE_PLUGIN_PATH: "" },
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(run.status).toBe(0);
      const listed = JSON.parse(run.stdout) as {
        plugins: Array<{ provider: string; file: string }>;
      };
      expect(listed.plugins.find((p) => p.provider === "floe_sql")?.file).toBe(
        join(REPO_ROOT, "plugins/sql/floe-plugin.json"),
      );
    } finally {
      rmSync(away, { recursive: true, force: true });
    }
  });

  it("list prints a table with provider, version, runtime and descriptor", () => {
    const run = floeQuality(["plugins", "list"]);
    expect(run.status).toBe(0);
    expect(run.stdout.split("\n")[0]).toMatch(
      /^PROVIDER +VERSION +RUNTIME +API +SOURCE +DESCRIPTOR$/,
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `\\nts_echo +0\\.1\\.0 +node +1\\.0\\.0 +FLOE_PLUGIN_PATH +${join(FIXTURE_PLUGINS, "ts-echo/floe-plugin.json")}\\n`,
      ),
    );
  });

  it("check <provider> starts, health-checks, reads metadata and stops the plugin, timing each step", () => {
    const run = floeQuality(["plugins", "check", "ts_echo"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        [
          "^ts_echo: healthy",
          " {2}start {5}ok {3,}\\d+ ms {2}pid \\d+, handshake received",
          " {2}health {4}ok {3,}\\d+ ms {2}SERVING",
          " {2}metadata {2}ok {3,}\\d+ ms {2}ts_echo 0\\.1\\.0, floe_api_version 1\\.0\\.0, dialects duckdb, 3 check types",
          " {2}stop {6}ok {3,}\\d+ ms {2}stopped\\n$",
        ].join("\\n"),
      ),
    );
  });

  // Every shipped plugin, as a fresh clone has them after the set-up (great_expectations
  // imports GX in the background after SERVING: its descriptor allows 60 s to start,
  // and the `ready` step waits for the import). With --duckdb, `ready` times the first
  // call that opens the file: the whole start-up a run pays.
  it.each(["floe_sql", "dbt_expectations", "great_expectations"])(
    "check starts the workspace plugin %s found without FLOE_PLUGIN_PATH and times it until its engine opened the file",
    async (provider) => {
      const dir = mkdtempSync(join(tmpdir(), "floe-plugins-check-"));
      const file = join(dir, "warehouse.duckdb");
      try {
        const instance = await DuckDBInstance.create(file);
        const connection = await instance.connect();
        await connection.run("CREATE TABLE orders AS SELECT 1 AS id");
        connection.closeSync();
        instance.closeSync();
        const run = floeQuality(
          ["plugins", "check", provider, "--json", "--duckdb", file],
          { FLOE_PLUGIN_PATH: "" },
          170_000,
        );
        expect(run.status).toBe(0);
        const report = JSON.parse(run.stdout) as {
          plugins: Array<{
            provider: string;
            healthy: boolean;
            steps: Array<{ step: string; ok: boolean; detail: string }>;
          }>;
        };
        expect(
          report.plugins.map((p) => [p.provider, p.healthy, p.steps.map((s) => [s.step, s.ok])]),
        ).toEqual([
          [
            provider,
            true,
            [
              ["start", true],
              ["health", true],
              ["metadata", true],
              ["duckdb", true],
              ["ready", true],
              ["stop", true],
            ],
          ],
        ]);
        expect(report.plugins[0]?.steps[4]?.detail).toMatch(
          /^engine opened the file \(ValidateSuite answered\); \d+ ms from spawn to a working engine$/,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    180_000,
  );

  it("check exits 1 and explains why when the plugin is not usable", () => {
    const run = floeQuality(["plugins", "check", "ts_echo", "--json"], {
      FLOE_ECHO_MODE: "wrong-api-version",
    });
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { plugins: Array<Record<string, unknown>> };
    expect(report.plugins).toEqual([
      {
        provider: "ts_echo",
        healthy: false,
        steps: [{ step: "start", ok: false, ms: expect.any(Number), detail: expect.any(String) }],
        error: {
          code: "FLOE-DQ001",
          level: "error",
          message: 'plugin ts_echo implements floe_api_version "2.0.0", but this host speaks 1.x',
          fix: "Install a version of the plugin built for floe plugin API 1.x, or upgrade floe-quality.",
        },
      },
    ]);
  });

  it("check of an unknown provider fails with FLOE-DQ001 listing the known ones", () => {
    const run = floeQuality(["plugins", "check", "no_such_plugin"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^error FLOE-DQ001 plugins\.quality\.provider: unknown quality provider 'no_such_plugin'; known providers: .*\bts_echo\b/,
    );
  });

  it("rejects an unknown subcommand as a usage error (exit 2)", () => {
    const run = floeQuality(["plugins", "frobnicate"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^floe-quality plugins: expected 'list' or 'check'/);
  });
});
