// The tests run the built CLI and plugins: `npm test` builds first (`tsc -b`);
// when running a file alone, build before.
//
// What the end-to-end tests share: the built CLI as a child process (`serve`,
// `run`), the orchestrator client in its own process, a shop project compiled
// for DuckDB or PostgreSQL, and local HTTP receivers for lineage and OTLP traces.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { demoWarehouseStatements } from "../../host/src/cli/commands/demo.js";
import { compileProject } from "../../host/src/compile/compile.js";
import { writeArtifacts } from "../../host/src/compile/write.js";
import { makePki as makeTestPki } from "../support/pki.js";
import type { PostgresServer } from "../support/postgres.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const CLI = join(ROOT, "host/dist/cli/main.js");
const CLIENT = join(ROOT, "test/fixtures/orchestrator-client.mjs");
const EXAMPLES = join(ROOT, "examples");

/** Waits for `condition` to hold, polling; fails with `what` at the deadline. */
export async function waitFor<T>(
  what: string,
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ServeProcess {
  readonly address: string;
  /** The bearer token serve made and printed at start (undefined with FLOE_HOST_TOKEN, mTLS or --no-auth). */
  readonly token: string | undefined;
  readonly child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

/** Tokens printed by the serve processes started here, by address: `orchestrate` sends them. */
const printedTokens = new Map<string, string>();

/** `floe-quality serve` as a child process, resolved once it prints its address (and token). */
export async function startServe(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, "serve", ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const lines = createInterface({ input: child.stdout! });
  let token: string | undefined;
  const address = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve did not start: ${stderr}`)), 60_000);
    lines.on("line", (line) => {
      token ??= /"authorization: Bearer ([^"]+)"/.exec(line)?.[1];
      const match = /listening on (\S+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        done(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`serve exited with ${code}: ${stderr}`));
    });
  });
  if (token !== undefined) printedTokens.set(address, token);
  return {
    address,
    token,
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Any program to completion: exit code (-1 when killed) and output. `env` is the whole environment. */
export function runCommand(
  file: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Any CLI command to completion. */
export function floeQuality(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliRun> {
  return runCommand(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    timeoutMs: options.timeoutMs,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the client prints loosely typed JSON
export type ClientResult = any;

/** The orchestrator client (its own process) against `target`; one result per call. */
export async function orchestrate(
  target: string,
  calls: object[],
  extra: {
    token?: string;
    parallel?: boolean;
    tls?: { ca: string; cert?: string; key?: string };
  } = {},
): Promise<ClientResult[]> {
  const token = extra.token ?? printedTokens.get(target);
  const spec = JSON.stringify({ target, calls, ...extra, ...(token ? { token } : {}) });
  const { code, stdout, stderr } = await new Promise<CliRun>((done) =>
    execFile(process.execPath, [CLIENT, spec], { cwd: ROOT, timeout: 90_000 }, (error, out, err) =>
      done({ code: error ? Number(error.code ?? -1) : 0, stdout: out, stderr: err }),
    ),
  );
  if (code !== 0) throw new Error(`orchestrator client failed (${code}): ${stderr}`);
  return JSON.parse(stdout);
}

/**
 * A database `name` on `server` with the demo warehouse's tables and rows, then
 * `extra` statements (roles, grants) run as the superuser.
 */
export async function createDemoDatabase(
  server: PostgresServer,
  name: string,
  extra: readonly string[] = [],
): Promise<void> {
  await server.createDatabase(name);
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: server.user,
    database: name,
  });
  await client.connect();
  try {
    for (const s of demoWarehouseStatements("postgres")) await client.query(s.sql, s.params);
    for (const sql of extra) await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * The example project (enterprise + sales domain + shop) compiled with another
 * `compute:` block, written to `<dir>/compiled_artifacts.json`.
 */
export async function compileShop(dir: string, computeYaml: string): Promise<string> {
  const product = await readFile(join(EXAMPLES, "products/shop/floe.yaml"), "utf8");
  const replaced = product.replace(
    /^compute:\n(?: {2}.*\n)+/m,
    `compute:\n${computeYaml
      .split("\n")
      .filter(Boolean)
      .map((l) => `  ${l}`)
      .join("\n")}\n`,
  );
  if (replaced === product) throw new Error("the example floe.yaml has no compute block");
  const productFile = join(dir, "floe.yaml");
  await writeFile(productFile, replaced);
  const result = compileProject({
    enterprise: {
      file: "manifest.yaml",
      text: await readFile(join(EXAMPLES, "manifest.yaml"), "utf8"),
    },
    domain: {
      file: "sales/manifest.yaml",
      text: await readFile(join(EXAMPLES, "domains/sales/manifest.yaml"), "utf8"),
    },
    product: { file: productFile, text: replaced },
    knownProviders: ["floe_sql"],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  const out = join(dir, "compiled_artifacts.json");
  await writeArtifacts(out, result.artifacts);
  return out;
}

function body(request: IncomingMessage): Promise<string> {
  return new Promise((done) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      text += chunk;
    });
    request.on("end", () => done(text));
  });
}

// biome-ignore lint/suspicious/noExplicitAny: OpenLineage events as received
export type ReceivedEvent = any;

/** A lineage backend on a fixed loopback port that can go down and come back. */
export interface LineageReceiver {
  readonly url: string;
  readonly events: ReceivedEvent[];
  up(): Promise<void>;
  down(): Promise<void>;
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((done) => server.listen(port, "127.0.0.1", done));
  return (server.address() as AddressInfo).port;
}

export async function startLineageReceiver(): Promise<LineageReceiver> {
  const events: ReceivedEvent[] = [];
  const make = () =>
    createServer(async (request, response) => {
      const text = await body(request);
      if (request.method === "POST" && request.url === "/api/v1/lineage") {
        events.push(JSON.parse(text));
        response.writeHead(201).end();
      } else response.writeHead(404).end();
    });
  let server: Server | undefined = make();
  const port = await listen(server, 0);
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    async up() {
      if (server) return;
      server = make();
      await listen(server, port);
    },
    async down() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((done) => s.close(() => done()));
    },
  };
}

/** A throwaway CA for the e2e TLS tests: the orchestrator presents the client certificate. */
export function makePki(dir: string): (name: string) => string {
  return makeTestPki(dir, { ca: "floe-e2e-ca", client: "orchestrator" });
}

export interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
}

/** An OTLP/HTTP (JSON) traces endpoint recording every span with its service name. */
export async function startOtlpReceiver(): Promise<{
  url: string;
  spans: ReceivedSpan[];
  bodies: string[];
  close(): Promise<void>;
}> {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const server = createServer(async (request, response) => {
    const text = await body(request);
    bodies.push(text);
    // biome-ignore lint/suspicious/noExplicitAny: OTLP JSON
    const payload: any = JSON.parse(text);
    for (const rs of payload.resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find(
        (a: { key: string }) => a.key === "service.name",
      )?.value?.stringValue;
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          spans.push({
            service,
            name: s.name,
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? "",
            attributes: Object.fromEntries(
              (s.attributes ?? []).map((a: { key: string; value: Record<string, unknown> }) => [
                a.key,
                Object.values(a.value)[0],
              ]),
            ),
          });
        }
      }
    }
    response.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  const port = await listen(server, 0);
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
