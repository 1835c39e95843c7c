// biome-ignore-all lint/suspicious/noTemplateCurlyInString: floe `${env:NAME}` references are what these tests send
// The host as a trust boundary, attacked as an orchestrator on loopback could:
// SQL that reads files, `${env:…}` references aimed at the host's secrets, path
// probing, passwords inside a DSN, oversized and deeply nested requests, garbage
// bytes, YAML bombs. Two real `serve` processes hold a canary secret in their
// environment and sit next to a canary file: the default one (host artifacts
// only) and one that accepts caller artifacts under a directory. Every attempt
// is refused or neutralised with a FLOE-DQ code, nothing of either canary comes
// back or reaches logs or lineage, and both answer health checks throughout.
import { randomBytes } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contract } from "@floe/quality-sdk";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDemoWarehouse } from "../../host/src/cli/commands/demo.js";
import {
  compileShop,
  floeQuality,
  type ServeProcess,
  startServe,
  waitFor,
} from "../e2e/support.js";
import { Caller, failed, pollHealth, succeeded } from "./support.js";

// Real processes on a shared 2-core machine: generous deadlines, never sleeps.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SECRET = `canary-secret-${randomBytes(12).toString("hex")}`;
const FILE_CONTENT = `canary-file-${randomBytes(12).toString("hex")}`;
/** A value the operator lets caller artifacts read (--caller-env FLOE_ALLOWED). */
const ALLOWED = `allowed-${randomBytes(12).toString("hex")}`;
const SECRET_REFERENCE = "${env:FLOE_CANARY_SECRET}";

let dir: string;
let canaryFile: string;
let callerDir: string;
let shop: Record<string, unknown>;
let closed: ServeProcess;
let open: ServeProcess;
let host: Caller;
let callers: Caller;
let healthOfClosed: ReturnType<typeof pollHealth>;
let healthOfOpen: ReturnType<typeof pollHealth>;

type Artifacts = {
  product: { name: string; compute: Record<string, unknown> };
  models: Array<Record<string, unknown> & { name: string; quality_checks: unknown[] }>;
  gates: Array<Record<string, unknown>>;
  [key: string]: unknown;
};

const check = (name: string, type: string, column: string, parameters: object) => ({
  name,
  type,
  ...(column === "" ? {} : { column }),
  dimension: "validity",
  severity: "critical",
  parameters,
  enabled: true,
});

/** Checks whose SQL tries to read the canary file and reach past the database file. */
function leakyChecks(file: string) {
  return [
    check("read_text_cast", "expression_is_true", "", {
      expression: `cast((select content from read_text('${file}')) as integer) > 0`,
    }),
    check("read_csv_count", "expression_is_true", "", {
      expression: `(select count(*) from read_csv('${file}')) > 0`,
    }),
    check("row_condition_read", "not_null", "order_id", {
      row_condition_sql: `(select content from read_text('${file}')) is not null`,
    }),
    check("glob_listing", "expression_is_true", "", {
      expression: "(select count(*) from glob('/etc/*')) > 0",
    }),
  ];
}

/** The shop's artifacts with one more model, `leaky`, on the orders table. */
function withLeakyModel(base: Artifacts, file: string): Artifacts {
  const leaky = {
    name: "leaky",
    quality_tier: "bronze",
    relation: "orders",
    columns: null,
    columns_source: "unknown",
    quality_checks: leakyChecks(file),
  };
  return { ...base, product: { ...base.product, name: "leaky" }, models: [leaky], gates: [] };
}

