// The shipped floe_spark plugin (real pyspark from the project's .venv) passes
// every conformance test it is subject to, through a Spark Connect server started
// from the installed pyspark (the fixture's Parquet tables read by the server,
// its global temporary view as the slow relation); and a suite cancelled at its
// deadline leaves no running job in the server's status tracker. One server for
// the file.
import { resolve } from "node:path";
import { contract } from "@floe/quality-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverPlugins, resolveProvider, startPlugin } from "../../host/src/plugins/index.js";
import { type SparkConnectServer, startSparkConnect } from "../../test/support/spark-connect.js";
import { customersTable, SLOW_COLUMN, SLOW_RELATION } from "../src/fixture/data.js";
import { buildSparkFixture } from "../src/fixture/spark.js";
import { runRequest, suiteOf } from "../src/requests.js";
import { conformanceOfProvider } from "./provider-support.js";

const ROOT = resolve(import.meta.dirname, "../..");
let server: SparkConnectServer;

beforeAll(async () => {
  // The plugin reaches Spark through the server only: no local JVM of its own.
  process.env.FLOE_SPARK_LOCAL = "0";
  server = await startSparkConnect();
  server.sql(
    `CREATE OR REPLACE GLOBAL TEMPORARY VIEW ${SLOW_RELATION} AS SELECT id AS ${SLOW_COLUMN} FROM range(10000000000000)`,
  );
}, 300_000);

afterAll(async () => {
  delete process.env.FLOE_SPARK_LOCAL;
  await server?.stop();
});

// The engines it does not claim, and anomaly checks, which it declines in the
// vocabulary (they need the host's run history; floe_sql runs them).
const NOT_CLAIMED = [
  ...(["duckdb", "postgres"] as const).map((dialect) => ({
    id: `capabilities-honest › every claimed check type runs on ${dialect}`,
    reason: `${dialect} is not claimed`,
    failure: undefined,
  })),
  {
    id: "run-checks › anomaly",
    reason: "not declared in capabilities.check_types",
    failure: undefined,
  },
];

describe("floe_spark", () => {
  it("passes every conformance test with the spark fixture through Spark Connect", async () => {
    const { report, notPassed } = await conformanceOfProvider(
      "floe_spark",
      "spark",
      undefined,
      `${server.host}:${server.port}`,
    );
    expect(notPassed).toEqual(NOT_CLAIMED);
    expect(report.dialect).toBe("spark");
  }, 1_200_000);

  it("cancels the Spark job at the suite deadline: results timed_out, no running job left, the session healthy", async () => {
    const fixture = await buildSparkFixture(Date.now(), [], `${server.host}:${server.port}`);
    const descriptor = resolveProvider(discoverPlugins({ workspaceRoot: ROOT }), "floe_spark");
    const plugin = await startPlugin(descriptor, { onLog: () => undefined });
    try {
      const slow: contract.QualityCheck = {
        name: "slow_not_null",
        type: "not_null",
        column: SLOW_COLUMN,
        dimension: contract.Dimension.DIMENSION_COMPLETENESS,
        severity: contract.Severity.SEVERITY_WARNING,
        customWeight: undefined,
        parameters: {},
        enabled: true,
      };
      const summary = await plugin.client.runChecks(
        runRequest(
          fixture,
          fixture.relation(SLOW_RELATION),
          suiteOf([slow], { timeoutSeconds: 5 }),
        ),
        { timeoutMs: 5_000 },
      );
      expect(summary.checks.map((r) => [r.status, r.errorCode])).toEqual([
        [contract.CheckStatus.CHECK_STATUS_TIMED_OUT, "FLOE-DQ106"],
      ]);
      const cancelledAt = performance.now();
      let running = await server.runningJobs();
      while (running.length > 0 && performance.now() - cancelledAt < 60_000) {
        await new Promise((r) => setTimeout(r, 100));
        running = await server.runningJobs();
      }
      expect(running).toEqual([]);
      console.info(
        `floe_spark: no running Spark job ${Math.round(performance.now() - cancelledAt)} ms after the timed-out result`,
      );
      const healthy = await plugin.client.runChecks(
        runRequest(
          fixture,
          "customers",
          suiteOf([{ ...slow, name: "nn_email", column: "email" }], { timeoutSeconds: 240 }),
        ),
        { timeoutMs: 240_000 },
      );
      expect(
        healthy.checks.map((r) => [r.status, Number(r.recordsChecked), Number(r.recordsFailed)]),
      ).toEqual([[contract.CheckStatus.CHECK_STATUS_FAILED, customersTable(0).rows.length, 2]]);
    } finally {
      await plugin.stop();
      await fixture.dispose();
    }
  }, 600_000);
});
