// `floe-quality init --postgres` on a real throwaway PostgreSQL: declared keys
// (a primary key, a composite unique constraint) become the starter checks, a
// hostile table name survives the round trip, and the password is written as a
// reference, never as its value.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { usePostgres } from "../support/postgres.js";
import { floeQuality } from "./support.js";

vi.setConfig({ testTimeout: 90_000 });

const postgres = usePostgres();
const SECRET = `pw-${randomBytes(12).toString("hex")}`;
let dir: string;
let dsn: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-init-pg-"));
  dsn = await postgres().createDatabase("shop");
  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  try {
    for (const sql of [
      "CREATE SCHEMA sales",
      "CREATE TABLE sales.orders (order_no INTEGER PRIMARY KEY, amount NUMERIC, note TEXT)",
      'CREATE TABLE sales."Odd ""Name""" (region TEXT, day DATE, total NUMERIC, UNIQUE (region, day))',
      "INSERT INTO sales.orders VALUES (1, 10, 'a'), (2, 20, NULL)",
      `INSERT INTO sales."Odd ""Name""" VALUES ('eu', '2026-01-01', 5), ('us', '2026-01-01', 7)`,
      "CREATE TABLE public.elsewhere (id INTEGER)",
    ]) {
      await client.query(sql);
    }
  } finally {
    await client.end();
  }
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("init --postgres", () => {
  it("writes models with the declared keys' checks and the password as a reference", async () => {
    const server = postgres();
    const url = `postgres://${server.user}@${server.host}:${server.port}/shop`;
    const env = { PGPASSWORD: SECRET, FLOE_LINEAGE_TRANSPORT: "none" };
    const init = await floeQuality(["init", "--postgres", url, "--schema", "sales"], {
      cwd: dir,
      env,
    });
    expect(init.stderr).toBe("");
    expect(init.stdout).toBe('wrote floe.yaml: 2 models (Odd "Name", orders), 5 starter checks\n');
    const text = await readFile(join(dir, "floe.yaml"), "utf8");
    expect(text).not.toContain(SECRET);
    expect(parse(text)).toEqual({
      name: "shop",
      compute: {
        dialect: "postgres",
        host: server.host,
        port: server.port,
        database: "shop",
        user: server.user,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a floe `${env:NAME}` reference
        password: "${env:PGPASSWORD}",
        schema: "sales",
      },
      models: [
        {
          name: 'Odd "Name"',
          tier: "bronze",
          columns: ["region", "day", "total"],
          quality_checks: [
            { name: "region_not_null", type: "not_null", column: "region", severity: "critical" },
            { name: "day_not_null", type: "not_null", column: "day", severity: "critical" },
            {
              name: 'Odd "Name"_key_unique',
              type: "compound_unique",
              severity: "critical",
              parameters: { columns: ["region", "day"] },
            },
          ],
        },
        {
          name: "orders",
          tier: "bronze",
          columns: ["order_no", "amount", "note"],
          quality_checks: [
            {
              name: "order_no_not_null",
              type: "not_null",
              column: "order_no",
              severity: "critical",
            },
            { name: "order_no_unique", type: "unique", column: "order_no", severity: "critical" },
          ],
        },
      ],
    });
    const run = await floeQuality(["run", "--config", "floe.yaml", "--json"], { cwd: dir, env });
    expect(run.stdout).not.toContain(SECRET);
    expect(run.stderr).not.toContain(SECRET);
    const report = JSON.parse(run.stdout);
    expect(
      report.runs.map((r: { model: string; verdict: string; score: { checks_passed: number } }) => [
        r.model,
        r.verdict,
        r.score.checks_passed,
      ]),
    ).toEqual([
      ['Odd "Name"', "pass", 3],
      ["orders", "pass", 2],
    ]);
  });
});