function everythingSaid(): string {
  return [closed.stderr(), open.stderr(), ...host.transcript, ...callers.transcript].join("\n");
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-security-"));
  canaryFile = join(dir, "canary.txt");
  await writeFile(canaryFile, FILE_CONTENT);
  const warehouse = join(dir, "warehouse.duckdb");
  await createDemoWarehouse(warehouse);
  await mkdir(join(dir, "build"));
  const compiled = await compileShop(join(dir, "build"), `dialect: duckdb\npath: ${warehouse}`);
  shop = JSON.parse(await readFile(compiled, "utf8"));

  const artifactsDir = join(dir, "artifacts");
  await mkdir(artifactsDir);
  await copyFile(compiled, join(artifactsDir, "shop.json"));
  await writeFile(
    join(artifactsDir, "leaky.json"),
    JSON.stringify(withLeakyModel(shop as Artifacts, canaryFile)),
  );

  callerDir = join(dir, "caller");
  await mkdir(callerDir);
  await copyFile(warehouse, join(callerDir, "warehouse.duckdb"));
  await symlink(canaryFile, join(callerDir, "escape.json"));

  const env = (name: string) => ({
    FLOE_CANARY_SECRET: SECRET,
    FLOE_ALLOWED: ALLOWED,
    FLOE_STATE_DIR: join(dir, `state-${name}`),
    FLOE_LINEAGE_TRANSPORT: "file",
    FLOE_LINEAGE_FILE: join(dir, `lineage-${name}.jsonl`),
  });
  closed = await startServe(["--listen", "127.0.0.1:0", "--artifacts", artifactsDir], {
    cwd: dir,
    env: env("closed"),
  });
  open = await startServe(
    [
      "--listen",
      "127.0.0.1:0",
      "--artifacts",
      artifactsDir,
      "--caller-artifacts",
      callerDir,
      "--caller-env",
      "FLOE_ALLOWED",
    ],
    { cwd: dir, env: env("open") },
  );
  healthOfClosed = pollHealth(closed.address);
  healthOfOpen = pollHealth(open.address);
  host = new Caller(closed.address, closed.token);
  callers = new Caller(open.address, open.token);
});

afterAll(async () => {
  host?.close();
  callers?.close();
  await closed?.stop();
  await open?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("authentication", () => {
  it("refuses a caller without the token that serve made, wrote 0600 and printed once", async () => {
    const token = (await readFile(join(dir, "state-closed", "host-token"), "utf8")).trim();
    expect(token).toBe(closed.token);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(join(dir, "state-closed", "host-token"))).mode & 0o777).toBe(0o600);
    expect(failed(await host.unary("listPlugins", {}, null))).toEqual({
      grpcCode: status.UNAUTHENTICATED,
      details: "missing or wrong bearer token",
      reason: "FLOE-DQ109",
    });
    expect(failed(await host.unary("listPlugins", {}, "not-the-token")).grpcCode).toBe(
      status.UNAUTHENTICATED,
    );
    expect(closed.stderr()).not.toContain(token);
  });
});

describe("artifacts the host was started with", () => {
  it("runs a model named by the caller, nothing else sent", async () => {
    const events = succeeded(await host.run({ modelName: "orders" }));
    const outcome = events.at(-1)?.event;
    expect(outcome?.$case).toBe("outcome");
    if (outcome?.$case !== "outcome") return;
    expect(outcome.value.verdict).toBe(contract.Verdict.VERDICT_WARN);
    expect(outcome.value.score?.overall).toBeCloseTo(585 / 7, 10);
  });

  it("lets no check's SQL read a file, glob a directory or reach past the database file", async () => {
    const events = succeeded(await host.run({ modelName: "leaky" }));
    const outcome = events.at(-1)?.event;
    if (outcome?.$case !== "outcome") throw new Error("no outcome");
    const checks = outcome.value.suiteResult!.checks;
    expect(checks.map((c) => [c.checkName, c.status, c.errorCode])).toEqual([
      ["read_text_cast", contract.CheckStatus.CHECK_STATUS_ERROR, "FLOE-DQ102"],
      ["read_csv_count", contract.CheckStatus.CHECK_STATUS_ERROR, "FLOE-DQ102"],
      ["row_condition_read", contract.CheckStatus.CHECK_STATUS_ERROR, "FLOE-DQ102"],
      ["glob_listing", contract.CheckStatus.CHECK_STATUS_ERROR, "FLOE-DQ102"],
    ]);
    for (const c of checks) {
      expect(c.errorMessage).toContain("file system operations are disabled by configuration");
    }
  });
});

