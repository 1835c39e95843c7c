import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { contract, FloeError, SOCKET_FILE_NAME } from "@floe/quality-sdk";
import { status } from "@grpc/grpc-js";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  connectPlugin,
  discoverPlugins,
  launchCommand,
  PluginCallError,
  type PluginDescriptor,
  type RunningPlugin,
  resolveProvider,
  type SupervisorOptions,
  startPlugin,
} from "../src/plugins/index.js";
import {
  check,
  FIXTURE_PLUGINS,
  isAlive,
  pidFile,
  pidsIn,
  runRequest,
  waitUntil,
} from "./plugins-support.js";

const { CheckStatus } = contract;
const running: RunningPlugin[] = [];

function pyEchoDescriptor(): PluginDescriptor {
  return resolveProvider(
    discoverPlugins({ env: { FLOE_PLUGIN_PATH: FIXTURE_PLUGINS }, workspaceRoot: tmpdir() }),
    "py_echo",
  );
}

async function start(options: SupervisorOptions = {}): Promise<RunningPlugin> {
  const plugin = await startPlugin(pyEchoDescriptor(), { onLog: () => undefined, ...options });
  running.push(plugin);
  return plugin;
}

const sidecars: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
  for (const child of sidecars.splice(0)) child.kill("SIGKILL");
});

/** Starts py_echo standalone with FLOE_PLUGIN_LISTEN; resolves with its handshake line. */
async function startSidecar(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; handshake: string }> {
  const { file, args } = launchCommand(pyEchoDescriptor());
  const child = spawn(file, args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  sidecars.push(child);
  child.stderr!.resume();
  const handshake = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`sidecar exited with ${code}`)));
  });
  return { child, handshake };
}

