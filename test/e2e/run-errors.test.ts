// Errors apart from failures: a warehouse that is down, a wrong password, a
// missing table and a timeout give verdict `error` and exit 3 with a cause and
// a retryable flag — in the text, the JSON, the gRPC outcome and lineage —
// while bad data still exits 1. Real floe_sql processes, a real PostgreSQL
// (password authentication for the application role) and a real DuckDB file.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDemoWarehouse } from "../../host/src/cli/commands/demo.js";
import { usePostgres } from "../support/postgres.js";
import {
  compileShop,
  createDemoDatabase,
  floeQuality,
  orchestrate,
  type ServeProcess,
  startServe,
} from "./support.js";

// Real processes on a shared 2-core machine: generous deadlines, never sleeps.
vi.setConfig({ testTimeout: 90_000 });

// Password authentication for every role but the superuser the fixture uses.
const hbaDir = mkdtempSync(join(tmpdir(), "floe-hba-"));
chmodSync(hbaDir, 0o755);
const HBA = join(hbaDir, "pg_hba.conf");
writeFileSync(
  HBA,
  [
    "local all all trust",
    "host all postgres 127.0.0.1/32 trust",
    "host all all 127.0.0.1/32 scram-sha-256",
    "",
  ].join("\n"),
);
chmodSync(HBA, 0o644);
const postgres = usePostgres({ settings: { hba_file: HBA, password_encryption: "scram-sha-256" } });

// biome-ignore lint/suspicious/noTemplateCurlyInString: a floe `${env:NAME}` reference
const PASSWORD = "${env:SHOP_PG_PASSWORD}";
let dir: string;
let duck: string;
let missingTable: string;
let pgArtifacts: string;
let downArtifacts: string;
let slowArtifacts: string;

/** A loopback port nothing listens on: the warehouse is down. */
async function closedPort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

const env = (extra: NodeJS.ProcessEnv = {}) => ({
  FLOE_LINEAGE_TRANSPORT: "file",
  FLOE_STATE_DIR: join(dir, "state"),
  SHOP_PG_PASSWORD: "right-password",
  ...extra,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-errors-"));
  await createDemoWarehouse(join(dir, "warehouse.duckdb"));
  duck = await compileShop(
    await sub("duck"),
    `dialect: duckdb\npath: ${join(dir, "warehouse.duckdb")}`,
  );
  const artifacts = JSON.parse(await readFile(duck, "utf8"));
  artifacts.models[1].relation = "main.orders_not_built";
  missingTable = join(dir, "missing.json");
  writeFileSync(missingTable, JSON.stringify(artifacts));

  const server = postgres();
  await createDemoDatabase(server, "shop", [
    "CREATE ROLE etl LOGIN PASSWORD 'right-password'",
    "GRANT USAGE ON SCHEMA main TO etl",
    "GRANT SELECT ON ALL TABLES IN SCHEMA main, public TO etl",
  ]);
  const pgCompute = (port: number) =>
    [
      "dialect: postgres",
      `host: "${server.host}"`,
      `port: ${port}`,
      "database: shop",
      "user: etl",
      `password: "${PASSWORD}"`,
    ].join("\n");
  pgArtifacts = await compileShop(await sub("pg"), pgCompute(server.port));
  downArtifacts = await compileShop(await sub("down"), pgCompute(await closedPort()));
  // Every row of order_events sleeps: the suite cannot finish within a second.
  const slow = JSON.parse(await readFile(pgArtifacts, "utf8"));
  const events = slow.models.find((m: { name: string }) => m.name === "order_events");
  events.quality_checks = [
    {
      name: "slow_rows",
      type: "expression_is_true",
      dimension: "validity",
      severity: "critical",
      parameters: { expression: "pg_sleep(0.5) IS NOT NULL" },
      enabled: true,
    },
  ];
  slowArtifacts = join(dir, "slow.json");
  writeFileSync(slowArtifacts, JSON.stringify(slow));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await rm(hbaDir, { recursive: true, force: true });
});

async function sub(name: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(path);
  return path;
}