describe("caller artifacts on a host that does not accept them (the default)", () => {
  it("refuses artifacts_json, whatever its ${env:…} references", async () => {
    const artifacts = {
      ...shop,
      product: {
        name: "shop",
        compute: { dialect: "postgres", host: SECRET_REFERENCE, database: "shop", user: "etl" },
      },
    };
    expect(
      failed(await host.run({ modelName: "orders", artifactsJson: JSON.stringify(artifacts) })),
    ).toEqual({
      grpcCode: status.PERMISSION_DENIED,
      details:
        "artifacts_json from callers is refused: this host runs the artifacts it was started with",
      reason: "FLOE-DQ109",
    });
  });

  it("answers a path that exists, one that does not and /proc/self/environ alike, reading none", async () => {
    const answers = [];
    for (const artifactsPath of [canaryFile, "/proc/self/environ", join(dir, "missing.json")]) {
      answers.push(failed(await host.run({ modelName: "orders", artifactsPath })));
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({
      grpcCode: status.PERMISSION_DENIED,
      details:
        "artifacts_path from callers is refused: this host runs the artifacts it was started with",
      reason: "FLOE-DQ109",
    });
  });
});

describe("caller artifacts on a host that accepts them under a directory", () => {
  const callerArtifacts = (compute: Record<string, unknown>) =>
    JSON.stringify({ ...shop, product: { name: "shop", compute } });

  it("never resolves ${env:…} for them unless the operator allowed the name", async () => {
    for (const compute of [
      { dialect: "postgres", host: SECRET_REFERENCE, database: "shop", user: "etl" },
      { dialect: "duckdb", path: SECRET_REFERENCE },
      {
        dialect: "postgres",
        host: "127.0.0.1",
        database: "shop",
        user: "etl",
        password: SECRET_REFERENCE,
      },
    ]) {
      const field = compute.dialect === "duckdb" ? "path" : compute.password ? "password" : "host";
      expect(
        failed(await callers.run({ modelName: "orders", artifactsJson: callerArtifacts(compute) })),
      ).toEqual({
        grpcCode: status.PERMISSION_DENIED,
        details: `product.compute.${field} refers to ${SECRET_REFERENCE}, which caller artifacts may not read`,
        reason: "FLOE-DQ109",
      });
    }
  });

  it("resolves an allowed name, and scrubs its value from what the driver says about it", async () => {
    const compute = {
      dialect: "postgres",
      host: "${env:FLOE_ALLOWED}",
      database: "shop",
      user: "etl",
    };
    const answer = await callers.run({
      modelName: "orders",
      artifactsJson: callerArtifacts(compute),
    });
    const events = succeeded(answer);
    const outcome = events.at(-1)?.event;
    if (outcome?.$case !== "outcome") throw new Error("no outcome");
    for (const c of outcome.value.suiteResult!.checks) {
      expect(c.status).toBe(contract.CheckStatus.CHECK_STATUS_ERROR);
      expect(c.errorMessage).toMatch(/ cannot be read: getaddrinfo [A-Z_]+ \[redacted\]$/);
    }
    expect(JSON.stringify(events)).not.toContain(ALLOWED);
    // Lineage names the dataset by the setting as written: the reference, never its value.
    const lineage = await waitFor(
      "the run's lineage events",
      async () => {
        const text = await readFile(join(dir, "lineage-open.jsonl"), "utf8").catch(() => "");
        return text.includes('"COMPLETE"') || text.includes('"FAIL"') ? text : undefined;
      },
      60_000,
    );
    const inputs = lineage
      .trim()
      .split("\n")
      .flatMap((line) => (JSON.parse(line).inputs ?? []) as Array<{ namespace: string }>);
    expect(new Set(inputs.map((i) => i.namespace))).toEqual(
      new Set(["postgres://${env:FLOE_ALLOWED}:5432"]),
    );
    expect(lineage).not.toContain(ALLOWED);
  });

  it("keeps paths inside the directory, answering alike whether the file outside exists", async () => {
    const answers = [];
    for (const artifactsPath of [
      canaryFile,
      "../canary.txt",
      "escape.json",
      "missing.json",
      "/proc/self/environ",
    ]) {
      answers.push(failed(await callers.run({ modelName: "orders", artifactsPath })));
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({
      grpcCode: status.PERMISSION_DENIED,
      details: "artifacts_path must name a file inside the caller artifacts directory",
      reason: "FLOE-DQ109",
    });
  });

  it("keeps their DuckDB file inside the directory", async () => {
    const outside = callerArtifacts({ dialect: "duckdb", path: join(dir, "warehouse.duckdb") });
    expect(failed(await callers.run({ modelName: "orders", artifactsJson: outside }))).toEqual({
      grpcCode: status.PERMISSION_DENIED,
      details: "product.compute.path must name a file inside the caller artifacts directory",
      reason: "FLOE-DQ109",
    });
  });

  it("runs them inside the directory with the same SQL sandbox", async () => {
    const leaky = withLeakyModel(
      {
        ...(shop as Artifacts),
        product: { name: "shop", compute: { dialect: "duckdb", path: "warehouse.duckdb" } },
      },
      canaryFile,
    );
    await writeFile(join(callerDir, "leaky.json"), JSON.stringify(leaky));
    for (const request of [
      { artifactsJson: JSON.stringify(leaky) },
      { artifactsPath: "leaky.json" },
    ]) {
      const events = succeeded(await callers.run({ modelName: "leaky", ...request }));
      const outcome = events.at(-1)?.event;
      if (outcome?.$case !== "outcome") throw new Error("no outcome");
      expect(outcome.value.suiteResult!.checks.map((c) => c.status)).toEqual(
        Array(4).fill(contract.CheckStatus.CHECK_STATUS_ERROR),
      );
    }
  });

  it("caps the size of a caller's artifacts file", async () => {
    await writeFile(join(callerDir, "huge.json"), " ".repeat(5 * 1024 * 1024));
    expect(failed(await callers.run({ modelName: "orders", artifactsPath: "huge.json" }))).toEqual({
      grpcCode: status.RESOURCE_EXHAUSTED,
      details: "artifacts_path names a file of 5 MiB, over the limit of 4 MiB",
      reason: "FLOE-DQ109",
    });
  });
});

describe("compile", () => {
  const source = async (path: string) => ({
    path,
    content: await readFile(join(import.meta.dirname, "../../examples", path), "utf8"),
  });
  const compile = async (product: string) =>
    host.unary<contract.CompileResponse>("compile", {
      enterpriseManifest: await source("manifest.yaml"),
      productConfig: { path: "floe.yaml", content: product },
    });

  it("refuses a password inside a DSN in compute.host without echoing it", async () => {
    const password = `hunter2-${randomBytes(6).toString("hex")}`;
    const product = (await source("products/shop/floe.yaml")).content.replace(
      /^compute:\n(?: {2}.*\n)+/m,
      `compute:\n  dialect: postgres\n  host: "postgres://etl:${password}@db:5432/shop"\n  database: shop\n  user: etl\n`,
    );
    const response = succeeded(await compile(product));
    expect(response.success).toBe(false);
    expect(response.compiledArtifactsJson).toBe("");
    expect(response.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["FLOE-DQ100", "compute.host"],
    ]);
    expect(JSON.stringify(response)).not.toContain(password);
  });

  it("refuses YAML alias bombs and deep nesting with FLOE-DQ109, never a stack trace", async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...["b", "c", "d", "e", "f", "g", "h"].map(
        (k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(",")}]`,
      ),
    ].join("\n");
    const deep = `name: shop\nmodels: ${"[".repeat(5_000)}${"]".repeat(5_000)}\n`;
    const answers = [];
    for (const product of [bomb, deep]) {
      const response = succeeded(await compile(product));
      expect(response.success).toBe(false);
      answers.push(response.diagnostics.map((d) => [d.code, d.message]));
    }
    expect(answers).toEqual([
      [
        [
          "FLOE-DQ109",
          "the YAML aliases expand too far (Excessive alias count indicates a resource exhaustion attack); at most 100 are read",
        ],
      ],
      [["FLOE-DQ109", "maps and lists nested more than 64 deep"]],
    ]);
  });

  it("refuses more models than the limit before compiling any", async () => {
    const models = Array.from({ length: 5_001 }, (_, i) => `  - {name: m${i}}`).join("\n");
    const response = succeeded(await compile(`name: shop\nmodels:\n${models}\n`));
    expect(response.diagnostics.map((d) => [d.code, d.path, d.message])).toEqual([
      ["FLOE-DQ109", "models", "5001 models, over the limit of 5000"],
    ]);
  });

  it("refuses a request over the size limit", async () => {
    const answer = failed(await compile(`# ${"x".repeat(5 * 1024 * 1024)}\n`));
    expect(answer).toEqual({
      grpcCode: status.RESOURCE_EXHAUSTED,
      details: expect.stringMatching(/^the Compile request is \d+ bytes, over the limit of 4 MiB$/),
      reason: "FLOE-DQ109",
    });
  });

  it("compiles a large project off the event loop: health keeps answering while it compiles", async () => {
    const checks = Array.from(
      { length: 12 },
      (_, c) => `      - {name: c${c}, type: not_null, column: col${c}}`,
    ).join("\n");
    const models = Array.from(
      { length: 3_500 },
      (_, i) => `  - name: m${i}\n    quality_checks:\n${checks}`,
    ).join("\n");
    const product = `name: shop\ncompute: {dialect: duckdb, path: w.duckdb}\nmodels:\n${models}\n`;
    expect(product.length).toBeGreaterThan(2 * 1024 * 1024);
    const probe = pollHealth(closed.address, 20);
    await new Promise<void>((done) => {
      const wait = () => (probe.answers.length > 0 ? done() : setTimeout(wait, 5));
      wait();
    });
    const startedAt = Date.now();
    const answer = succeeded(await compile(product));
    const answeredAt = Date.now();
    await probe.stop();
    expect(answer.diagnostics.every((d) => d.code !== "FLOE-DQ109")).toBe(true);
    // A compile on the event loop would hold every health answer until it is done.
    const during = probe.answers.filter((a) => a.at > startedAt && a.at < answeredAt);
    expect(during.length).toBeGreaterThanOrEqual(5);
    expect(during.filter((a) => a.status !== "SERVING")).toEqual([]);
  });
});

