// The shipped floe_sql plugin passes every conformance test, on DuckDB and on a
// real PostgreSQL, found through plugin discovery.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgres } from "../../test/support/postgres.js";
import type { Dialect } from "../src/fixture/index.js";
import { conformanceOfProvider } from "./provider-support.js";

let server: PostgresServer;
let dsn: string;

beforeAll(async () => {
  server = await startPostgres();
  dsn = await server.createDatabase("floe_sql");
});

afterAll(async () => {
  await server?.stop();
});

describe("floe_sql", () => {
  for (const dialect of ["duckdb", "postgres"] as Dialect[]) {
    it(`passes every conformance test with the ${dialect} fixture`, async () => {
      const { report, notPassed } = await conformanceOfProvider("floe_sql", dialect, dsn);
      expect(notPassed).toEqual([]);
      expect(report.dialect).toBe(dialect);
      expect(report.totals).toEqual({ passed: 74, failed: 0, skipped: 0 });
    }, 120_000);
  }
});
