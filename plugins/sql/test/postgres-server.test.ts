import { existsSync } from "node:fs";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { startPostgres } from "../../../test/support/postgres.js";

describe("throwaway PostgreSQL (test/support/postgres.ts)", () => {
  it("starts, accepts queries, creates databases and stops cleanly", async () => {
    const server = await startPostgres();
    let client: pg.Client | undefined;
    try {
      expect(server.host).toBe("127.0.0.1");
      const dsn = await server.createDatabase('we"ird db');
      client = new pg.Client({ connectionString: dsn });
      await client.connect();
      const { rows } = await client.query(
        "select current_database() as db, current_setting('fsync') as fsync",
      );
      expect(rows[0]).toEqual({ db: 'we"ird db', fsync: "off" });
    } finally {
      await client?.end();
      await server.stop();
    }
    const probe = new pg.Client({
      host: server.host,
      port: server.port,
      user: server.user,
      database: "postgres",
    });
    await expect(probe.connect()).rejects.toThrow();
    await server.stop();
  });

  it("removes its data directory on stop", async () => {
    const server = await startPostgres();
    const { rows } = await (async () => {
      const c = new pg.Client({ connectionString: server.dsn });
      await c.connect();
      try {
        return await c.query("select current_setting('data_directory') as dir");
      } finally {
        await c.end();
      }
    })();
    const dir = rows[0].dir as string;
    expect(existsSync(dir)).toBe(true);
    await server.stop();
    expect(existsSync(dir)).toBe(false);
  });
});