describe("malformed requests", () => {
  it.each([40, 100, 1_000])("refuses details nested %i deep with FLOE-DQ109", async (depth) => {
    let nested: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < depth; i++) nested = { inner: nested };
    const request = contract.CalculateQualityScoreRequest.fromPartial({
      results: {
        modelName: "orders",
        checks: [
          {
            checkName: "deep",
            passed: true,
            dimension: contract.Dimension.DIMENSION_VALIDITY,
            severity: contract.Severity.SEVERITY_CRITICAL,
            status: contract.CheckStatus.CHECK_STATUS_PASSED,
            details: nested,
          },
        ],
      },
    });
    const bytes = Buffer.from(contract.CalculateQualityScoreRequest.encode(request).finish());
    expect(failed(await host.raw("CalculateQualityScore", bytes, false))).toEqual({
      grpcCode: status.INVALID_ARGUMENT,
      details: "the CalculateQualityScore request nests values more than 32 deep",
      reason: "FLOE-DQ109",
    });
  });

  it("answers garbage bytes with FLOE-DQ109 on every method", async () => {
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x34]);
    const answers = [
      failed(await host.raw("RunQualityChecks", garbage, true)),
      failed(await host.raw("Compile", garbage, false)),
      failed(await host.raw("CalculateQualityScore", garbage, false)),
    ];
    expect(answers.map((a) => [a.grpcCode, a.reason, a.details])).toEqual([
      [
        status.INVALID_ARGUMENT,
        "FLOE-DQ109",
        "the RunQualityChecks request is not a valid protobuf message",
      ],
      [
        status.INVALID_ARGUMENT,
        "FLOE-DQ109",
        "the Compile request is not a valid protobuf message",
      ],
      [
        status.INVALID_ARGUMENT,
        "FLOE-DQ109",
        "the CalculateQualityScore request is not a valid protobuf message",
      ],
    ]);
  });
});

