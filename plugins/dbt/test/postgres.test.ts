// The plugin through the host supervisor on a real PostgreSQL server with the
// same known defects as the DuckDB file: exact outcomes per check type, the
// deadline (dbt's process group killed, its queries cancelled) and a profile
// that cannot connect.
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contract } from "@floe/quality-sdk";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlugin } from "../../../host/src/index.js";
import { usePostgres } from "../../../test/support/postgres.js";
import {
  check,
  createPostgresFixture,
  inSuiteOrder,
  ORDERS_CASES,
  ORDERS_OBSERVED,
  observedValues,
  postgresConnection,
  processesMentioning,
  runRequest,
  startDbtPlugin,
  suiteOf,
} from "./support.js";

const { CheckStatus } = contract;
const SECRET = "pg-secret-7f3a91";

async function waitUntil(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

// dbt starts in seconds, more on a busy machine: every test gets two minutes.
describe("dbt_expectations on PostgreSQL", { timeout: 120_000 }, () => {
  const server = usePostgres();
  const workdir = mkdtempSync(join(tmpdir(), "floe-dbt-pg-work-"));
  let plugin: RunningPlugin;
  let dsn: string;

  beforeAll(async () => {
    dsn = await server().createDatabase("shop");
    await createPostgresFixture(dsn);
    plugin = await startDbtPlugin({ FLOE_DBT_WORKDIR: workdir });
  });
  afterAll(async () => {
    await plugin?.stop();
  });

  it("reports the exact status, records_checked, records_failed and observed value of every check type, leaving the password in no file", async () => {
    const suite = suiteOf(
      "orders",
      ORDERS_CASES.map(([c]) => c),
    );
    // The test server trusts loopback clients, so any password connects; it must not reach the disk.
    const connection = { ...postgresConnection(dsn), password: SECRET };
    const summary = await plugin.client.runChecks(runRequest(suite, connection, "public.orders"), {
      timeoutMs: 120_000,
    });
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
    const files = readdirSync(workdir, { recursive: true, encoding: "utf8" }).filter((f) =>
      statSync(join(workdir, f)).isFile(),
    );
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => readFileSync(join(workdir, f)).includes(SECRET))).toEqual([]);
    expect(JSON.stringify(summary)).not.toContain(SECRET);
  });

  it("runs dbt's PostgreSQL sessions read-only: a check's SQL cannot write", async () => {
    const admin = new pg.Client({ connectionString: dsn });
    await admin.connect();
    try {
      await admin.query("create sequence if not exists floe_write_probe");
      const suite = suiteOf("orders", [
        check("writes", "expression_is_true", "", {
          expression: "nextval('floe_write_probe') > 0",
        }),
      ]);
      const summary = await plugin.client.runChecks(
        runRequest(suite, postgresConnection(dsn), "orders"),
        { timeoutMs: 120_000 },
      );
      expect(summary.checks.map((c) => [c.checkName, c.status])).toEqual([
        ["writes", CheckStatus.CHECK_STATUS_ERROR],
      ]);
      expect(summary.checks[0]?.errorMessage).toContain("read-only transaction");
      const probe = await admin.query("select is_called from floe_write_probe");
      expect(probe.rows).toEqual([{ is_called: false }]);
    } finally {
      await admin.end();
    }
  });

  it("at the deadline kills every dbt process, cancels its query and reports the unfinished checks timed_out", async () => {
    const suite = suiteOf(
      "orders",
      [
        check("slow", "expression_is_true", "", {
          expression: "(select count(*) from pg_sleep(300)) = 1",
        }),
        check("quick", "not_null", "id"),
      ],
      12,
    );
    const summary = await plugin.client.runChecks(
      runRequest(suite, postgresConnection(dsn), "orders"),
      {
        timeoutMs: 12_000,
      },
    );
    // Judged by cause and order, never by the clock (a loaded machine stretches
    // every step): the statuses, then dbt's processes and its query gone.
    expect(
      inSuiteOrder(summary.checks, suite).map((c) => [c.checkName, c.status, c.errorCode]),
    ).toEqual([
      ["slow", CheckStatus.CHECK_STATUS_TIMED_OUT, "FLOE-DQ106"],
      // dbt finished it well before the deadline; the counting scan (which includes the slow
      // expression) did not, so it is reported just before the deadline, without counts.
      ["quick", CheckStatus.CHECK_STATUS_PASSED, ""],
    ]);
    await waitUntil(
      () => processesMentioning(workdir).length === 0,
      30_000,
      "dbt processes to end",
    );
    const client = new pg.Client({ connectionString: dsn });
    await client.connect();
    try {
      await waitUntil(
        async () =>
          (
            await client.query(
              "select count(*)::int as n from pg_stat_activity where application_name like 'floe-dbt-%' and state = 'active'",
            )
          ).rows[0].n === 0,
        30_000,
        "dbt's PostgreSQL query to be cancelled",
      );
    } finally {
      await client.end();
    }
    expect(processesMentioning(workdir)).toEqual([]);
  });

  it("fails the run with FLOE-DQ100 naming the server and the profile when the profile cannot connect", async () => {
    const port = await closedPort();
    const connection = { ...postgresConnection(dsn), port };
    const suite = suiteOf("orders", [check("a", "not_null", "id"), check("b", "unique", "id")]);
    const error = await plugin.client
      .runChecks(runRequest(suite, connection, "orders"), { timeoutMs: 120_000 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "FLOE-DQ100", path: "compute" });
    expect((error as Error).message).toContain(
      `dbt could not connect to 127.0.0.1:${port}/shop as postgres`,
    );
    expect((error as Error).message).toContain("Connection refused");
    expect((error as { file: string }).file).toMatch(/profiles\.yml$/);
  });
});
