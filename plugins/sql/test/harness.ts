// Shared helpers of the floe_sql tests: checks as the host sends them, and
// both engines opened on the same fixture.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contract } from "@floe/quality-sdk";
import { afterAll, beforeAll } from "vitest";
import { startPostgres } from "../../../test/support/postgres.js";
import { parseRelation } from "../src/compile/index.js";
import { openDuckDb } from "../src/engines/duckdb.js";
import type { Engine, EngineOptions, QueryLogEntry } from "../src/engines/engine.js";
import { openPostgres } from "../src/engines/postgres.js";
import { runSuite, type SuiteRun } from "../src/run.js";
import { DEFAULT_TABLES, type FixtureTable, seedDuckDb, seedPostgres } from "./fixture.js";

export function check(
  name: string,
  type: string,
  column: string,
  parameters: Record<string, unknown> = {},
  extra: Partial<contract.QualityCheck> = {},
): contract.QualityCheck {
  return {
    name,
    type,
    column,
    dimension: contract.Dimension.DIMENSION_UNSPECIFIED,
    severity: contract.Severity.SEVERITY_CRITICAL,
    customWeight: undefined,
    parameters,
    enabled: true,
    ...extra,
  };
}

export interface EngineUnderTest {
  readonly name: "duckdb" | "postgres";
  open(options?: EngineOptions): Promise<Engine>;
  /** Connection fields as RunChecks carries them. */
  connection(): contract.Connection;
  /** A raw SQL escape hatch for assertions (a separate session / read-write handle). */
  rawQuery(sql: string): Promise<Record<string, unknown>[]>;
}

/** Registers beforeAll/afterAll that seed both engines with `tables`; returns them. */
export function useEngines(tables: readonly FixtureTable[] = DEFAULT_TABLES): EngineUnderTest[] {
  let dir = "";
  let stopPostgres: (() => Promise<void>) | undefined;
  let dsn = "";
  let pgPort = 0;
  const duck: EngineUnderTest = {
    name: "duckdb",
    open: (options) => openDuckDb({ path: join(dir, "fixture.duckdb") }, options),
    connection: () => ({
      ...emptyConnection(),
      dialect: "duckdb",
      path: join(dir, "fixture.duckdb"),
    }),
    async rawQuery(sql) {
      const { DuckDBInstance } = await import("@duckdb/node-api");
      const instance = await DuckDBInstance.create(join(dir, "fixture.duckdb"), {
        access_mode: "READ_ONLY",
      });
      const connection = await instance.connect();
      try {
        return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<
          string,
          unknown
        >[];
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    },
  };
  const postgres: EngineUnderTest = {
    name: "postgres",
    open: (options) =>
      openPostgres(
        { host: "127.0.0.1", port: pgPort, database: "fixture", user: "postgres" },
        options,
      ),
    connection: () => ({
      ...emptyConnection(),
      dialect: "postgres",
      host: "127.0.0.1",
      port: pgPort,
      database: "fixture",
      user: "postgres",
    }),
    async rawQuery(sql) {
      const pg = (await import("pg")).default;
      const client = new pg.Client({ connectionString: dsn });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    },
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "floe-sql-"));
    const server = await startPostgres();
    stopPostgres = () => server.stop();
    pgPort = server.port;
    dsn = await server.createDatabase("fixture");
    await Promise.all([seedDuckDb(join(dir, "fixture.duckdb"), tables), seedPostgres(dsn, tables)]);
  });
  afterAll(async () => {
    await stopPostgres?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return [duck, postgres];
}

export function emptyConnection(): contract.Connection {
  return {
    dialect: "",
    host: "",
    port: 0,
    database: "",
    user: "",
    password: "",
    path: "",
    schema: "",
    options: {},
  };
}

/** Runs `checks` on `relation` and returns the results by check name, plus the statements issued. */
export async function runOn(
  target: EngineUnderTest,
  relation: string,
  checks: contract.QualityCheck[],
  options: Partial<Omit<SuiteRun, "engine" | "relation" | "checks">> & {
    engine?: EngineOptions;
  } = {},
): Promise<{
  results: Map<string, contract.QualityCheckResult>;
  order: string[];
  queries: QueryLogEntry[];
}> {
  const queries: QueryLogEntry[] = [];
  const engine = await target.open({ ...options.engine, onQuery: (e) => queries.push(e) });
  const results = new Map<string, contract.QualityCheckResult>();
  const order: string[] = [];
  try {
    for await (const result of runSuite({
      ...options,
      engine,
      relation: parseRelation(relation),
      checks,
    })) {
      results.set(result.checkName, result);
      order.push(result.checkName);
    }
  } finally {
    await engine.close();
  }
  return { results, order, queries };
}

/** The fields the tests assert, in one comparable object. */
export function summary(result: contract.QualityCheckResult | undefined) {
  if (!result) return undefined;
  return {
    status: contract.CheckStatus[result.status],
    passed: result.passed,
    checked: result.recordsChecked,
    failed: result.recordsFailed,
  };
}
