// The shipped great_expectations plugin (real GX Core from the project's .venv)
// passes every conformance test it is subject to, on DuckDB and on a real
// PostgreSQL, found through plugin discovery like any installed plugin.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgres } from "../../test/support/postgres.js";
import type { Dialect } from "../src/fixture/index.js";
import { conformanceOfProvider } from "./provider-support.js";

let server: PostgresServer;
let dsn: string;

beforeAll(async () => {
  server = await startPostgres();
  dsn = await server.createDatabase("great_expectations");
});

afterAll(async () => {
  await server?.stop();
});

// The plugin does not claim fail_fast: one validation runs the whole suite.
const FAIL_FAST_SKIPS = [
  "skips the remaining work after the first failed check when fail_fast is set",
  "runs every check when fail_fast is not set",
].map((name) => ({
  id: `fail-fast › ${name}`,
  reason: "capabilities.fail_fast is not claimed",
  failure: undefined,
}));

// Anomaly checks are declined in the vocabulary (they need the host's run history).
const ANOMALY_SKIP = {
  id: "run-checks › anomaly",
  reason: "not declared in capabilities.check_types",
  failure: undefined,
};

describe("great_expectations", () => {
  for (const dialect of ["duckdb", "postgres"] as Dialect[]) {
    it(`passes every conformance test with the ${dialect} fixture`, async () => {
      const { report, notPassed } = await conformanceOfProvider("great_expectations", dialect, dsn);
      expect(notPassed).toEqual([ANOMALY_SKIP, ...FAIL_FAST_SKIPS]);
      expect(report.dialect).toBe(dialect);
      expect(report.totals).toEqual({ passed: 71, failed: 0, skipped: 3 });
    }, 600_000);
  }
});
