// An orchestrator (its own process) calls `floe-quality serve` (a real child
// process) after each model of the shop product, on DuckDB and on PostgreSQL,
// with floe_sql as a real plugin process, a local lineage backend and a local
// OTLP receiver. Scores, verdicts, lineage, traces, secrets and bad input.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDemoWarehouse, demoWarehouseStatements } from "../../host/src/cli/commands/demo.js";
import { usePostgres } from "../support/postgres.js";
import {
  compileShop,
  floeQuality,
  type LineageReceiver,
  makePki,
  orchestrate,
  type ReceivedSpan,
  ROOT,
  type ServeProcess,
  startLineageReceiver,
  startOtlpReceiver,
  startServe,
  waitFor,
} from "./support.js";

// Real processes on a shared 2-core machine: generous deadlines, never sleeps.
vi.setConfig({ testTimeout: 60_000 });

const postgres = usePostgres();
// biome-ignore lint/suspicious/noTemplateCurlyInString: a floe `${env:NAME}` reference, not a template
const PASSWORD_REFERENCE = "${env:SHOP_PG_PASSWORD}";
const SECRET = `pw-${randomBytes(12).toString("hex")}`;

let dir: string;
let duckArtifacts: string;
let pgArtifacts: string;
let lineage: LineageReceiver;
let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
let serve: ServeProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-orchestrator-"));
  await mkdir(join(dir, "duckdb"));
  await mkdir(join(dir, "postgres"));
  const warehouse = join(dir, "warehouse.duckdb");
  await createDemoWarehouse(warehouse);
  duckArtifacts = await compileShop(join(dir, "duckdb"), `dialect: duckdb\npath: ${warehouse}`);

  const server = postgres();
  const dsn = await server.createDatabase("shop");
  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  try {
    for (const s of demoWarehouseStatements("postgres")) await client.query(s.sql, s.params);
  } finally {
    await client.end();
  }
  pgArtifacts = await compileShop(
    join(dir, "postgres"),
    [
      "dialect: postgres",
      `host: "${server.host}"`,
      `port: ${server.port}`,
      "database: shop",
      `user: ${server.user}`,
      `password: "${PASSWORD_REFERENCE}"`,
    ].join("\n"),
  );

  lineage = await startLineageReceiver();
  otlp = await startOtlpReceiver();
  serve = await startServe(["--listen", "127.0.0.1:0"], {
    cwd: dir,
    env: {
      OPENLINEAGE_URL: lineage.url,
      FLOE_STATE_DIR: join(dir, "state"),
      SHOP_PG_PASSWORD: SECRET,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      FLOE_LOG_LEVEL: "debug",
      FLOE_PLUGIN_LOG_LEVEL: "debug",
    },
  });
});

