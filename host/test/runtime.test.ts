// biome-ignore-all lint/suspicious/noTemplateCurlyInString: floe `${env:NAME}` references are what these tests name
// The run flow's pure parts (verdict, connection, dataset names), the listen
// policy, the plugin pool with a real plugin process, and the server's health and
// reflection services in-process.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { contract, FloeError } from "@floe/quality-sdk";
import { credentials, loadPackageDefinition, makeGenericClientConstructor } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { service as healthService } from "grpc-health-check";
import { describe, expect, it } from "vitest";
import { TIER_DEFAULTS } from "../src/config/quality.js";
import { decideVerdict } from "../src/gates/verdict.js";
import { datasetName, resolveConnection } from "../src/runtime/connection.js";
import { PluginPool } from "../src/runtime/plugin-pool.js";
import { openHostServices } from "../src/runtime/services.js";
import {
  checkListenSecurity,
  ListenRefused,
  parseListenAddress,
  startHostServer,
} from "../src/server/index.js";

const ROOT = resolve(import.meta.dirname, "../..");
const thresholds = { min_score: 60, warn_score: 85 };
const gold = {
  ...TIER_DEFAULTS.gold,
  required_tests: [...TIER_DEFAULTS.gold.required_tests],
  overridable: true,
};
const bronze = { ...TIER_DEFAULTS.bronze, required_tests: [], overridable: true };

describe("decideVerdict", () => {
  it("passes at warn_score and above", () => {
    expect(decideVerdict(85, thresholds, "bronze", bronze)).toEqual({
      verdict: "pass",
      violations: [],
    });
  });

  it("warns below warn_score", () => {
    expect(decideVerdict(84.999, thresholds, "bronze", bronze)).toEqual({
      verdict: "warn",
      violations: ["score 85 is below warn_score 85"],
    });
  });

  it("fails below min_score, at min_score it only warns", () => {
    expect(decideVerdict(59.5, thresholds, "bronze", bronze)).toEqual({
      verdict: "fail",
      violations: ["score 59.5 is below min_score 60"],
    });
    expect(decideVerdict(60, thresholds, "bronze", bronze).verdict).toBe("warn");
  });

  it("fails below the tier gate's min_score even above the thresholds", () => {
    expect(decideVerdict(88.125, thresholds, "gold", gold)).toEqual({
      verdict: "fail",
      violations: ["score 88.13 is below the gold gate's min_score 90"],
    });
  });

  it("lists both violations when both are crossed", () => {
    expect(decideVerdict(20, thresholds, "gold", gold).violations).toEqual([
      "score 20 is below min_score 60",
      "score 20 is below the gold gate's min_score 90",
    ]);
  });
});

/** `${env:NAME}`, a floe reference (not a template). */
const envRef = (name: string) => `\${env:${name}}`;

describe("resolveConnection", () => {
  const postgres = {
    dialect: "postgres" as const,
    host: envRef("PGHOST"),
    port: envRef("PGPORT"),
    database: "shop",
    user: "etl",
    password: envRef("PGPASSWORD"),
    options: { sslmode: "require" },
  };

  it("reads references from the environment", () => {
    expect(
      resolveConnection(postgres, { PGHOST: "db.internal", PGPORT: "6543", PGPASSWORD: "hunter2" }),
    ).toEqual({
      dialect: "postgres",
      host: "db.internal",
      port: 6543,
      database: "shop",
      user: "etl",
      password: "hunter2",
      path: "",
      schema: "",
      options: { sslmode: "require" },
    });
  });

  it("names an unset variable and the field, never a value", () => {
    const attempt = () => resolveConnection(postgres, { PGHOST: "db", PGPORT: "5432" });
    expect(attempt).toThrow(FloeError);
    expect(attempt).toThrow(
      "environment variable PGPASSWORD is not set; product.compute.password refers to it",
    );
    try {
      attempt();
    } catch (error) {
      expect((error as FloeError).code).toBe("FLOE-DQ100");
      expect((error as FloeError).path).toBe("product.compute.password");
    }
  });

  it("takes a relative DuckDB path from the working directory", () => {
    expect(
      resolveConnection({ dialect: "duckdb", path: ".floe/demo/w.duckdb" }, {}, "/srv/shop").path,
    ).toBe("/srv/shop/.floe/demo/w.duckdb");
  });

  it("resolves a Spark Connect endpoint and its token at run time; a relative table directory from the working directory", () => {
    const spark = {
      dialect: "spark" as const,
      host: envRef("SPARK_HOST"),
      port: 15002,
      user: "etl",
      token: envRef("SPARK_TOKEN"),
      path: "lake/tables",
      options: { format: "parquet" },
    };
    expect(
      resolveConnection(spark, { SPARK_HOST: "spark.internal", SPARK_TOKEN: "s3cret" }, "/srv"),
    ).toEqual({
      dialect: "spark",
      host: "spark.internal",
      port: 15002,
      database: "",
      user: "etl",
      password: "s3cret",
      path: "/srv/lake/tables",
      schema: "",
      options: { format: "parquet" },
    });
    expect(() => resolveConnection(spark, { SPARK_HOST: "spark.internal" })).toThrow(
      "environment variable SPARK_TOKEN is not set; product.compute.token refers to it",
    );
    expect(resolveConnection({ dialect: "spark" }, {})).toMatchObject({
      dialect: "spark",
      host: "",
      path: "",
      password: "",
    });
  });

  it("rejects a variable that is not a port", () => {
    expect(() =>
      resolveConnection(postgres, { PGHOST: "db", PGPORT: "http", PGPASSWORD: "x" }),
    ).toThrow("product.compute.port is not a port number");
  });
});