/** A throwaway CA with a server certificate for localhost and a client certificate. */
function writePki(): (name: string) => string {
  const pki = mkdtempSync(join(tmpdir(), "floe-pki-"));
  const file = (name: string) => join(pki, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=floe-test-ca",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  );
  writeFileSync(file("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  for (const who of ["server", "client"]) {
    const subject = who === "server" ? "/CN=localhost" : "/CN=floe-host";
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      subject,
      "-keyout",
      file(`${who}.key`),
      "-out",
      file(`${who}.csr`),
    );
    openssl(
      "x509",
      "-req",
      "-in",
      file(`${who}.csr`),
      "-CA",
      file("ca.pem"),
      "-CAkey",
      file("ca.key"),
      "-CAcreateserial",
      "-days",
      "1",
      "-out",
      file(`${who}.pem`),
      ...(who === "server" ? ["-extfile", file("server.ext")] : []),
    );
  }
  return file;
}

describe("the supervisor with the Python test plugin (floe_quality_sdk)", () => {
  it("runs it with the project's virtual environment", () => {
    const descriptor = pyEchoDescriptor();
    expect(descriptor.runtime).toBe("python");
    expect(descriptor.file).toBe(join(FIXTURE_PLUGINS, "py-echo/floe-plugin.json"));
  });

  it("starts the plugin, reports it SERVING with its metadata, and stops it leaving no process or socket", async () => {
    const plugin = await start();
    expect(plugin.state()).toBe("serving");
    expect(plugin.metadata.name).toBe("py_echo");
    expect(plugin.metadata.version).toBe("0.1.0");
    expect(plugin.metadata.floeApiVersion).toBe("1.0.0");
    expect(plugin.metadata.capabilities?.checkTypes).toEqual([
      "not_null",
      "unique",
      "row_count_between",
    ]);
    const pid = plugin.pid()!;
    const dir = plugin.socketDir()!;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, SOCKET_FILE_NAME)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, SOCKET_FILE_NAME)).isSocket()).toBe(true);

    await plugin.stop();
    expect(plugin.state()).toBe("stopped");
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it("keeps the plugin NOT_SERVING until its startup work is done", async () => {
    const plugin = await start({ env: { FLOE_ECHO_STARTUP_MS: "600" } });
    expect(plugin.timings.servingMs).toBeGreaterThanOrEqual(600);
    expect(plugin.timings.handshakeMs).toBeLessThan(plugin.timings.servingMs);
  });

  it("streams each check result and then the suite summary", async () => {
    const plugin = await start();
    const seen: string[] = [];
    const summary = await plugin.client.runChecks(
      runRequest([
        check("id_not_null", { records_checked: 100, records_failed: 0 }),
        check(
          "email_not_null",
          { passed: false, records_checked: 100, records_failed: 3 },
          { column: "email" },
        ),
      ]),
      { timeoutMs: 5_000, onCheck: (r) => seen.push(r.checkName) },
    );
    expect(seen).toEqual(["id_not_null", "email_not_null"]);
    expect(summary.modelName).toBe("orders");
    expect(summary.passed).toBe(false);
    expect(
      summary.checks.map((c) => [c.checkName, c.status, c.recordsChecked, c.recordsFailed]),
    ).toEqual([
      ["id_not_null", CheckStatus.CHECK_STATUS_PASSED, 100, 0],
      ["email_not_null", CheckStatus.CHECK_STATUS_FAILED, 100, 3],
    ]);
    expect(summary.summary).toEqual({
      checks_total: 2,
      checks_passed: 1,
      checks_failed: 1,
      checks_error: 0,
      checks_skipped: 0,
      checks_timed_out: 0,
    });
  });

  it("reports checks still running at the deadline as TIMED_OUT with FLOE-DQ106", async () => {
    const plugin = await start();
    const summary = await plugin.client.runChecks(
      runRequest(
        [check("quick"), check("slow", { sleep_ms: 20_000 }), check("never_started")],
        "run-deadline",
        1,
      ),
      { timeoutMs: 1_000 },
    );
    expect(summary.checks.map((c) => [c.checkName, c.status, c.errorCode])).toEqual([
      ["quick", CheckStatus.CHECK_STATUS_PASSED, ""],
      ["slow", CheckStatus.CHECK_STATUS_TIMED_OUT, "FLOE-DQ106"],
      ["never_started", CheckStatus.CHECK_STATUS_TIMED_OUT, "FLOE-DQ106"],
    ]);
    expect(summary.checks[1]?.errorMessage).toBe(
      "the check did not finish within the suite deadline (1 s)",
    );
    expect(summary.passed).toBe(false);
  });

  it("carries a FloeError raised by the plugin to the host with its FLOE-DQ code and place", async () => {
    const plugin = await start();
    const error = await plugin.client
      .runChecks(runRequest([check("nope_not_null")], "missing-column"))
      .catch((e) => e);
    expect(error).toBeInstanceOf(PluginCallError);
    expect(error.code).toBe("FLOE-DQ105");
    expect(error.grpcCode).toBe(status.INVALID_ARGUMENT);
    expect(error.message).toBe("column 'nope' does not exist in orders");
    expect(error.path).toBe("orders/nope_not_null");
    expect(error.fix).toBe(
      "Verify the column exists in the model (floe.yaml columns, dbt manifest or warehouse).",
    );
  });

  it("turns any other exception into INTERNAL without leaking its message", async () => {
    const plugin = await start();
    const error = await plugin.client.runChecks(runRequest([check("a")], "bug")).catch((e) => e);
    expect(error).toBeInstanceOf(PluginCallError);
    expect(error.grpcCode).toBe(status.INTERNAL);
    expect(error.code).toBe("FLOE-DQ001");
    expect(error.message).toBe(
      "plugin py_echo failed RunChecks: INTERNAL: the plugin failed while handling the call; see the plugin log",
    );
  });

  it("fails a streamed RunChecks with UNAVAILABLE within 1 s of a crash, then serves the next call after a restart", async () => {
    const plugin = await start();
    const firstPid = plugin.pid()!;
    let firstResultAt = 0;
    const error = await plugin.client
      .runChecks(runRequest([check("first"), check("second")], "crash"), {
        timeoutMs: 20_000,
        onCheck: () => {
          firstResultAt = Date.now();
        },
      })
      .catch((e: unknown) => e);
    const failedAfterMs = Date.now() - firstResultAt;
    expect(error).toBeInstanceOf(PluginCallError);
    expect((error as PluginCallError).grpcCode).toBe(status.UNAVAILABLE);
    expect((error as PluginCallError).code).toBe("FLOE-DQ001");
    expect((error as PluginCallError).message).toMatch(
      new RegExp(
        `^plugin py_echo \\(pid ${firstPid}\\) was killed by SIGKILL; last stderr lines:\\n`,
      ),
    );
    expect((error as PluginCallError).message).toContain("py_echo: crashing mid-stream as asked");
    expect(failedAfterMs).toBeLessThan(1_000);

    const summary = await plugin.client.runChecks(runRequest([check("after_restart")]), {
      timeoutMs: 10_000,
    });
    expect(summary.checks.map((c) => [c.checkName, c.status])).toEqual([
      ["after_restart", CheckStatus.CHECK_STATUS_PASSED],
    ]);
    expect(plugin.pid()).not.toBe(firstPid);
    expect(isAlive(firstPid)).toBe(false);
  });

  it("rejects a Python plugin whose floe_api_version major differs from the host's", async () => {
    const pids = pidFile();
    const error = await start({
      env: { FLOE_ECHO_MODE: "wrong-api-version", FLOE_ECHO_PIDFILE: pids },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FloeError);
    expect((error as FloeError).code).toBe("FLOE-DQ001");
    expect((error as FloeError).message).toBe(
      'plugin py_echo implements floe_api_version "2.0.0", but this host speaks 1.x',
    );
    expect(pidsIn(pids)).toHaveLength(1);
    expect(isAlive(pidsIn(pids)[0]!)).toBe(false);
  });

  it("leaves no Python plugin alive 2 s after its host is killed with SIGKILL (stdin EOF)", async () => {
    const host = spawn(
      process.execPath,
      [join(import.meta.dirname, "fixtures/python-plugin-host.mjs"), FIXTURE_PLUGINS],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: host.stdout! }).once("line", resolve);
      host.once("exit", (code) =>
        reject(new Error(`host exited with ${code} before starting the plugin`)),
      );
    });
    const pluginPid = Number(line);
    expect(isAlive(pluginPid)).toBe(true);

    host.kill("SIGKILL");
    await waitUntil(() => !isAlive(pluginPid), 2_000, `plugin pid ${pluginPid} to exit`);
    expect(isAlive(pluginPid)).toBe(false);
  });
});

