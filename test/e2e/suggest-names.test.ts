// `floe-quality suggest` on a table whose relation and column names are hostile
// (quotes, SQL, spaces, mixed case, non-ASCII), on a DuckDB file and on a real
// throwaway PostgreSQL, through the built CLI and the floe_sql plugin: the
// profile and the suggested checks quote every name, the checks pass on the
// data, and a bad row fails exactly the checks that guard against it.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { quoteIdentifier } from "@floe/quality-sdk";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { usePostgres } from "../support/postgres.js";
import { floeQuality } from "./support.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// A session time zone far from UTC: a bound written without its zone would move by five hours.
const postgres = usePostgres({ settings: { timezone: "America/New_York" } });
const env = { FLOE_LINEAGE_TRANSPORT: "none", FLOE_HISTORY_URL: "none" };

const TABLE = 'we"ird table';
const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ["id", "INTEGER"],
  ['na"me', "VARCHAR(40)"],
  ["drop table x; --", "VARCHAR(10)"],
  ["Mixed Case", "DOUBLE PRECISION"],
  ["ünï day", "DATE"],
  ["seen at", "TIMESTAMPTZ"],
];
const ROWS: ReadonlyArray<ReadonlyArray<string | number>> = [
  [1, "ann", "a", 1.5, "2026-01-01", "2026-01-01 10:00:00+00"],
  [2, "bob", "b", 2.5, "2026-01-02", "2026-01-02 10:00:00+00"],
  [3, "cy", "a", 3.5, "2026-01-03", "2026-01-03 10:00:00+00"],
  [4, "dee", "b", 4.5, "2026-01-04", "2026-01-04 10:00:00+00"],
  [5, "eve", "a", 5.5, "2026-01-05", "2026-01-05 10:00:00+00"],
  [6, "fay", "b", 6.5, "2026-01-06", "2026-01-06 10:00:00+00"],
];
/** A row that breaks every value-based suggestion except not_null. */
const BAD_ROW = [7, "ann", "c", 99, "2025-12-31", "2026-01-01 09:59:59+00"];

function statements(dialect: "duckdb" | "postgres", rows: typeof ROWS) {
  const table = quoteIdentifier(TABLE, dialect);
  const columns = COLUMNS.map(([n, t]) => `${quoteIdentifier(n, dialect)} ${t}`).join(", ");
  const values = COLUMNS.map(([, t], i) => `CAST($${i + 1} AS ${t})`).join(", ");
  return [
    { sql: `CREATE TABLE ${table} (${columns})`, params: [] as Array<string | number> },
    ...rows.map((row) => ({ sql: `INSERT INTO ${table} VALUES (${values})`, params: [...row] })),
  ];
}

async function createDuckdb(path: string, rows: typeof ROWS): Promise<void> {
  await rm(path, { force: true });
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    for (const s of statements("duckdb", rows)) {
      await connection.run(
        s.sql,
        s.params.map((p) => String(p)),
      );
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function createPostgres(dsn: string, rows: typeof ROWS): Promise<void> {
  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${quoteIdentifier(TABLE, "postgres")}`);
    for (const s of statements("postgres", rows)) await client.query(s.sql, s.params);
  } finally {
    await client.end();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: CLI JSON documents as printed
type Json = any;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-suggest-names-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const EXPECTED_CHECKS = [
  ["odd_not_empty", "row_count_between", undefined, { min_value: 1 }],
  ["id_not_null", "not_null", "id", undefined],
  ["id_unique", "unique", "id", undefined],
  ["id_range", "between", "id", { min_value: 1, max_value: 6 }],
  ['na"me_not_null', "not_null", 'na"me', undefined],
  ['na"me_unique', "unique", 'na"me', undefined],
  ['na"me_format', "regex", 'na"me', { regex: "^[a-z][a-z0-9_]*$" }],
  ["drop table x; --_not_null", "not_null", "drop table x; --", undefined],
  ["drop table x; --_accepted", "accepted_values", "drop table x; --", { values: ["a", "b"] }],
  ["Mixed Case_not_null", "not_null", "Mixed Case", undefined],
  ["Mixed Case_range", "between", "Mixed Case", { min_value: 1.5, max_value: 6.5 }],
  ["ünï day_not_null", "not_null", "ünï day", undefined],
  ["ünï day_since", "between", "ünï day", { min_value: "2026-01-01" }],
  ["seen at_not_null", "not_null", "seen at", undefined],
  ["seen at_since", "between", "seen at", { min_value: "2026-01-01 10:00:00+00:00" }],
];

const BAD_ROW_FAILS = [
  "id_range",
  'na"me_unique',
  "drop table x; --_accepted",
  "Mixed Case_range",
  "ünï day_since",
  "seen at_since",
];

describe.each(["duckdb", "postgres"] as const)("suggest with hostile names on %s", (dialect) => {
  let product: Json;
  let load: (rows: typeof ROWS) => Promise<void>;

  beforeAll(async () => {
    if (dialect === "duckdb") {
      const path = join(dir, "odd.duckdb");
      load = (rows) => createDuckdb(path, rows);
      product = { dialect: "duckdb", path: "odd.duckdb" };
    } else {
      const server = postgres();
      const dsn = await server.createDatabase("odd");
      load = (rows) => createPostgres(dsn, rows);
      product = {
        dialect: "postgres",
        host: server.host,
        port: server.port,
        database: "odd",
        user: server.user,
      };
    }
    await load(ROWS);
  });

  it("quotes every name, proposes checks the data passes, and they fail on a bad row", async () => {
    const config = (models: unknown[]) => stringify({ name: "odd", compute: product, models });
    const file = `${dialect}.yaml`;
    const relation = quoteIdentifier(TABLE, dialect);
    await writeFile(join(dir, file), config([{ name: "odd", relation }]));
    const suggest = await floeQuality(
      ["suggest", "--config", file, "--model", "odd", "--tier", "silver", "--json"],
      { cwd: dir, env },
    );
    expect(suggest.stderr).not.toContain("error");
    expect(suggest.code).toBe(0);
    const doc = JSON.parse(suggest.stdout);
    expect(doc.gate).toMatchObject({ passed: true, tier: "silver", coverage_actual: 100 });
    expect(doc.model.columns).toEqual(COLUMNS.map(([n]) => n));
    expect(
      doc.model.quality_checks.map((c: Json) => [c.name, c.type, c.column, c.parameters]),
    ).toEqual(EXPECTED_CHECKS);

    await writeFile(join(dir, file), config([doc.model]));
    const clean = await floeQuality(["run", "--config", file, "--json"], { cwd: dir, env });
    expect(clean.code).toBe(0);
    const checks = JSON.parse(clean.stdout).runs[0].suite_result.checks;
    expect(checks.filter((c: Json) => c.status !== "passed")).toEqual([]);

    await load([...ROWS, BAD_ROW]);
    const bad = await floeQuality(["run", "--config", file, "--json"], { cwd: dir, env });
    const failed = JSON.parse(bad.stdout)
      .runs[0].suite_result.checks.filter((c: Json) => c.status !== "passed")
      .map((c: Json) => [c.check_name, c.status]);
    expect(failed).toEqual(BAD_ROW_FAILS.map((n) => [n, "failed"]));
  });
});
