// The pod rehearsed without containers: each container of deployment.yaml runs as
// a local process with its image's ENTRYPOINT (read from its Dockerfile), its
// args, env and probes from the manifest, and the pod's paths (/run/floe,
// /etc/floe, /var/lib/floe, /app) mapped into a temporary directory and the
// repository. This test plays the kubelet: sidecars first, each until its
// startup probe passes, then the host; SIGTERM to the host, then to the sidecars.
// An orchestrator's calls then go over TLS with the bearer token, through the
// sidecars' sockets, against a DuckDB warehouse.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { contract } from "@floe/quality-sdk";
import { credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWarehouse } from "../../host/src/cli/commands/demo.js";
import {
  type Doc,
  dockerfileOf,
  finalStage,
  jsonArray,
  KUBE,
  parseYaml,
  REPO,
  writePki,
} from "./support.js";

const PYTHON = join(REPO, ".venv/bin/python");
const SERVICE_NAME = "floe-quality.floe-quality.svc";
const PORT_IN_POD = 7700;

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: Doc }>;
  envFrom?: Array<{ configMapRef: { name: string } }>;
  startupProbe?: Doc;
  readinessProbe?: Doc;
  livenessProbe?: Doc;
}

const podSpec = parseYaml(join(KUBE, "deployment.yaml"))[0].spec.template.spec;
const generatedConfigMaps: Array<{ name: string; literals?: string[] }> = parseYaml(
  join(KUBE, "kustomization.yaml"),
)[0].configMapGenerator;
const sidecars: Container[] = podSpec.initContainers;
const host: Container = podSpec.containers[0];

const dir = mkdtempSync(join(tmpdir(), "floe-pod-"));
const pki = writePki(mkdirIn(dir, "tls"), SERVICE_NAME);
// What `kubectl create secret generic floe-quality-secrets` would hold.
const secret: Record<string, string> = {
  "host-token": randomBytes(16).toString("hex"),
  "pg-password": `pw-${randomBytes(12).toString("hex")}`,
};
const warehouse = join(dir, "warehouse.duckdb");
let hostPort = 0;

interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

/**
 * The cluster's collector and lineage backend, played by one local HTTP server:
 * every URL of the telemetry ConfigMap points here.
 */
const backend = {
  received: [] as Received[],
  url: "",
  server: createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      backend.received.push({
        path: request.url ?? "",
        contentType: request.headers["content-type"] ?? "",
        body: Buffer.concat(chunks),
      });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  }),
};

function mkdirIn(parent: string, name: string): string {
  const path = join(parent, name);
  mkdirSync(path, { recursive: true });
  return path;
}

/** A path or address of the pod, as it is on this machine. */
function local(text: string): string {
  return text
    .replaceAll("/run/floe", join(dir, "run"))
    .replaceAll("/etc/floe/artifacts", join(dir, "artifacts"))
    .replaceAll("/etc/floe/tls", join(dir, "tls"))
    .replaceAll("/var/lib/floe", join(dir, "state"))
    .replaceAll("/app/deploy/probe/", join(REPO, "deploy/images/probe/"))
    .replaceAll("/app/", `${REPO}/`)
    .replace(`0.0.0.0:${PORT_IN_POD}`, "0.0.0.0:0")
    .replace(`127.0.0.1:${PORT_IN_POD}`, `127.0.0.1:${hostPort}`);
}

/** The image's interpreter on this machine: Node running the tests, the project's venv. */
function localCommand(command: readonly string[]): [string, ...string[]] {
  const [program, ...rest] = command.map(local);
  const file = program === "node" ? process.execPath : program === "python" ? PYTHON : program!;
  return [file, ...rest];
}

function environment(container: Container): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: mkdirIn(dir, "home") };
  for (const { configMapRef } of container.envFrom ?? []) {
    const configMap = generatedConfigMaps.find((c) => c.name === configMapRef.name)!;
    for (const literal of configMap.literals ?? []) {
      const at = literal.indexOf("=");
      env[literal.slice(0, at)] = literal.slice(at + 1).replace(/^https?:\/\/[^/]+/, backend.url);
    }
  }
  for (const variable of container.env ?? []) {
    env[variable.name] =
      variable.value !== undefined
        ? local(variable.value)
        : secret[variable.valueFrom.secretKeyRef.key as string];
  }
  return env;
}

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}
const running = new Map<string, Running>();