// biome-ignore lint/suspicious/noExplicitAny: OpenLineage events as written
async function lineageEvents(): Promise<Array<Record<string, any>>> {
  const text = await readFile(join(dir, "state", "lineage.jsonl"), "utf8").catch(() => "");
  return text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

// biome-ignore lint/suspicious/noExplicitAny: JSON documents as printed
type Json = any;

function runJson(args: string[], extra?: NodeJS.ProcessEnv) {
  return floeQuality([...args, "--json", "--quiet"], { cwd: dir, env: env(extra) }).then((run) => ({
    ...run,
    report: JSON.parse(run.stdout) as Json,
  }));
}

describe("a model whose checks could not run", () => {
  it("warehouse down: verdict error, exit 3, unavailable and retryable, no score", async () => {
    const { code, report } = await runJson([
      "run",
      "--artifacts",
      downArtifacts,
      "--model",
      "orders",
    ]);
    expect(code).toBe(3);
    expect(report.verdict).toBe("error");
    expect(report.exit_code).toBe(3);
    expect(report.score).toBeNull();
    expect(report.error).toMatchObject({
      cause: "unavailable",
      retryable: true,
      code: "FLOE-DQ108",
    });
    expect(report.errors).toHaveLength(10);
    expect(report.errors[0].message).toContain("ECONNREFUSED");
    expect(report.suite_result.checks.every((c: Json) => c.status === "error")).toBe(true);
    expect(report.diagnostics.map((d: Json) => d.code)).toEqual(["FLOE-DQ108"]);
  });

  it("warehouse down: the text says what to do, per cause", async () => {
    const run = await floeQuality(
      ["run", "--artifacts", downArtifacts, "--model", "orders", "--quiet"],
      { cwd: dir, env: env() },
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(
      "orders (silver, floe_sql): 0 passed, 0 failed, 10 could not run\n",
    );
    expect(run.stdout).toMatch(
      /^ {2}ERROR +order_id_present +not_null .*unavailable, retryable: /m,
    );
    expect(run.stdout).toContain(
      "  no score → ERROR: 10 check(s) could not run (unavailable, retryable)\n",
    );
    expect(run.stdout).toContain(
      "  unavailable (10): The warehouse or the plugin could not be reached: retry once it answers (the data was not judged).\n",
    );
    expect(run.stdout).not.toContain("fix the data");
    expect(run.stderr).toMatch(
      /^error FLOE-DQ108 orders: model orders: 10 check\(s\) could not run/m,
    );
  });

  it("wrong password: verdict error, exit 3, config and not retryable", async () => {
    const { code, report } = await runJson(
      ["run", "--artifacts", pgArtifacts, "--model", "orders"],
      { SHOP_PG_PASSWORD: "wrong-password" },
    );
    expect(code).toBe(3);
    expect(report.verdict).toBe("error");
    expect(report.error).toMatchObject({ cause: "config", retryable: false });
    expect(report.errors[0].message).toContain('password authentication failed for user "etl"');
    expect(JSON.stringify(report)).not.toContain("wrong-password");
  });

  it("the right password: the same artifacts judge the data (warn, exit 0)", async () => {
    const { code, report } = await runJson([
      "run",
      "--artifacts",
      pgArtifacts,
      "--model",
      "orders",
    ]);
    expect(report.error).toBeNull();
    expect(report.verdict).toBe("warn");
    expect(code).toBe(0);
  });

  it("missing table: verdict error, exit 3, config, naming the relation", async () => {
    const { code, report } = await runJson([
      "run",
      "--artifacts",
      missingTable,
      "--model",
      "orders",
    ]);
    expect(code).toBe(3);
    expect(report.error).toMatchObject({ cause: "config", retryable: false });
    expect(report.errors[0].message).toContain("orders_not_built");
    expect(report.score).toBeNull();
  });

  it("timeout: verdict error, exit 3, timeout and retryable", async () => {
    const { code, report } = await runJson([
      "run",
      "--artifacts",
      slowArtifacts,
      "--model",
      "order_events",
      "--timeout",
      "1",
    ]);
    expect(code).toBe(3);
    expect(report.suite_result.checks.map((c: Json) => c.status)).toEqual(["timed_out"]);
    expect(report.error).toMatchObject({ cause: "timeout", retryable: true });
    expect(report.errors[0].code).toBe("FLOE-DQ106");
  });

  it("a data failure still exits 1 with a score", async () => {
    const { code, report } = await runJson(["run", "--artifacts", duck, "--model", "customers"]);
    expect(code).toBe(1);
    expect(report.verdict).toBe("fail");
    expect(report.error).toBeNull();
    expect(report.score.overall).toBeCloseTo(202 / 3, 10);
  });

  it("lineage: FAIL with the error facets for an outage, not a quality failure", async () => {
    await runJson(["run", "--artifacts", downArtifacts, "--model", "order_events"]);
    const events = await lineageEvents();
    const fail = events.findLast(
      (e) => e.eventType === "FAIL" && e.job.name === "order_events.quality",
    )!;
    expect(fail.run.facets.floeQualityError).toMatchObject({
      cause: "unavailable",
      retryable: true,
      code: "FLOE-DQ108",
    });
    expect(fail.run.facets.floeQualityError.checks).toHaveLength(4);
    expect(fail.run.facets.errorMessage.message).toMatch(
      /^FLOE-DQ108: model order_events: 4 check/,
    );
    // No score facet and no failed assertions: the data was not judged.
    expect(fail.run.facets.floeQualityScore).toBeUndefined();
    expect(fail.inputs[0].inputFacets).toBeUndefined();
  });

  it("rolls several models up: errors (3) over failures (1)", async () => {
    const { code, report } = await runJson(["run", "--artifacts", missingTable, "--all"]);
    expect(report.runs.map((r: Json) => [r.model, r.verdict, r.exit_code])).toEqual([
      ["customers", "fail", 1],
      ["orders", "error", 3],
      ["order_events", "pass", 0],
    ]);
    expect(report.exit_code).toBe(3);
    expect(code).toBe(3);
  });
});

describe("over gRPC", () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServe(["--listen", "127.0.0.1:0"], { cwd: dir, env: env() });
  });
  afterAll(async () => {
    await serve?.stop();
  });

  it("the outcome is VERDICT_ERROR with cause and retryable; progress carries each check's cause", async () => {
    const [down, missing] = await orchestrate(serve.address, [
      { method: "run", model: "orders", artifactsPath: downArtifacts },
      { method: "run", model: "orders", artifactsPath: missingTable },
    ]);
    expect(down.outcome.verdict).toBe("VERDICT_ERROR");
    expect(down.outcome.overall).toBeNull();
    expect(down.outcome.error).toEqual({
      cause: "ERROR_CAUSE_UNAVAILABLE",
      retryable: true,
      code: "FLOE-DQ108",
    });
    expect(down.progress).toHaveLength(10);
    expect(down.progress.every((p: Json) => p.cause === "ERROR_CAUSE_UNAVAILABLE")).toBe(true);
    expect(missing.outcome.error).toEqual({
      cause: "ERROR_CAUSE_CONFIG",
      retryable: false,
      code: "FLOE-DQ108",
    });
  });
});