afterAll(async () => {
  await serve?.stop();
  await otlp?.close();
  await lineage?.down();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const EXPECTED = {
  customers: {
    verdict: "VERDICT_FAIL",
    overall: 202 / 3,
    dimensions: {
      completeness: 100,
      accuracy: 100 / 3,
      validity: 50,
      consistency: 60,
      timeliness: 100,
    },
    passed: 8,
    failed: 5,
    progress: 13,
    violations: ["score 67.33 is below the gold gate's min_score 90"],
    diagnostics: ["FLOE-DQ102"],
    tier: "gold",
  },
  orders: {
    verdict: "VERDICT_WARN",
    overall: 585 / 7,
    dimensions: {
      completeness: 100,
      accuracy: 100,
      validity: 50,
      consistency: 400 / 7,
      timeliness: 100,
    },
    passed: 8,
    failed: 2,
    progress: 10,
    violations: ["score 83.57 is below warn_score 85"],
    diagnostics: [],
    tier: "silver",
  },
  order_events: {
    verdict: "VERDICT_PASS",
    overall: 100,
    dimensions: {
      completeness: 100,
      accuracy: 100,
      validity: 100,
      consistency: 100,
      timeliness: 100,
    },
    passed: 4,
    failed: 0,
    progress: 5,
    violations: [],
    diagnostics: [],
    tier: "bronze",
  },
} as const;

const MODELS = Object.keys(EXPECTED) as Array<keyof typeof EXPECTED>;

function expectOutcome(
  result: { progress: unknown[]; outcome: Record<string, unknown> },
  model: keyof typeof EXPECTED,
) {
  const want = EXPECTED[model];
  const got = result.outcome as {
    verdict: string;
    overall: number;
    dimension_scores: Record<string, number>;
    checks_passed: number;
    checks_failed: number;
    violations: string[];
    diagnostics: string[];
    quality_tier: string;
  };
  expect(got.verdict).toBe(want.verdict);
  expect(got.overall).toBeCloseTo(want.overall, 10);
  for (const [d, v] of Object.entries(want.dimensions)) {
    expect(got.dimension_scores[d]).toBeCloseTo(v, 10);
  }
  expect(got.checks_passed).toBe(want.passed);
  expect(got.checks_failed).toBe(want.failed);
  expect(got.violations).toEqual(want.violations);
  expect(got.diagnostics).toEqual(want.diagnostics);
  expect(got.quality_tier).toBe(want.tier);
  expect(result.progress).toHaveLength(want.progress);
}

const runs = (artifactsPath: string) =>
  MODELS.map((model) => ({ method: "run", model, artifactsPath }));

describe("an orchestrator calling serve after each model", () => {
  const outcomes: Record<string, Array<{ run_id: string }>> = {};

  it("gets exact scores and verdicts for three models on DuckDB", async () => {
    const results = await orchestrate(serve.address, runs(duckArtifacts));
    for (const [i, model] of MODELS.entries()) expectOutcome(results[i], model);
    expect(
      results[0].outcome.checks
        .filter((c: { status: string }) => c.status === "CHECK_STATUS_FAILED")
        .map((c: { name: string; records_failed: number }) => [c.name, c.records_failed]),
    ).toEqual([
      ["email_unique", 2],
      ["email_format", 1],
      ["country_known", 1],
      ["referrer_exists", 1],
      ["lifetime_value_non_negative", 1],
    ]);
    outcomes.duckdb = results.map((r: { outcome: { run_id: string } }) => r.outcome);
  });

  it("gets the same scores and verdicts on PostgreSQL, the password resolved at run time", async () => {
    const results = await orchestrate(serve.address, runs(pgArtifacts));
    for (const [i, model] of MODELS.entries()) expectOutcome(results[i], model);
    outcomes.postgres = results.map((r: { outcome: { run_id: string } }) => r.outcome);
  });

  it("emits START then FAIL with FLOE-DQ102 for the failing model, COMPLETE for the others", async () => {
    const runIds = [...outcomes.duckdb!, ...outcomes.postgres!].map((o) => o.run_id);
    const events = await waitFor("six runs' lineage", () => {
      const mine = lineage.events.filter((e) => runIds.includes(e.run.runId));
      return mine.length === 12 ? mine : undefined;
    });
    const byRun = (runId: string) => events.filter((e) => e.run.runId === runId);
    for (const kind of ["duckdb", "postgres"] as const) {
      const [customers, orders, orderEvents] = outcomes[kind]!.map((o) => byRun(o.run_id));
      expect(customers!.map((e) => e.eventType)).toEqual(["START", "FAIL"]);
      expect(customers![1].run.facets.errorMessage.message).toBe(
        "FLOE-DQ102: score 67.33 is below the gold gate's min_score 90",
      );
      expect(customers![1].job).toMatchObject({ namespace: "shop", name: "customers.quality" });
      expect(orders!.map((e) => e.eventType)).toEqual(["START", "COMPLETE"]);
      expect(orderEvents!.map((e) => e.eventType)).toEqual(["START", "COMPLETE"]);
      expect(orders![1].run.facets.floeQualityScore.verdict).toBe("warn");
    }
    const [duckOrders] = byRun(outcomes.duckdb![1]!.run_id);
    expect(duckOrders.inputs).toEqual([
      { namespace: `duckdb://${join(dir, "warehouse.duckdb")}`, name: "main.orders" },
    ]);
    const [pgCustomers] = byRun(outcomes.postgres![0]!.run_id);
    const server = postgres();
    expect(pgCustomers.inputs).toEqual([
      { namespace: `postgres://${server.host}:${server.port}`, name: "shop.public.customers" },
    ]);
  });

  it("traces a run across processes: host and plugin spans share one trace id", async () => {
    const [result] = await orchestrate(serve.address, [
      { method: "run", model: "orders", artifactsPath: duckArtifacts },
    ]);
    const runId = result.outcome.run_id;
    const spans = await waitFor("host and plugin spans of the run", () => {
      const run = otlp.spans.find(
        (s) => s.name === "floe.run" && s.attributes["floe.run_id"] === runId,
      );
      if (!run) return undefined;
      const inTrace = otlp.spans.filter((s) => s.traceId === run.traceId);
      const plugin = inTrace.find((s) => s.name === "floe.plugin.serve.RunChecks");
      return plugin ? inTrace : undefined;
    });
    const named = (name: string) => spans.find((s) => s.name === name) as ReceivedSpan;
    const run = named("floe.run");
    const call = named("floe.plugin.RunChecks");
    const served = named("floe.plugin.serve.RunChecks");
    const score = named("floe.score");
    expect(run.service).toBe("floe-quality");
    expect(served.service).toBe("floe-quality-plugin");
    expect(new Set([run.traceId, call.traceId, served.traceId, score.traceId]).size).toBe(1);
    expect(call.parentSpanId).toBe(run.spanId);
    expect(served.parentSpanId).toBe(call.spanId);
    expect(run.attributes).toMatchObject({
      "floe.model": "orders",
      "floe.provider": "floe_sql",
      "floe.checks.total": 10,
      "floe.checks.passed": 8,
      "floe.checks.failed": 2,
      "floe.verdict": "warn",
      "floe.quality_tier": "silver",
    });
    expect(run.attributes["floe.score"]).toBeCloseTo(585 / 7, 10);
    expect(served.attributes).toMatchObject({ "floe.model": "orders", "floe.checks.reported": 10 });
  });

  it("keeps the secret out of artifacts, host and plugin logs, lineage, spans and results", async () => {
    const results = await orchestrate(serve.address, runs(pgArtifacts));
    const artifacts = await readFile(pgArtifacts, "utf8");
    expect(artifacts).toContain(PASSWORD_REFERENCE);
    // The plugin logged at debug level through the host: its lines are in the host's stderr.
    expect(serve.stderr()).toContain('"plugin":"floe_sql"');
    await waitFor("lineage of the last runs", () =>
      results.every((r: { outcome: { run_id: string } }) =>
        lineage.events.some((e) => e.run.runId === r.outcome.run_id && e.eventType !== "START"),
      ),
    );
    for (const text of [
      artifacts,
      serve.stderr(),
      JSON.stringify(lineage.events),
      otlp.bodies.join("\n"),
      JSON.stringify(results),
    ]) {
      expect(text).not.toContain(SECRET);
    }
  });
});

describe("the other host RPCs", () => {
  it("runs six models at once, each scored as when run alone", async () => {
    const calls = [...runs(duckArtifacts), ...runs(pgArtifacts)];
    const results = await orchestrate(serve.address, calls, { parallel: true });
    for (const [i, model] of [...MODELS, ...MODELS].entries()) expectOutcome(results[i], model);
  });

  it("joins dbt results sent with the request and records the orchestrator's run as parent", async () => {
    const dbt = join(ROOT, "sdk/test/fixtures/dbt");
    const parentRunId = "01932f4e-8c3a-7b2d-9e4f-5a6b7c8d9e0f";
    const [result] = await orchestrate(serve.address, [
      {
        method: "run",
        model: "orders",
        artifactsPath: duckArtifacts,
        dbtRunResults: join(dbt, "run_results.json"),
        dbtManifest: join(dbt, "manifest.json"),
        parentRunId,
        parentJobNamespace: "dagster",
        parentJobName: "shop.orders",
      },
    ]);
    // As in run-cli.test.ts: the critical relationships test errored in dbt, so
    // the run cannot be judged; the dbt tests come back by name all the same.
    expect(result.outcome).toMatchObject({
      verdict: "VERDICT_ERROR",
      overall: null,
      error: { cause: "ERROR_CAUSE_CONFIG", retryable: false, code: "FLOE-DQ108" },
    });
    expect(result.outcome.dbt_tests).toHaveLength(7);
    expect(result.outcome.dbt_tests).toContain("unique_orders_order_id");
    expect(result.outcome.check_errors).toEqual([
      expect.objectContaining({ cause: "ERROR_CAUSE_CONFIG", source: "dbt" }),
    ]);
    const end = await waitFor("the run's FAIL event", () =>
      lineage.events.find((e) => e.run.runId === result.outcome.run_id && e.eventType === "FAIL"),
    );
    expect(end.run.facets.parent).toMatchObject({
      run: { runId: parentRunId },
      job: { namespace: "dagster", name: "shop.orders" },
    });
  });

  it("compiles the example and validates its gates", async () => {
    const file = async (path: string) => ({
      path,
      content: await readFile(join(ROOT, "examples", path), "utf8"),
    });
    const [compiled] = await orchestrate(serve.address, [
      {
        method: "compile",
        enterprise: await file("manifest.yaml"),
        domain: await file("domains/sales/manifest.yaml"),
        product: await file("products/shop/floe.yaml"),
      },
    ]);
    expect(compiled.response.success).toBe(true);
    expect(compiled.response.diagnostics).toEqual([]);
    const artifactsJson = compiled.response.compiledArtifactsJson;
    expect(JSON.parse(artifactsJson).version).toBe("0.4.0");
    const [gates] = await orchestrate(serve.address, [
      { method: "gates", artifactsJson, model: "orders" },
    ]);
    expect(gates.response.passed).toBe(true);
    expect(gates.response.results).toEqual([
      {
        passed: true,
        tier: "silver",
        coverageActual: 100,
        coverageRequired: 85,
        missingTests: [],
        violations: [],
        modelName: "orders",
      },
    ]);
  });

  it("scores results with CalculateQualityScore", async () => {
    const check = (checkName: string, dimension: string, severity: string, passed: boolean) => ({
      checkName,
      dimension,
      severity,
      passed,
      status: passed ? "CHECK_STATUS_PASSED" : "CHECK_STATUS_FAILED",
    });
    const [scored] = await orchestrate(serve.address, [
      {
        method: "score",
        request: {
          results: {
            modelName: "orders",
            checks: [
              check("a", "DIMENSION_COMPLETENESS", "SEVERITY_CRITICAL", true),
              check("b", "DIMENSION_COMPLETENESS", "SEVERITY_WARNING", false),
              check("c", "DIMENSION_VALIDITY", "SEVERITY_INFO", false),
            ],
          },
        },
      },
    ]);
    // completeness 3/4 → 75, validity 0, the rest 100: 18.75 + 25 + 0 + 15 + 15.
    expect(scored.response.score).toMatchObject({
      overall: 73.75,
      dimensionScores: {
        completeness: 75,
        accuracy: 100,
        validity: 0,
        consistency: 100,
        timeliness: 100,
      },
      checksPassed: 1,
      checksFailed: 2,
      modelName: "orders",
    });
  });
});

describe("bad input", () => {
  it("names the model that is not in the artifacts", async () => {
    const [result] = await orchestrate(serve.address, [
      { method: "run", model: "refunds", artifactsPath: duckArtifacts },
    ]);
    expect(result.error).toEqual({
      grpc_code: 3,
      details:
        "model 'refunds' is not in the compiled artifacts of product shop (models: customers, orders, order_events)",
      reason: "FLOE-DQ100",
    });
  });

  it("rejects artifacts of another contract version", async () => {
    const artifacts = JSON.parse(await readFile(duckArtifacts, "utf8"));
    const [result] = await orchestrate(serve.address, [
      {
        method: "run",
        model: "orders",
        artifactsJson: JSON.stringify({ ...artifacts, version: "0.3.0" }),
      },
    ]);
    expect(result.error).toEqual({
      grpc_code: 3,
      details: 'compiled artifacts of contract version "0.3.0"; this host reads 0.4.0',
      reason: "FLOE-DQ100",
    });
  });

  it("reports a provider that is down as VERDICT_ERROR (unavailable, retryable) and a FAIL lineage event", async () => {
    const down = await startServe(
      ["--listen", "127.0.0.1:0", "--plugin-addr", `floe_sql=unix://${join(dir, "absent.sock")}`],
      { cwd: dir, env: { OPENLINEAGE_URL: lineage.url, FLOE_STATE_DIR: join(dir, "state-down") } },
    );
    try {
      const [result] = await orchestrate(down.address, [
        { method: "run", model: "orders", artifactsPath: duckArtifacts },
      ]);
      expect(result.error).toBeUndefined();
      expect(result.outcome.verdict).toBe("VERDICT_ERROR");
      expect(result.outcome.overall).toBeNull();
      expect(result.outcome.error).toEqual({
        cause: "ERROR_CAUSE_UNAVAILABLE",
        retryable: true,
        code: "FLOE-DQ108",
      });
      expect(result.outcome.check_errors).toHaveLength(10);
      expect(
        result.outcome.check_errors.every(
          (e: { cause: string; retryable: boolean }) =>
            e.cause === "ERROR_CAUSE_UNAVAILABLE" && e.retryable,
        ),
      ).toBe(true);
      const fail = await waitFor("the FAIL event", () =>
        lineage.events.find(
          (e) =>
            e.eventType === "FAIL" &&
            e.job.name === "orders.quality" &&
            e.run.facets.floeQualityError?.cause === "unavailable",
        ),
      );
      expect(fail.run.facets.errorMessage.message).toMatch(/^FLOE-DQ108: model orders: 10 check/);
      expect(fail.run.facets.floeQualityError.retryable).toBe(true);
      expect(fail.run.facets.floeQualityScore).toBeUndefined();
    } finally {
      expect(await down.stop()).toBe(0);
    }
  });
});

describe("listening", () => {
  it("refuses a non-loopback address without TLS and a token", async () => {
    const plain = await floeQuality(["serve", "--listen", "0.0.0.0:0"], { cwd: dir });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toBe(
      "floe-quality serve: refusing to listen on 0.0.0.0:0 without TLS (--tls-cert and --tls-key) and caller authentication (FLOE_HOST_TOKEN or --tls-client-ca): it is not a loopback address. Listen on 127.0.0.1:PORT or unix:///path, or give TLS and a bearer token or client CA.\n",
    );
    const tokenOnly = await floeQuality(["serve", "--listen", "0.0.0.0:0"], {
      cwd: dir,
      env: { FLOE_HOST_TOKEN: "t0ken" },
    });
    expect(tokenOnly.code).toBe(2);
    expect(tokenOnly.stderr).toContain(
      "without TLS (--tls-cert and --tls-key): it is not a loopback address",
    );
  });

  it("serves a non-loopback address over TLS to callers with the bearer token", async () => {
    const pki = makePki(await mkdtemp(join(dir, "pki-")));
    const open = await startServe(
      ["--listen", "0.0.0.0:0", "--tls-cert", pki("server.pem"), "--tls-key", pki("server.key")],
      { cwd: dir, env: { FLOE_HOST_TOKEN: "t0ken", FLOE_STATE_DIR: join(dir, "state-tls") } },
    );
    try {
      const target = `localhost:${open.address.split(":").pop()}`;
      const tls = { ca: pki("ca.pem") };
      const [listed] = await orchestrate(target, [{ method: "plugins" }], { token: "t0ken", tls });
      expect(listed.response.plugins.map((p: { provider: string }) => p.provider)).toContain(
        "floe_sql",
      );
      const [refused] = await orchestrate(target, [{ method: "plugins" }], { tls });
      expect(refused.error.grpc_code).toBe(16);
    } finally {
      expect(await open.stop()).toBe(0);
    }
  });

  it("serves a non-loopback address to callers with a client certificate (mTLS)", async () => {
    const pki = makePki(await mkdtemp(join(dir, "pki-")));
    const open = await startServe(
      [
        "--listen",
        "0.0.0.0:0",
        "--tls-cert",
        pki("server.pem"),
        "--tls-key",
        pki("server.key"),
        "--tls-client-ca",
        pki("ca.pem"),
      ],
      { cwd: dir, env: { FLOE_STATE_DIR: join(dir, "state-mtls") } },
    );
    try {
      const target = `localhost:${open.address.split(":").pop()}`;
      const [listed] = await orchestrate(target, [{ method: "plugins" }], {
        tls: { ca: pki("ca.pem"), cert: pki("client.pem"), key: pki("client.key") },
      });
      expect(listed.response.plugins.length).toBeGreaterThan(0);
      const [refused] = await orchestrate(target, [{ method: "plugins" }], {
        tls: { ca: pki("ca.pem") },
      });
      expect(refused.error.grpc_code).toBe(14);
    } finally {
      expect(await open.stop()).toBe(0);
    }
  });

  it("requires the bearer token when one is set", async () => {
    const guarded = await startServe(["--listen", `unix://${join(dir, "host.sock")}`], {
      cwd: dir,
      env: { FLOE_HOST_TOKEN: "t0ken", FLOE_STATE_DIR: join(dir, "state-token") },
    });
    try {
      const [refused] = await orchestrate(guarded.address, [{ method: "plugins" }]);
      expect(refused.error).toEqual({
        grpc_code: 16,
        details: "missing or wrong bearer token",
        reason: "FLOE-DQ100",
      });
      const [listed] = await orchestrate(guarded.address, [{ method: "plugins" }], {
        token: "t0ken",
      });
      expect(listed.response.plugins.map((p: { provider: string }) => p.provider)).toContain(
        "floe_sql",
      );
    } finally {
      expect(await guarded.stop()).toBe(0);
    }
  });
});