function start(container: Container): Running {
  const entrypoint = jsonArray(
    finalStage(dockerfileOf(container.image)).instructions.find((i) => i.keyword === "ENTRYPOINT"),
  );
  const [file, ...args] = localCommand([...entrypoint, ...(container.args ?? [])]);
  const child = spawn(file, args, {
    cwd: dir,
    env: environment(container),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const process_ = { child, stderr: () => stderr, exited };
  running.set(container.name, process_);
  return process_;
}

function runProbe(probe: Doc): Promise<{ status: number | null; stderr: string }> {
  const [file, ...args] = localCommand(probe.exec.command as string[]);
  return new Promise((done) => {
    const child = spawn(file, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("exit", (code) => done({ status: code, stderr }));
  });
}

/** The kubelet's startup probe: every periodSeconds until it passes, failureThreshold times. */
async function waitStarted(container: Container): Promise<void> {
  const probe = container.startupProbe;
  for (let attempt = 1; ; attempt += 1) {
    const result = await runProbe(probe);
    if (result.status === 0) return;
    if (attempt >= probe.failureThreshold) {
      throw new Error(
        `${container.name} never started: ${result.stderr}\n${running.get(container.name)?.stderr()}`,
      );
    }
    await new Promise((r) => setTimeout(r, probe.periodSeconds * 1000));
  }
}

async function stop(name: string): Promise<number | null> {
  const process_ = running.get(name)!;
  process_.child.kill("SIGTERM");
  return await process_.exited;
}

function client(): contract.QualityHostServiceClient {
  return new contract.QualityHostServiceClient(
    `127.0.0.1:${hostPort}`,
    credentials.createSsl(readFileSync(pki("ca.crt"))),
    { "grpc.ssl_target_name_override": SERVICE_NAME, "grpc.default_authority": SERVICE_NAME },
  );
}

function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

function listPlugins(metadata: Metadata): Promise<contract.ListPluginsResponse> {
  const c = client();
  return new Promise((done, fail) =>
    c.listPlugins({}, metadata, (error: ServiceError | null, response) => {
      c.close();
      if (error) fail(error);
      else done(response);
    }),
  );
}

/** A port on loopback where nothing listens. */
function closedPort(): Promise<number> {
  return new Promise<number>((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

let closed = 0;

/**
 * The mounted artifacts directory (/etc/floe/artifacts): the shipped ledger, the
 * shop pointed at the local DuckDB warehouse, the shop on great_expectations
 * (shop-gx.json) and the shipped shop aimed at a closed PostgreSQL port
 * (shop-postgres.json, its `${env:FLOE_PG_PASSWORD}` reference kept).
 */
function writeMountedArtifacts(): void {
  const mounted = mkdirIn(dir, "artifacts");
  const shipped = (product: string) =>
    JSON.parse(readFileSync(join(KUBE, "artifacts", `${product}.json`), "utf8"));
  const write = (name: string, artifacts: Doc) =>
    writeFileSync(join(mounted, name), JSON.stringify(artifacts));
  write("ledger.json", shipped("ledger"));
  const onWarehouse = shipped("shop");
  onWarehouse.product.compute = { dialect: "duckdb", path: warehouse };
  write("shop.json", onWarehouse);
  write("shop-gx.json", {
    ...onWarehouse,
    quality_config: { ...onWarehouse.quality_config, provider: "great_expectations" },
  });
  const onPostgres = shipped("shop");
  onPostgres.product.compute = { ...onPostgres.product.compute, host: "127.0.0.1", port: closed };
  write("shop-postgres.json", onPostgres);
}

/** RunQualityChecks for a model of one mounted artifacts file (named relative to the mount). */
function runQualityChecks(
  artifactsPath: string,
  modelName: string,
): Promise<contract.RunQualityChecksResponse[]> {
  const c = client();
  const request = contract.RunQualityChecksRequest.fromPartial({ artifactsPath, modelName });
  const events: contract.RunQualityChecksResponse[] = [];
  return new Promise((done, fail) => {
    const stream = c.runQualityChecks(request, bearer(secret["host-token"]!));
    stream.on("data", (event: contract.RunQualityChecksResponse) => events.push(event));
    stream.on("error", (error) => {
      c.close();
      fail(error);
    });
    stream.on("end", () => {
      c.close();
      done(events);
    });
  });
}

interface Span {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
}

/** Spans of an OTLP/JSON export (the host's exporter). */
function spansOfJson(payload: Doc): Span[] {
  return (payload.resourceSpans ?? []).flatMap((rs: Doc) => {
    const service = rs.resource.attributes.find((a: Doc) => a.key === "service.name").value
      .stringValue;
    return rs.scopeSpans.flatMap((ss: Doc) =>
      ss.spans.map((span: Doc) => ({
        service,
        name: span.name,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? "",
        attributes: Object.fromEntries(
          (span.attributes ?? []).map((a: Doc) => [a.key, Object.values(a.value)[0]]),
        ),
      })),
    );
  });
}

/** Spans of OTLP/protobuf exports (the Python SDK's), decoded with opentelemetry-proto. */
function spansOfProtobuf(bodies: Buffer[]): Span[] {
  const files = bodies.map((body, i) => {
    const file = join(dir, `export-${i}.pb`);
    writeFileSync(file, body);
    return file;
  });
  const decode = `
import json, sys
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
spans = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        request = ExportTraceServiceRequest.FromString(f.read())
    for rs in request.resource_spans:
        service = [a.value.string_value for a in rs.resource.attributes if a.key == "service.name"][0]
        for ss in rs.scope_spans:
            for s in ss.spans:
                spans.append({"service": service, "name": s.name, "traceId": s.trace_id.hex(),
                              "spanId": s.span_id.hex(), "parentSpanId": s.parent_span_id.hex(),
                              "attributes": {a.key: getattr(a.value, a.value.WhichOneof("value")) for a in s.attributes}})
print(json.dumps(spans))
`;
  return JSON.parse(execFileSync(PYTHON, ["-c", decode, ...files], { encoding: "utf8" }));
}

function outcomeOf(events: contract.RunQualityChecksResponse[]): contract.RunOutcome {
  const last = events.at(-1)?.event;
  if (last?.$case !== "outcome") throw new Error("the stream ended without an outcome");
  return last.value;
}

beforeAll(async () => {
  execFileSync(join(REPO, "node_modules/.bin/tsc"), ["-b"], { cwd: REPO, stdio: "pipe" });
  await new Promise<void>((done) => backend.server.listen(0, "127.0.0.1", done));
  backend.url = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}`;
  mkdirIn(dir, "run");
  mkdirIn(dir, "state");
  await createDemoWarehouse(warehouse);
  closed = await closedPort();
  writeMountedArtifacts();
  for (const sidecar of sidecars) {
    start(sidecar);
    await waitStarted(sidecar);
  }
  const served = start(host);
  const lines = createInterface({ input: served.child.stdout! });
  const address = await new Promise<string>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`serve did not start: ${served.stderr()}`)),
      20_000,
    );
    lines.on("line", (line) => {
      const match = /listening on (\S+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        done(match[1]!);
      }
    });
    void served.exited.then((code) =>
      fail(new Error(`serve exited with ${code}: ${served.stderr()}`)),
    );
  });
  hostPort = Number(address.split(":").at(-1));
  expect(address).toBe(`0.0.0.0:${hostPort}`);
}, 120_000);

afterAll(async () => {
  for (const process_ of running.values()) process_.child.kill("SIGKILL");
  backend.server.closeAllConnections();
  backend.server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the pod from deployment.yaml, rehearsed as local processes", () => {
  it("passes every container's readiness and liveness probe", async () => {
    for (const container of [...sidecars, host]) {
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        expect(await runProbe(probe), container.name).toEqual({ status: 0, stderr: "" });
      }
    }
  });

  it("lists the sidecars at the sockets the host was told to dial, and refuses callers without the token", async () => {
    const { plugins } = await listPlugins(bearer(secret["host-token"]!));
    const dialled = plugins
      .filter((p) => p.runtime.startsWith("sidecar "))
      .map((p) => [p.provider, p.runtime]);
    expect(dialled).toEqual([
      ["floe_sql", `sidecar unix://${join(dir, "run", "floe_sql.sock")}`],
      ["great_expectations", `sidecar unix://${join(dir, "run", "great_expectations.sock")}`],
    ]);
    await expect(listPlugins(new Metadata())).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
    });
    await expect(listPlugins(bearer("not-the-token"))).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
    });
  });

  it("runs the shop's orders through the floe_sql sidecar", async () => {
    const events = await runQualityChecks("shop.json", "orders");
    const outcome = outcomeOf(events);
    const checks = outcome.suiteResult!.checks.map((c) => [c.checkName, c.passed, c.recordsFailed]);
    expect(checks).toEqual([
      ["order_id_present", true, 0],
      ["order_id_unique", true, 0],
      ["customer_id_present", true, 0],
      // The demo warehouse has one cancelled order, a status the product does not know.
      ["status_known", false, 1],
      ["amount_non_negative", true, 0],
    ]);
    expect(events.filter((e) => e.event?.$case === "progress")).toHaveLength(5);
    expect(outcome.score!.checksPassed).toBe(4);
    expect(outcome.score!.checksFailed).toBe(1);
    // completeness (2 not_null) 100, consistency (unique) 100, validity (accepted_values) 0,
    // accuracy (between) 100, timeliness (none) 100: 0.25·100 + 0.25·100 + 0.20·0 + 0.15·100
    // + 0.15·100 = 80, under the sales domain's warn_score 85, over the silver gate's 75.
    expect(outcome.score!.overall).toBe(80);
    expect(outcome.score!.dimensionScores).toEqual({
      completeness: 100,
      accuracy: 100,
      validity: 0,
      consistency: 100,
      timeliness: 100,
    });
    expect(outcome.verdict).toBe(contract.Verdict.VERDICT_WARN);
    expect(outcome.violations).toEqual(["score 80 is below warn_score 85"]);
    expect(outcome.qualityTier).toBe("silver");
    expect(running.get("floe-sql")!.child.exitCode).toBeNull();
  });

  it("runs a model through the great_expectations sidecar", async () => {
    const events = await runQualityChecks("shop-gx.json", "customers");
    const outcome = outcomeOf(events);
    expect(outcome.suiteResult!.checks.map((c) => [c.checkName, c.passed])).toEqual([
      ["customer_id_present", true],
      ["customers_not_empty", true],
    ]);
    expect(outcome.verdict).toBe(contract.Verdict.VERDICT_PASS);
  });

  it("resolves the PostgreSQL password from the Secret at run time and leaks it nowhere", async () => {
    // The shipped artifacts with their `${env:FLOE_PG_PASSWORD}` reference, aimed at
    // a local port where nothing listens: the password reaches floe_sql, the
    // connection is refused, and the failure is reported without it.
    const mounted = readFileSync(join(dir, "artifacts", "shop-postgres.json"), "utf8");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a floe `${env:NAME}` reference
    expect(mounted).toContain("${env:FLOE_PG_PASSWORD}");
    expect(mounted).not.toContain(secret["pg-password"]);
    // Unresolved, the reference would fail the run before any connection (FLOE-DQ100).
    const events = await runQualityChecks("shop-postgres.json", "customers");
    const refused = `relation analytics.customers cannot be read: connect ECONNREFUSED 127.0.0.1:${closed}`;
    expect(
      outcomeOf(events).suiteResult!.checks.map((c) => [c.checkName, c.status, c.errorMessage]),
    ).toEqual([
      ["customer_id_present", contract.CheckStatus.CHECK_STATUS_ERROR, refused],
      ["customers_not_empty", contract.CheckStatus.CHECK_STATUS_ERROR, refused],
    ]);
    const answer = JSON.stringify(events);
    expect(answer).not.toContain(secret["pg-password"]);
    for (const [name, process_] of running) {
      expect(process_.stderr(), name).not.toContain(secret["pg-password"]);
      expect(process_.stderr(), name).not.toContain(secret["host-token"]);
    }
  });

  it("stops like the kubelet stops it: the host drains, then the sidecars exit and remove their sockets", async () => {
    expect(await stop(host.name)).toBe(0);
    for (const sidecar of [...sidecars].reverse()) {
      expect(await stop(sidecar.name), sidecar.name).toBe(0);
    }
    for (const provider of ["floe_sql", "great_expectations"]) {
      expect(existsSync(join(dir, "run", `${provider}.sock`)), provider).toBe(false);
    }
  });

  it("sends the host's and the sidecars' spans to the collector as one trace per run", () => {
    const traces = backend.received.filter((r) => r.path === "/v1/traces");
    const hostSpans = traces
      .filter((r) => r.contentType.startsWith("application/json"))
      .flatMap((r) => spansOfJson(JSON.parse(r.body.toString("utf8"))));
    const pluginSpans = spansOfProtobuf(
      traces.filter((r) => r.contentType === "application/x-protobuf").map((r) => r.body),
    );
    const hostCall = hostSpans.find(
      (s) =>
        s.name === "floe.plugin.RunChecks" &&
        s.attributes["floe.provider"] === "great_expectations",
    )!;
    expect(hostCall.service).toBe("floe-quality");
    const pluginCalls = pluginSpans.filter(
      (s) => s.name === "floe.quality.v1.QualityPluginService/RunChecks",
    );
    expect(pluginCalls.map((s) => [s.service, s.traceId, s.parentSpanId])).toEqual([
      ["floe-quality-plugin-great_expectations", hostCall.traceId, hostCall.spanId],
    ]);
    expect(pluginCalls[0]!.attributes).toMatchObject({
      "floe.plugin.name": "great_expectations",
      "floe.model": "customers",
      "floe.checks.count": 2,
      "floe.dialect": "duckdb",
      "floe.suite.passed": true,
    });
    const everything = traces.map((r) => r.body.toString("latin1")).join("");
    expect(everything).not.toContain(secret["pg-password"]);
    expect(backend.received.some((r) => r.path === "/api/v1/lineage")).toBe(true);
  });
});
