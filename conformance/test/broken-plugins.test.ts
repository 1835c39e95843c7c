// The suite proves itself: each deliberately broken plugin fails on exactly the
// test meant to catch its fault, and the correct reference plugin fails nothing.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgres } from "../../test/support/postgres.js";
import type { ConformanceReport } from "../src/report.js";
import { runConformance } from "../src/run.js";

const FIXTURES = join(import.meta.dirname, "fixtures");

/** Broken fixture → the one test that must fail on it (docs/conformance.md keeps the same table). */
export const CATCHING_TEST: Readonly<Record<string, string>> = {
  "wrong-counts": "run-checks › accepted_values",
  "missing-result": "result-shape › streams exactly one result per enabled check",
  "wrong-dimension": "result-shape › echoes dimension, severity and custom_weight",
  "ignores-deadline": "deadline › stops the cancelled work within the deadline + 2 s",
  "never-serving":
    "health › reports SERVING for floe.quality.v1.QualityPluginService within 5 s of starting",
  "lying-dialect": "capabilities-honest › every claimed check type runs on postgres",
  "hostile-name": "robustness › hostile table, column and check names are quoted, not spliced",
  "bad-version": "metadata › version is a semantic version",
  "stdout-noise":
    "handshake › prints CORE|APP|NETWORK|ADDRESS|grpc once listening, and nothing else on stdout",
  "ignores-stdin-eof":
    "lifecycle › exits 0 when its stdin reaches EOF, removing its socket and the private directory",
  "ignores-fail-fast":
    "fail-fast › skips the remaining work after the first failed check when fail_fast is set",
  "no-column-validation": "validate-suite › rejects a column the relation lacks with FLOE-DQ105",
  // Small independent plugins, each written the way a third-party author might get one rule wrong.
  "lenient-cookie": "handshake › a wrong or empty magic cookie value is refused like a missing one",
  "requires-version-list":
    "handshake › reads an unset or empty FLOE_PLUGIN_PROTOCOL_VERSIONS as version 1",
  "stdout-on-run":
    "handshake › prints CORE|APP|NETWORK|ADDRESS|grpc once listening, and nothing else on stdout",
  "exits-130-on-sigint": "lifecycle › exits 0 on SIGINT and removes its socket",
  "leaks-password":
    "logs › never writes a connection password to stderr, results or error messages",
  "ignores-cancel": "deadline › stops the work of a call the host cancels before its deadline",
  "bare-timed-out":
    "deadline › reports unfinished checks as TIMED_OUT with FLOE-DQ106 before the deadline",
  "duplicate-info": "result-shape › streams exactly one result per enabled check",
  "coerces-parameters": "validate-suite › rejects bad parameters with FLOE-DQ101",
  "shared-request": "concurrency › 8 parallel runs of different suites each get their own answers",
  "requires-relation":
    "result-shape › an empty relation runs on the table the model names, as when the relation is named",
  "zero-means-unlimited":
    "failing-samples › max_failing_samples bounds the failing samples, and 0 disables them",
  "samples-sensitive": "failing-samples › never samples a sensitive column",
  "renames-duplicates":
    "errors › refuses a suite that names two checks alike with an error, before any result",
  "plain-status":
    "errors › carries one google.rpc.ErrorInfo with reason FLOE-DQ101 and domain floe.dev",
  "failed-precondition":
    "errors › travels under the gRPC status code documented for its FLOE-DQ code",
};

let server: PostgresServer;
let dsn: string;

beforeAll(async () => {
  server = await startPostgres();
  dsn = await server.createDatabase("conformance");
});

afterAll(async () => {
  await server?.stop();
});

function failedTests(report: ConformanceReport): string[] {
  return report.groups.flatMap((g) =>
    g.tests.filter((t) => t.status === "failed").map((t) => t.id),
  );
}

function conformanceOf(script: string): Promise<ConformanceReport> {
  return runConformance({
    target: { kind: "command", command: `${process.execPath} ${join(FIXTURES, script)}` },
    dialect: "duckdb",
    pgDsn: dsn,
    focus: [],
    skip: [],
    junit: undefined,
    json: false,
  });
}

describe("the conformance suite on the reference plugin and its broken copies", () => {
  it("passes the correct reference plugin, on DuckDB and PostgreSQL", async () => {
    const report = await conformanceOf("reference.mjs");
    expect(failedTests(report)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.totals.passed).toBeGreaterThan(40);
  }, 420_000);

  for (const [fixture, catching] of Object.entries(CATCHING_TEST)) {
    it(`fails ${fixture} on exactly: ${catching}`, async () => {
      const report = await conformanceOf(join("broken", `${fixture}.mjs`));
      expect(failedTests(report)).toEqual([catching]);
      expect(report.passed).toBe(false);
    }, 420_000);
  }
});
