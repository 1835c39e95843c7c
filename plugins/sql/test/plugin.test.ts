// floe_sql as a real plugin process: discovered from its descriptor, started
// by the host's supervisor, called over gRPC (GetMetadata, ValidateSuite,
// RunChecks with streaming results and the suite deadline).
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CHECK_TYPES, contract } from "@floe/quality-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  discoverPlugins,
  type RunningPlugin,
  resolveProvider,
  startPlugin,
} from "../../../host/src/plugins/index.js";
import { SUPPORTED_CHECK_TYPES } from "../src/compile/index.js";
import { check, useEngines } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const [duck, postgres] = useEngines();
let plugin: RunningPlugin;

beforeAll(async () => {
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-b", "plugins/sql"], {
    cwd: root,
    stdio: "pipe",
  });
  const descriptor = resolveProvider(discoverPlugins({ workspaceRoot: root, env: {} }), "floe_sql");
  plugin = await startPlugin(descriptor, { onLog: () => undefined });
});

afterAll(async () => {
  await plugin?.stop();
});

function request(
  connection: contract.Connection,
  checks: contract.QualityCheck[],
  extra: Partial<contract.RunChecksRequest> = {},
) {
  return {
    suite: { modelName: "orders", checks, timeoutSeconds: 0, failFast: false, nativeSuite: "" },
    connection,
    relation: "",
    options: { maxFailingSamples: 3, sensitiveColumns: [] },
    runId: "e2e",
    ...extra,
  };
}

describe("floe_sql plugin process", () => {
  it("declares its dialects and check types", async () => {
    const metadata = await plugin.client.getMetadata();
    expect(metadata.name).toBe("floe_sql");
    expect(metadata.floeApiVersion).toBe("1.0.0");
    expect(metadata.capabilities?.dialects).toEqual(["duckdb", "postgres"]);
    expect(metadata.capabilities?.checkTypes).toEqual([...SUPPORTED_CHECK_TYPES]);
    expect([...(metadata.capabilities?.checkTypes ?? [])].sort()).toEqual(
      CHECK_TYPES.map((t) => t.type).sort(),
    );
    expect(metadata.capabilities?.cancellation).toBe(true);
    expect(metadata.capabilities?.failFast).toBe(true);
  });

  it("streams exact results over gRPC from a DuckDB file", async () => {
    const target = duck as NonNullable<typeof duck>;
    const streamed: string[] = [];
    const summary = await plugin.client.runChecks(
      request(target.connection(), [
        check("status_accepted", "accepted_values", "status", {
          values: ["shipped", "pending", "cancelled"],
        }),
        check("id_unique", "unique", "id"),
        check("qty_mean", "mean_between", "qty", { min_value: 4, max_value: 4 }),
      ]),
      { onCheck: (r) => streamed.push(r.checkName), timeoutMs: 20_000 },
    );
    expect(streamed.sort()).toEqual(["id_unique", "qty_mean", "status_accepted"]);
    const byName = new Map(summary.checks.map((c) => [c.checkName, c]));
    expect(byName.get("status_accepted")).toMatchObject({
      status: contract.CheckStatus.CHECK_STATUS_FAILED,
      recordsChecked: 7,
      recordsFailed: 1,
      details: { failing_samples: ["unknown"] },
      dimension: contract.Dimension.DIMENSION_VALIDITY,
    });
    expect(byName.get("id_unique")).toMatchObject({
      recordsChecked: 8,
      recordsFailed: 2,
      details: { failing_samples: ["7"] },
    });
    expect(byName.get("qty_mean")).toMatchObject({ passed: true, details: { observed_value: 4 } });
    expect(summary.passed).toBe(false);
    expect(summary.summary).toMatchObject({ checks_total: 3, checks_passed: 1, checks_failed: 2 });
  });

  it("reports unfinished PostgreSQL checks timed_out when the suite deadline passes", async () => {
    const target = postgres as NonNullable<typeof postgres>;
    const summary = await plugin.client.runChecks(
      request(target.connection(), [
        check("slow", "expression_is_true", "", { expression: "(SELECT TRUE FROM pg_sleep(120))" }),
        check("id_unique", "unique", "id"),
      ]),
      // Long enough for the quick check and its sample on a busy machine; far short of the sleep.
      { timeoutMs: 10_000 },
    );
    const byName = new Map(summary.checks.map((c) => [c.checkName, c]));
    expect(byName.get("slow")).toMatchObject({
      status: contract.CheckStatus.CHECK_STATUS_TIMED_OUT,
      errorCode: "FLOE-DQ106",
    });
    expect(byName.get("id_unique")).toMatchObject({
      status: contract.CheckStatus.CHECK_STATUS_FAILED,
      recordsFailed: 2,
    });
    // The server ends a cancelled statement on its own schedule: wait for it, with a deadline.
    await expect
      .poll(
        async () =>
          (
            await target.rawQuery(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()",
            )
          )[0]?.n,
        { timeout: 15_000 },
      )
      .toBe(0);
  });

  it("validates a suite: unknown types, bad parameters and missing columns, all together", async () => {
    const target = duck as NonNullable<typeof duck>;
    const response = await plugin.client.validateSuite({
      suite: {
        modelName: "orders",
        timeoutSeconds: 0,
        failFast: false,
        nativeSuite: "",
        checks: [
          check("typo", "not_nul", "id"),
          check("no_bounds", "between", "qty", {}),
          check("ghost", "not_null", "ghost"),
          check("pair", "pair_greater_than", "", { column_a: "shipped_at", column_b: "nope" }),
          check("fk", "relationships", "customer_id", { to: "customers", field: "uid" }),
          check("fine", "unique", "id"),
        ],
      },
      connection: target.connection(),
      relation: "orders",
    });
    const result = response.result as contract.ValidationResult;
    expect(result.success).toBe(false);
    expect(result.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["FLOE-DQ101", "orders/typo.type"],
      ["FLOE-DQ101", "orders/no_bounds.parameters.min_value"],
      ["FLOE-DQ105", "orders/ghost"],
      ["FLOE-DQ105", "orders/pair"],
      ["FLOE-DQ105", "orders/fk.parameters.field"],
    ]);
    expect(result.diagnostics[2]?.message).toBe(
      'column "ghost" does not exist in orders (check ghost)',
    );
  });
});
