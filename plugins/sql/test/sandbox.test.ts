// What a check's SQL can reach: on DuckDB the one database file and nothing else
// (no file reads, COPY, ATTACH, extensions or SET past the locked configuration);
// on PostgreSQL read-only sessions whose statements are rolled back, with a
// statement timeout. And a cancel that lands while DuckDB still prepares the
// statement is not lost.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { QueryCancelledError } from "../src/engines/engine.js";
import { useEngines } from "./harness.js";

const [duck, postgres] = useEngines();
const dir = mkdtempSync(join(tmpdir(), "floe-sql-sandbox-"));
const canary = join(dir, "canary.txt");
writeFileSync(canary, "canary-file-content");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const statement = (sql: string) => ({ sql, params: [] });

/** The rejection message of a query, or "ok: <rows>". */
async function outcome(engine: Awaited<ReturnType<NonNullable<typeof duck>["open"]>>, sql: string) {
  try {
    return `ok: ${JSON.stringify(await engine.query(statement(sql)))}`;
  } catch (error) {
    return (error as Error).message.split("\n")[0];
  }
}

describe("DuckDB", () => {
  it("reads its own database file and nothing past it", async () => {
    const engine = await duck!.open();
    try {
      expect(await outcome(engine, "SELECT count(*)::INTEGER AS n FROM orders")).toBe(
        'ok: [{"n":8}]',
      );
      const refusals = [
        `SELECT content FROM read_text('${canary}')`,
        `SELECT * FROM read_csv('${canary}')`,
        `SELECT * FROM read_blob('${canary}')`,
        "SELECT count(*) FROM glob('/etc/*')",
        `COPY orders TO '${join(dir, "out.csv")}'`,
        `ATTACH '${join(dir, "other.duckdb")}' AS other`,
        "INSTALL httpfs",
        "LOAD httpfs",
      ];
      for (const sql of refusals) {
        expect(await outcome(engine, sql), sql).toMatch(/^Permission Error: /);
      }
      expect(await outcome(engine, "SET enable_external_access = true")).toBe(
        'Invalid Input Error: Cannot change configuration option "enable_external_access" - the configuration has been locked',
      );
    } finally {
      await engine.close();
    }
  });

  it("cancels a statement whatever the moment the cancel arrives, preparing included", async () => {
    const engine = await duck!.open();
    const slow = statement("SELECT count(*) FROM range(100000000000) AS r(x) WHERE x % 7 = 3");
    try {
      const moments: Array<(abort: () => void) => void> = [
        (abort) => abort(),
        (abort) => queueMicrotask(abort),
        (abort) => setImmediate(abort),
        ...[0, 1, 2, 3, 5, 8, 13, 21].map((ms) => (abort: () => void) => setTimeout(abort, ms)),
      ];
      for (const [i, at] of moments.entries()) {
        const controller = new AbortController();
        const running = engine.query(slow, controller.signal);
        at(() => controller.abort());
        // A lost cancel leaves the scan running for minutes: the generous deadline is the failure.
        const settled = await Promise.race([
          running.then(
            () => "finished",
            (error: unknown) =>
              error instanceof QueryCancelledError ? "cancelled" : String(error),
          ),
          new Promise<string>((done) => setTimeout(() => done("still running"), 30_000).unref()),
        ]);
        expect(settled, `cancel moment ${i}`).toBe("cancelled");
      }
    } finally {
      await engine.close();
    }
  }, 120_000);
});

describe("PostgreSQL", () => {
  it("rolls back what a statement changed in its session, which stays read-only", async () => {
    const engine = await postgres!.open({ concurrency: 1 });
    try {
      expect(
        await outcome(
          engine,
          "SELECT set_config('default_transaction_read_only', 'off', false) AS v",
        ),
      ).toBe('ok: [{"v":"off"}]');
      expect(await outcome(engine, "SHOW default_transaction_read_only")).toBe(
        'ok: [{"default_transaction_read_only":"on"}]',
      );
      expect(await outcome(engine, "CREATE TABLE planted (x int)")).toBe(
        "cannot execute CREATE TABLE in a read-only transaction",
      );
      expect(await outcome(engine, "SHOW statement_timeout")).toBe(
        'ok: [{"statement_timeout":"10min"}]',
      );
    } finally {
      await engine.close();
    }
  });
});