describe("the Python test plugin as a sidecar", () => {
  it("serves on a Unix socket without the cookie, is dialed by the host, and exits 0 on SIGTERM removing the socket", async () => {
    const socket = join(mkdtempSync(join(tmpdir(), "floe-sidecar-")), "p.sock");
    const { child, handshake } = await startSidecar({ FLOE_PLUGIN_LISTEN: `unix://${socket}` });
    expect(handshake).toBe(`1|1|unix|${socket}|grpc`);
    expect(statSync(socket).mode & 0o777).toBe(0o600);

    const plugin = await connectPlugin({ name: "py_echo", address: `unix://${socket}` });
    running.push(plugin);
    expect(plugin.metadata.name).toBe("py_echo");
    const summary = await plugin.client.runChecks(runRequest([check("id_not_null")]), {
      timeoutMs: 5_000,
    });
    expect(summary.checks.map((c) => c.status)).toEqual([CheckStatus.CHECK_STATUS_PASSED]);

    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(socket)).toBe(false);
  });

  describe("over TCP with mutual TLS", () => {
    let file: (name: string) => string;
    beforeAll(() => {
      file = writePki();
    });
    const mtlsEnv = () => ({
      FLOE_PLUGIN_LISTEN: "tcp://127.0.0.1:0",
      FLOE_PLUGIN_TLS_CERT: file("server.pem"),
      FLOE_PLUGIN_TLS_KEY: file("server.key"),
      FLOE_PLUGIN_TLS_CLIENT_CA: file("ca.pem"),
    });
    const localAddress = (handshake: string) =>
      `localhost:${handshake.split("|")[3]!.split(":")[1]}`;

    it("accepts a host presenting a client certificate signed by the configured CA", async () => {
      const { handshake } = await startSidecar(mtlsEnv());
      const plugin = await connectPlugin({
        name: "py_echo",
        address: localAddress(handshake),
        tls: { caFile: file("ca.pem"), certFile: file("client.pem"), keyFile: file("client.key") },
      });
      running.push(plugin);
      expect(plugin.metadata.name).toBe("py_echo");
    });

    it("rejects a host without a client certificate with FLOE-DQ001", async () => {
      const { handshake } = await startSidecar(mtlsEnv());
      const address = localAddress(handshake);
      const error = await connectPlugin({
        name: "py_echo",
        address,
        tls: { caFile: file("ca.pem") },
        healthTimeoutMs: 2_000,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FloeError);
      expect((error as FloeError).code).toBe("FLOE-DQ001");
      expect((error as FloeError).message).toMatch(new RegExp(`^plugin py_echo at ${address} `));
    });
  });
});
