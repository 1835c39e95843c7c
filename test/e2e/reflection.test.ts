// Standard clients against a real `serve` through server reflection alone:
// grpcurl (installed by `npm run setup` from the Go module proxy into .floe/bin)
// lists, describes and invokes every service, and `buf curl` calls the host.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDemoWarehouse } from "../../host/src/cli/commands/demo.js";
import { compileShop, ROOT, type ServeProcess, startServe } from "./support.js";

vi.setConfig({ testTimeout: 60_000 });

const GRPCURL = join(ROOT, ".floe/bin/grpcurl");
const BUF = join(ROOT, "node_modules/.bin/buf");
const HOST = "floe.quality.v1.QualityHostService";

let dir: string;
let serve: ServeProcess;

/** A command to completion; its stdout, or the failure with stderr. */
function exec(file: string, args: string[], input?: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = execFile(file, args, { timeout: 60_000 }, (error, stdout, stderr) =>
      error
        ? fail(new Error(`${file} ${args.join(" ")}: ${error.message}\n${stderr}`))
        : done(stdout),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

const grpcurl = (...args: string[]) => exec(GRPCURL, ["-plaintext", ...args]);
const authorized = () => ["-H", `authorization: Bearer ${serve.token}`];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-reflection-"));
  await createDemoWarehouse(join(dir, "warehouse.duckdb"));
  const artifacts = await compileShop(dir, "dialect: duckdb\npath: warehouse.duckdb");
  serve = await startServe(["--listen", "127.0.0.1:0", "--artifacts", artifacts], {
    cwd: dir,
    env: { FLOE_STATE_DIR: join(dir, "state"), FLOE_LINEAGE_TRANSPORT: "none" },
  });
});

afterAll(async () => {
  await serve?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("grpcurl through reflection", () => {
  it("lists every service the host serves", async () => {
    expect((await grpcurl(serve.address, "list")).trim().split("\n")).toEqual([
      HOST,
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
    ]);
  });

  it("describes every service and the messages with Struct and map fields", async () => {
    const host = await grpcurl(serve.address, "describe", HOST);
    for (const rpc of [
      "rpc Compile ( .floe.quality.v1.CompileRequest ) returns ( .floe.quality.v1.CompileResponse );",
      "rpc RunQualityChecks ( .floe.quality.v1.RunQualityChecksRequest ) returns ( stream .floe.quality.v1.RunQualityChecksResponse );",
      "rpc ListPlugins ( .floe.quality.v1.ListPluginsRequest ) returns ( .floe.quality.v1.ListPluginsResponse );",
    ]) {
      expect(host).toContain(rpc);
    }
    expect(await grpcurl(serve.address, "describe", "grpc.health.v1.Health")).toContain(
      "rpc Check ( .grpc.health.v1.HealthCheckRequest ) returns ( .grpc.health.v1.HealthCheckResponse );",
    );
    for (const version of ["v1", "v1alpha"]) {
      expect(
        await grpcurl(serve.address, "describe", `grpc.reflection.${version}.ServerReflection`),
      ).toContain("rpc ServerReflectionInfo ( stream");
    }
    expect(await grpcurl(serve.address, "describe", "floe.quality.v1.QualityCheck")).toContain(
      ".google.protobuf.Struct parameters = 7;",
    );
    expect(await grpcurl(serve.address, "describe", "floe.quality.v1.QualityScore")).toMatch(
      /map<string, double> dimension_scores = \d+;/,
    );
  });

  it("invokes health, and every host method with the token", async () => {
    const health = JSON.parse(
      await grpcurl("-d", "{}", serve.address, "grpc.health.v1.Health/Check"),
    );
    expect(health).toEqual({ status: "SERVING" });

    const plugins = JSON.parse(
      await grpcurl(...authorized(), "-d", "{}", serve.address, `${HOST}/ListPlugins`),
    );
    expect(plugins.plugins.map((p: { provider: string }) => p.provider)).toContain("floe_sql");

    const stream = await grpcurl(
      ...authorized(),
      "-d",
      '{"model_name": "orders"}',
      serve.address,
      `${HOST}/RunQualityChecks`,
    );
    const messages = stream
      .trim()
      .split(/\n(?=\{)/)
      .map((m) => JSON.parse(m));
    expect(messages.filter((m) => m.progress)).toHaveLength(10);
    expect(messages.at(-1).outcome).toMatchObject({
      verdict: "VERDICT_WARN",
      qualityTier: "silver",
    });

    const gates = JSON.parse(
      await grpcurl(
        ...authorized(),
        "-d",
        '{"model_name": "orders"}',
        serve.address,
        `${HOST}/ValidateQualityGates`,
      ),
    );
    expect(gates).toMatchObject({
      passed: true,
      results: [{ modelName: "orders", tier: "silver" }],
    });

    const score = JSON.parse(
      await grpcurl(
        ...authorized(),
        "-d",
        JSON.stringify({
          results: {
            model_name: "orders",
            checks: [
              {
                check_name: "a",
                passed: true,
                dimension: "DIMENSION_VALIDITY",
                severity: "SEVERITY_CRITICAL",
                status: "CHECK_STATUS_PASSED",
              },
              {
                check_name: "b",
                passed: false,
                dimension: "DIMENSION_VALIDITY",
                severity: "SEVERITY_CRITICAL",
                status: "CHECK_STATUS_FAILED",
              },
            ],
          },
        }),
        serve.address,
        `${HOST}/CalculateQualityScore`,
      ),
    );
    // validity 50, the rest 100: 0.25·100 + 0.25·100 + 0.20·50 + 0.15·100 + 0.15·100.
    expect(score.score.overall).toBe(90);

    const example = async (path: string) => ({
      path,
      content: await readFile(join(ROOT, "examples", path), "utf8"),
    });
    const compiled = JSON.parse(
      await exec(
        GRPCURL,
        ["-plaintext", ...authorized(), "-d", "@", serve.address, `${HOST}/Compile`],
        JSON.stringify({
          enterprise_manifest: await example("manifest.yaml"),
          domain_manifest: await example("domains/sales/manifest.yaml"),
          product_config: await example("products/shop/floe.yaml"),
        }),
      ),
    );
    expect(compiled.success).toBe(true);
    expect(JSON.parse(compiled.compiledArtifactsJson).version).toBe("0.4.0");
  });
});

describe("buf curl through reflection", () => {
  it("calls the host over gRPC with the token", async () => {
    const answer = await exec(BUF, [
      "curl",
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      "-H",
      `authorization: Bearer ${serve.token}`,
      "-d",
      "{}",
      `http://${serve.address}/${HOST}/ListPlugins`,
    ]);
    expect(JSON.parse(answer).plugins.map((p: { provider: string }) => p.provider)).toContain(
      "floe_sql",
    );
  });
});