describe("the command line", () => {
  it("reports unreadable or unusable TLS material as FLOE-DQ100 naming the file, exit 2, no stack trace", async () => {
    const garbage = join(dir, "garbage.pem");
    await writeFile(garbage, "not a certificate");
    const missing = await floeQuality(
      [
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--tls-cert",
        join(dir, "none.pem"),
        "--tls-key",
        garbage,
      ],
      { cwd: dir, env: { FLOE_STATE_DIR: join(dir, "state-tls") } },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `error FLOE-DQ100 ${join(dir, "none.pem")}: cannot read --tls-cert (ENOENT)\n  fix: Give --tls-cert a PEM file the host can read.\n`,
    );
    const unusable = await floeQuality(
      ["serve", "--listen", "127.0.0.1:0", "--tls-cert", garbage, "--tls-key", garbage],
      { cwd: dir, env: { FLOE_STATE_DIR: join(dir, "state-tls") } },
    );
    expect(unusable.code).toBe(2);
    expect(unusable.stderr).toMatch(
      new RegExp(`^error FLOE-DQ100 ${garbage}: the TLS material is not usable: `),
    );
    expect(unusable.stderr).not.toMatch(/\n\s+at /);
    // Nothing was started: no token was made or printed.
    expect(unusable.stdout).toBe("");
  });

  it("compiles neither a file over the size limit nor a device, reading neither", async () => {
    const product = join(dir, "big.yaml");
    await writeFile(product, `name: shop\n# ${"x".repeat(2_000)}\n`);
    const examples = join(import.meta.dirname, "../../examples");
    const compile = (file: string) =>
      floeQuality(
        [
          "compile",
          "--enterprise",
          join(examples, "manifest.yaml"),
          "--product",
          file,
          "--out",
          join(dir, "out.json"),
        ],
        { cwd: dir, env: { FLOE_MAX_CONFIG_BYTES: "1000" } },
      );
    const big = await compile(product);
    expect(big.code).toBe(1);
    expect(big.stderr).toContain(
      `error FLOE-DQ109 ${product}: the file is 2014 bytes, over the limit of 1000 bytes\n  fix: Split the project, or raise the limit with FLOE_MAX_CONFIG_BYTES if the file is meant to be this large.`,
    );
    const device = await compile("/dev/zero");
    expect(device.code).toBe(1);
    expect(device.stderr).toContain("error FLOE-DQ109 /dev/zero: not a regular file");
  });
});

describe("after every attack", () => {
  it("leaked neither canary anywhere and answered every health check SERVING", async () => {
    await Promise.all([healthOfClosed.stop(), healthOfOpen.stop()]);
    const lineage = await Promise.all(
      ["closed", "open"].map((name) =>
        readFile(join(dir, `lineage-${name}.jsonl`), "utf8").catch(() => ""),
      ),
    );
    const said = [everythingSaid(), ...lineage].join("\n");
    expect(said).not.toContain(SECRET);
    expect(said).not.toContain(FILE_CONTENT);
    expect(said).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    for (const health of [healthOfClosed, healthOfOpen]) {
      expect(health.answers.length).toBeGreaterThan(10);
      expect(health.answers.filter((a) => a.status !== "SERVING")).toEqual([]);
    }
  });
});