describe("datasetName", () => {
  const pg = { dialect: "postgres" as const, host: "db", database: "shop", user: "etl" };

  it("names PostgreSQL tables postgres://host:port + database.schema.table, no credentials", () => {
    const compute = { ...pg, password: "${env:PGPASSWORD}" };
    expect(datasetName(compute, "customers")).toEqual({
      namespace: "postgres://db:5432",
      name: "shop.public.customers",
    });
    expect(datasetName({ ...compute, port: 6543 }, "sales.orders")).toEqual({
      namespace: "postgres://db:6543",
      name: "shop.sales.orders",
    });
  });

  it("keeps a ${env:…} setting as the reference, never its value", () => {
    const compute = {
      dialect: "postgres" as const,
      host: "${env:PGHOST}",
      port: "${env:PGPORT}",
      database: "${env:PGDATABASE}",
      user: "etl",
    };
    expect(datasetName(compute, "orders")).toEqual({
      namespace: "postgres://${env:PGHOST}:${env:PGPORT}",
      name: "${env:PGDATABASE}.public.orders",
    });
    expect(datasetName({ dialect: "duckdb", path: "${env:WAREHOUSE}" }, "orders")).toEqual({
      namespace: "duckdb://${env:WAREHOUSE}",
      name: "main.orders",
    });
  });

  it("names DuckDB tables duckdb://<absolute file> + schema.table", () => {
    expect(datasetName({ dialect: "duckdb", path: "/data/w.duckdb" }, "orders")).toEqual({
      namespace: "duckdb:///data/w.duckdb",
      name: "main.orders",
    });
    expect(
      datasetName({ dialect: "duckdb", path: "w.duckdb" }, "orders", "/srv/dq").namespace,
    ).toBe("duckdb:///srv/dq/w.duckdb");
  });

  it("names Spark tables spark://host:port + schema.table, and tables under a directory as files", () => {
    const spark = { dialect: "spark" as const, host: "${env:SPARK_HOST}", token: "${env:T}" };
    expect(datasetName(spark, "sales.orders")).toEqual({
      namespace: "spark://${env:SPARK_HOST}:15002",
      name: "sales.orders",
    });
    expect(datasetName({ dialect: "spark" }, "orders")).toEqual({
      namespace: "spark://local",
      name: "default.orders",
    });
    expect(datasetName({ dialect: "spark", path: "lake/tables" }, "orders", "/srv")).toEqual({
      namespace: "file",
      name: "/srv/lake/tables/orders",
    });
  });

  it("reads relation names with the SDK's parser: three parts and quoted parts holding dots", () => {
    expect(datasetName(pg, "wh.sales.orders").name).toBe("wh.sales.orders");
    expect(datasetName(pg, '"a.b".t').name).toBe("shop.a.b.t");
    expect(datasetName(pg, '"we""ird".t').name).toBe('shop.we"ird.t');
    const duck = { dialect: "duckdb" as const, path: "/data/w.duckdb" };
    expect(datasetName(duck, "lake.raw.events").name).toBe("lake.raw.events");
    expect(datasetName(duck, '"my.schema".events').name).toBe("my.schema.events");
  });
});

describe("listen policy", () => {
  const refused =
    (address: string, security = {}) =>
    () =>
      checkListenSecurity(parseListenAddress(address), security);

  it("serves loopback and Unix sockets in plain text", () => {
    for (const address of [
      "127.0.0.1:7700",
      "127.3.4.5:0",
      "localhost:7700",
      "[::1]:7700",
      "unix:///run/f.sock",
    ]) {
      expect(refused(address)).not.toThrow();
    }
  });

  it("refuses any other address without TLS and caller authentication", () => {
    expect(refused("0.0.0.0:7700")).toThrow(ListenRefused);
    expect(refused("10.1.2.3:7700", { token: "t" })).toThrow(
      "without TLS (--tls-cert and --tls-key):",
    );
    expect(refused("[::]:7700", { tlsCertFile: "c", tlsKeyFile: "k" })).toThrow(
      "without caller authentication (FLOE_HOST_TOKEN or --tls-client-ca):",
    );
    expect(
      refused("0.0.0.0:7700", { tlsCertFile: "c", tlsKeyFile: "k", token: "t" }),
    ).not.toThrow();
    expect(
      refused("0.0.0.0:7700", { tlsCertFile: "c", tlsKeyFile: "k", tlsClientCaFile: "ca" }),
    ).not.toThrow();
  });

  it("rejects half-given TLS and malformed addresses", () => {
    expect(refused("127.0.0.1:1", { tlsCertFile: "c" })).toThrow(
      "--tls-cert and --tls-key go together",
    );
    expect(refused("127.0.0.1:1", { tlsClientCaFile: "ca" })).toThrow("--tls-client-ca needs");
    expect(() => parseListenAddress("7700")).toThrow("is not host:port or unix:///path");
    expect(() => parseListenAddress("unix://")).toThrow("names no socket path");
  });
});

