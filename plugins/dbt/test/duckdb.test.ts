// The plugin through the host supervisor on a real DuckDB file with known
// defects: every check type's exact status and records_failed, hostile names,
// ValidateSuite, and bad input.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contract, quoteIdentifier } from "@floe/quality-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlugin } from "../../../host/src/index.js";
import {
  check,
  createDuckDbFixture,
  duckDbConnection,
  HOSTILE_COLUMN,
  HOSTILE_TABLE,
  inSuiteOrder,
  ORDERS_CASES,
  ORDERS_OBSERVED,
  observedValues,
  processesMentioning,
  runRequest,
  SLOW_VIEW,
  startDbtPlugin,
  suiteOf,
} from "./support.js";

const { CheckStatus } = contract;

// dbt starts in seconds, more on a busy machine: every test gets two minutes.
describe("dbt_expectations on DuckDB", { timeout: 120_000 }, () => {
  let plugin: RunningPlugin;
  let path: string;
  const workRoot = mkdtempSync(join(tmpdir(), "floe-dbt-duck-work-"));

  beforeAll(async () => {
    path = await createDuckDbFixture();
    plugin = await startDbtPlugin({ FLOE_DBT_WORKDIR: workRoot });
  });
  afterAll(async () => {
    await plugin?.stop();
  });

  it("reports the exact status, records_checked (rows evaluated), records_failed and observed value of every check type", async () => {
    const suite = suiteOf(
      "orders",
      ORDERS_CASES.map(([c]) => c),
    );
    const summary = await plugin.client.runChecks(
      runRequest(suite, duckDbConnection(path), "orders"),
      {
        timeoutMs: 120_000,
      },
    );
    expect(
      inSuiteOrder(summary.checks, suite).map((c) => [
        c.checkName,
        c.status,
        c.recordsChecked,
        c.recordsFailed,
      ]),
    ).toEqual(
      ORDERS_CASES.map(([c, status, checked, failed]) => [c.name, status, checked, failed]),
    );
    const round = (v: number | string) => (typeof v === "number" ? Math.round(v * 1e6) / 1e6 : v);
    expect(observedValues(summary.checks)).toEqual(
      Object.fromEntries(Object.entries(ORDERS_OBSERVED).map(([k, v]) => [k, round(v)])),
    );
    const warned = summary.checks.find((c) => c.checkName === "status_known_warn");
    expect(warned?.details?.dbt_status).toBe("warn");
    expect(warned?.severity).toBe(contract.Severity.SEVERITY_WARNING);
    const critical = summary.checks.find((c) => c.checkName === "status_known");
    expect(critical?.details?.dbt_status).toBe("fail");
    expect(summary.checks.find((c) => c.checkName === "amount_range")?.checkType).toBe("between");
    expect(summary.checks.find((c) => c.checkName === "email_not_null")?.dimension).toBe(
      contract.Dimension.DIMENSION_COMPLETENESS,
    );
  });

  it("quotes hostile table and column names and escapes hostile literals", async () => {
    const suite = suiteOf("weird", [
      check("name_present", "not_null", HOSTILE_COLUMN),
      check("name_known", "accepted_values", HOSTILE_COLUMN, { values: ["it's", "{{ x }}"] }),
      check("name_no_quote", "regex", HOSTILE_COLUMN, { regex: "^[^']*$" }),
    ]);
    const relation = quoteIdentifier(HOSTILE_TABLE);
    const summary = await plugin.client.runChecks(
      runRequest(suite, duckDbConnection(path), relation),
      {
        timeoutMs: 120_000,
      },
    );
    expect(
      inSuiteOrder(summary.checks, suite).map((c) => [
        c.checkName,
        c.status,
        c.recordsChecked,
        c.recordsFailed,
      ]),
    ).toEqual([
      ["name_present", CheckStatus.CHECK_STATUS_FAILED, 4, 1],
      ["name_known", CheckStatus.CHECK_STATUS_FAILED, 3, 1],
      ["name_no_quote", CheckStatus.CHECK_STATUS_FAILED, 3, 1],
    ]);
  });

  it("validates suites: unknown types, bad parameters and missing columns, each with its code and place", async () => {
    const suite = suiteOf("orders", [
      check("ok", "not_null", "email"),
      check("typo", "not_nul", "email"),
      check("inverted", "between", "amount", { min_value: 10, max_value: 1 }),
      check("ghost", "unique", "ghost_column"),
      check("ghost_pair", "pair_greater_than", "", { column_a: "amount", column_b: "phantom" }),
      check("may_be_missing", "column_exists", "later_column"),
    ]);
    const response = await plugin.client.validateSuite({
      suite,
      connection: duckDbConnection(path),
      relation: "orders",
    });
    expect(response.result?.success).toBe(false);
    expect(response.result?.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["FLOE-DQ101", "models.orders.quality_checks[1]"],
      ["FLOE-DQ101", "models.orders.quality_checks[2].parameters"],
    ]);
    const columnsOnly = suiteOf("orders", [
      check("ok", "not_null", "email"),
      check("ghost", "unique", "ghost_column"),
      check("ghost_pair", "pair_greater_than", "", { column_a: "amount", column_b: "phantom" }),
      check("may_be_missing", "column_exists", "later_column"),
    ]);
    const columns = await plugin.client.validateSuite({
      suite: columnsOnly,
      connection: duckDbConnection(path),
      relation: "orders",
    });
    expect(columns.result?.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["FLOE-DQ105", "models.orders.quality_checks[1].column"],
      ["FLOE-DQ105", "models.orders.quality_checks[2].parameters.column_b"],
    ]);
    expect(columns.result?.diagnostics[0]?.message).toContain(
      'column "ghost_column" does not exist',
    );
  });

  it("rejects a DuckDB file that does not exist, naming it, without creating it", async () => {
    const missing = `${path}.missing.duckdb`;
    const error = await plugin.client
      .runChecks(
        runRequest(
          suiteOf("orders", [check("a", "not_null", "id")]),
          duckDbConnection(missing),
          "orders",
        ),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "FLOE-DQ100" });
    expect((error as Error).message).toContain(missing);
    expect(existsSync(missing)).toBe(false);
  });

  it("reports each check on a table that does not exist as an error naming the table", async () => {
    const suite = suiteOf("no_such_model", [
      check("a", "not_null", "id"),
      check("b", "unique", "id"),
    ]);
    const summary = await plugin.client.runChecks(
      runRequest(suite, duckDbConnection(path), "no_such_model"),
      {
        timeoutMs: 120_000,
      },
    );
    expect(
      inSuiteOrder(summary.checks, suite).map((c) => [c.checkName, c.status, c.recordsChecked]),
    ).toEqual([
      ["a", CheckStatus.CHECK_STATUS_ERROR, 0],
      ["b", CheckStatus.CHECK_STATUS_ERROR, 0],
    ]);
    expect(summary.checks[0]?.errorMessage).toContain("no_such_model");
  });

  it("runs suites of two plugin processes sharing a work root at the same time, each with its own results", async () => {
    const second = await startDbtPlugin({ FLOE_DBT_WORKDIR: workRoot });
    try {
      const first = plugin.client.runChecks(
        runRequest(
          suiteOf("orders", [check("id_unique", "unique", "id")]),
          duckDbConnection(path),
          "orders",
        ),
        { timeoutMs: 120_000 },
      );
      const other = second.client.runChecks(
        runRequest(
          suiteOf("customers", [check("id_unique", "unique", "id")]),
          duckDbConnection(path),
          "customers",
        ),
        { timeoutMs: 120_000 },
      );
      const [orders, customers] = await Promise.all([first, other]);
      expect(
        orders.checks.map((c) => [c.checkName, c.status, c.recordsChecked, c.recordsFailed]),
      ).toEqual([["id_unique", CheckStatus.CHECK_STATUS_FAILED, 6, 2]]);
      expect(
        customers.checks.map((c) => [c.checkName, c.status, c.recordsChecked, c.recordsFailed]),
      ).toEqual([["id_unique", CheckStatus.CHECK_STATUS_PASSED, 3, 0]]);
    } finally {
      await second.stop();
    }
  });

  it("with fail_fast stops dbt at the first failed check and reports the rest skipped", async () => {
    const suite = {
      ...suiteOf(
        "slow",
        [
          check("missing_column", "column_exists", "no_such_column"),
          check("scan_1", "not_null", "n"),
          check("scan_2", "between", "n", { min_value: 0 }),
        ],
        60,
      ),
      failFast: true,
    };
    const started = Date.now();
    const summary = await plugin.client.runChecks(
      runRequest(suite, duckDbConnection(path), SLOW_VIEW),
      {
        timeoutMs: 60_000,
      },
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(inSuiteOrder(summary.checks, suite).map((c) => [c.checkName, c.status])).toEqual([
      ["missing_column", CheckStatus.CHECK_STATUS_FAILED],
      ["scan_1", CheckStatus.CHECK_STATUS_SKIPPED],
      ["scan_2", CheckStatus.CHECK_STATUS_SKIPPED],
    ]);
    expect(summary.checks.find((c) => c.checkName === "scan_1")?.errorMessage).toBe(
      'not run: fail_fast stopped the suite after check "missing_column" failed',
    );
    expect(processesMentioning(workRoot)).toEqual([]);
  });
});