describe("PluginPool", () => {
  it("starts a provider's plugin on first use, reuses it, and bounds calls in flight", async () => {
    const pool = new PluginPool({
      workspaceRoot: ROOT,
      env: { FLOE_PLUGIN_PATH: join(ROOT, "test/fixtures/plugins/ts-echo") },
      concurrency: 2,
      supervisor: { onLog: () => undefined },
    });
    try {
      expect((await pool.list()).find((p) => p.provider === "ts_echo")?.state).toBe("not started");
      let active = 0;
      let most = 0;
      const pids = new Set<number | undefined>();
      const suite = contract.QualitySuite.fromPartial({
        modelName: "m",
        checks: [
          contract.QualityCheck.fromPartial({
            name: "slow",
            type: "not_null",
            dimension: contract.Dimension.DIMENSION_COMPLETENESS,
            severity: contract.Severity.SEVERITY_WARNING,
            enabled: true,
            parameters: { passed: true, sleep_ms: 150 },
          }),
        ],
      });
      const summaries = await Promise.all(
        Array.from({ length: 5 }, () =>
          pool.withPlugin("ts_echo", async (plugin) => {
            active += 1;
            most = Math.max(most, active);
            pids.add(plugin.pid());
            try {
              return await plugin.client.runChecks({
                suite,
                relation: "",
                runId: "pool",
                connection: undefined,
                options: undefined,
              });
            } finally {
              active -= 1;
            }
          }),
        ),
      );
      expect(summaries.map((s) => s.checks.length)).toEqual([1, 1, 1, 1, 1]);
      expect(most).toBe(2);
      expect(pids.size).toBe(1);
      expect((await pool.list()).find((p) => p.provider === "ts_echo")?.state).toBe("serving");
    } finally {
      await pool.close();
    }
  });

  it("reports an unknown provider as FLOE-DQ001 listing the known ones", async () => {
    const pool = new PluginPool({ workspaceRoot: ROOT, env: {} });
    await expect(pool.withPlugin("soda", async () => 0)).rejects.toThrow(
      /unknown quality provider 'soda'; known providers: .*floe_sql/,
    );
    await pool.close();
  });
});

describe("host server", () => {
  it("answers health checks and lists its services through reflection", async () => {
    const dir = await mkdtemp(join(tmpdir(), "floe-host-server-"));
    const services = await openHostServices({ env: {}, lineage: false, stateDir: dir });
    const server = await startHostServer({
      listen: `unix://${join(dir, "host.sock")}`,
      services,
      knownProviders: () => ["floe_sql"],
      env: {},
    });
    try {
      expect(server.address).toBe(`unix:${join(dir, "host.sock")}`);
      const Health = makeGenericClientConstructor(healthService, "Health");
      const health = new Health(server.address, credentials.createInsecure());
      const answer = await new Promise<{ status: string | number }>((done, fail) =>
        health.check!(
          { service: "floe.quality.v1.QualityHostService" },
          (e: Error | null, r: { status: string | number }) => (e ? fail(e) : done(r)),
        ),
      );
      expect(answer.status).toBe("SERVING");
      health.close();

      const protoDir = join(ROOT, "node_modules/@grpc/reflection/build/proto");
      const reflection = loadPackageDefinition(
        loadSync(join(protoDir, "grpc/reflection/v1/reflection.proto"), {
          includeDirs: [protoDir],
        }),
        // biome-ignore lint/suspicious/noExplicitAny: a dynamically loaded package
      ) as any;
      const client = new reflection.grpc.reflection.v1.ServerReflection(
        server.address,
        credentials.createInsecure(),
      );
      const names = await new Promise<string[]>((done, fail) => {
        const call = client.serverReflectionInfo();
        call.on(
          "data",
          (response: { listServicesResponse?: { service: Array<{ name: string }> } }) => {
            done((response.listServicesResponse?.service ?? []).map((s) => s.name).sort());
            call.end();
          },
        );
        call.on("error", fail);
        call.write({ listServices: "" });
      });
      expect(names).toContain("floe.quality.v1.QualityHostService");
      client.close();
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
