import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contract, FloeError } from "@floe/quality-sdk";
import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import {
  discoverPlugins,
  PluginCallError,
  type RunningPlugin,
  resolveProvider,
  type SupervisorOptions,
  startPlugin,
} from "../src/plugins/index.js";
import {
  check,
  isAlive,
  pidFile,
  pidsIn,
  runRequest,
  TS_ECHO_MAIN,
  tempDir,
  tsEchoDescriptor,
  waitUntil,
} from "./plugins-support.js";

const running: RunningPlugin[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

/** Starts ts_echo in a fault mode; resolves with the start error, how long it took, and the pids it spawned. */
async function startFailure(mode: string, options: SupervisorOptions = {}) {
  const pids = pidFile();
  const started = Date.now();
  const error = await startPlugin(tsEchoDescriptor(), {
    ...options,
    env: { FLOE_ECHO_MODE: mode, FLOE_ECHO_PIDFILE: pids },
    onLog: () => undefined,
  }).then(
    (plugin) => {
      running.push(plugin);
      throw new Error(`plugin started in mode ${mode}`);
    },
    (e: unknown) => e,
  );
  return { error: error as FloeError, elapsedMs: Date.now() - started, pids: pidsIn(pids) };
}

describe("plugin faults", () => {
  it("fails the start when no handshake line comes within the start timeout, and kills the process", async () => {
    const { error, elapsedMs, pids } = await startFailure("no-handshake", {
      startTimeoutMs: 1_000,
    });
    expect(error).toBeInstanceOf(FloeError);
    expect(error.code).toBe("FLOE-DQ001");
    expect(error.message).toMatch(
      /^plugin ts_echo printed no handshake line within 1000 ms; last stderr lines:\n {2}\{/,
    );
    expect(error.message).toContain("never printing the handshake line");
    expect(elapsedMs).toBeGreaterThanOrEqual(1_000);
    expect(pids).toHaveLength(1);
    expect(isAlive(pids[0]!)).toBe(false);
  });

  it("takes the start timeout from the descriptor's start_timeout_seconds unless the caller sets one", async () => {
    const pids = pidFile();
    const slow = { ...tsEchoDescriptor(), startTimeoutMs: 700 };
    const fromDescriptor = await startPlugin(slow, {
      env: { FLOE_ECHO_MODE: "no-handshake", FLOE_ECHO_PIDFILE: pids },
      onLog: () => undefined,
    }).then(
      () => undefined,
      (e: unknown) => e as FloeError,
    );
    expect(fromDescriptor?.message).toMatch(
      /^plugin ts_echo printed no handshake line within 700 ms/,
    );
    const fromCaller = await startPlugin(slow, {
      startTimeoutMs: 400,
      env: { FLOE_ECHO_MODE: "no-handshake", FLOE_ECHO_PIDFILE: pids },
      onLog: () => undefined,
    }).then(
      () => undefined,
      (e: unknown) => e as FloeError,
    );
    expect(fromCaller?.message).toMatch(/^plugin ts_echo printed no handshake line within 400 ms/);
    for (const pid of pidsIn(pids)) expect(isAlive(pid)).toBe(false);
  });

  it("rejects a garbage handshake line with a clear error, and kills the process", async () => {
    const { error, pids } = await startFailure("garbage-handshake");
    expect(error.code).toBe("FLOE-DQ001");
    expect(error.message).toBe(
      `plugin ts_echo printed an invalid handshake line "hello from a confused plugin": expected 5 fields separated by '|', found 1`,
    );
    expect(pids).toHaveLength(1);
    expect(isAlive(pids[0]!)).toBe(false);
  });

  it("rejects a plugin whose floe_api_version major differs from the host's", async () => {
    const { error, pids } = await startFailure("wrong-api-version");
    expect(error.code).toBe("FLOE-DQ001");
    expect(error.message).toBe(
      'plugin ts_echo implements floe_api_version "2.0.0", but this host speaks 1.x',
    );
    expect(pids).toHaveLength(1);
    expect(isAlive(pids[0]!)).toBe(false);
  });

  it("rejects a plugin whose floe_api_version has major 1 but is not a semantic version", async () => {
    const { error, pids } = await startFailure("non-semver-api-version");
    expect(error.code).toBe("FLOE-DQ001");
    expect(error.message).toBe(
      'plugin ts_echo implements floe_api_version "1.x", but this host speaks 1.x',
    );
    expect(pids).toHaveLength(1);
    expect(isAlive(pids[0]!)).toBe(false);
  });

  it("declares a plugin whose health check hangs unhealthy after the 5 s health deadline", async () => {
    const { error, elapsedMs, pids } = await startFailure("health-hangs");
    expect(error.code).toBe("FLOE-DQ001");
    expect(error.message).toBe(
      "plugin ts_echo is unhealthy: its health check got no answer within 5000 ms",
    );
    expect(elapsedMs).toBeGreaterThanOrEqual(5_000);
    expect(pids).toHaveLength(1);
    expect(isAlive(pids[0]!)).toBe(false);
  });

  // Generous timeouts: on a busy machine the plugin's start and each health
  // answer may take seconds; the cause asserted is the status, not the clock.
  it("declares a plugin still NOT_SERVING at the start timeout unhealthy", {
    timeout: 60_000,
  }, async () => {
    const { error, elapsedMs, pids } = await startFailure("never-serving", {
      startTimeoutMs: 8_000,
      healthTimeoutMs: 5_000,
    });
    expect(error.code).toBe("FLOE-DQ001");
    expect(error.message).toMatch(
      /^plugin ts_echo is unhealthy: health status for floe\.quality\.v1\.QualityPluginService is still NOT_SERVING \d+ ms after start$/,
    );
    expect(elapsedMs).toBeGreaterThanOrEqual(8_000);
    expect(pids).toHaveLength(1);
    expect(isAlive(pids[0]!)).toBe(false);
  });

  it("gives up on a plugin that crashes on every start once the restart budget is spent", async () => {
    const { error, pids } = await startFailure("crash-on-start", {
      restart: { maxRestarts: 3, initialBackoffMs: 50 },
    });
    expect(error.code).toBe("FLOE-DQ001");
    expect(error.message).toMatch(
      /^plugin ts_echo keeps crashing: restart budget exhausted \(3 restarts within 60 s\)\. Last failure: plugin ts_echo \(pid \d+\) exited with code 3 before its handshake line; last stderr lines:\n/,
    );
    expect(error.message).toContain("ts_echo: crashing on start as asked");
    // Retryable later, as docs/plugin-protocol.md promises.
    expect(error).toBeInstanceOf(PluginCallError);
    expect((error as PluginCallError).grpcCode).toBe(status.UNAVAILABLE);
    expect(pids).toHaveLength(4);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });
});

describe("a plugin whose runtime is missing", () => {
  it("fails at once, naming the executable and the descriptor, without retrying", async () => {
    const dir = tempDir("py");
    writeFileSync(join(dir, "main.py"), "");
    writeFileSync(
      join(dir, "floe-plugin.json"),
      JSON.stringify({
        name: "ghost",
        type: "quality",
        provider: "ghost",
        version: "0.1.0",
        runtime: "python",
        command: "main.py",
        floe_api_version: "1.0.0",
      }),
    );
    const descriptor = resolveProvider(
      discoverPlugins({ env: { FLOE_PLUGIN_PATH: dir }, workspaceRoot: tmpdir() }),
      "ghost",
    );
    const error = (await startPlugin(descriptor, {
      env: { FLOE_PYTHON: "/nonexistent/bin/python" },
      onLog: () => undefined,
    }).catch((e: unknown) => e)) as FloeError;
    expect(error).toBeInstanceOf(FloeError);
    expect([error.code, error.file, error.path, error.message]).toEqual([
      "FLOE-DQ001",
      join(dir, "floe-plugin.json"),
      "command",
      "plugin ghost could not be started: /nonexistent/bin/python: spawn /nonexistent/bin/python ENOENT",
    ]);
  });
});

describe("a running plugin that stops answering", () => {
  it("is killed and restarted when its health check gets no answer", async () => {
    const plugin = await startPlugin(tsEchoDescriptor(), {
      healthIntervalMs: 100,
      healthTimeoutMs: 3_000,
      onLog: () => undefined,
    });
    running.push(plugin);
    const hungPid = plugin.pid()!;
    process.kill(hungPid, "SIGSTOP");
    await waitUntil(
      () => plugin.pid() !== hungPid && plugin.state() === "serving",
      30_000,
      "a restarted plugin",
    );
    expect(isAlive(hungPid)).toBe(false);
    const summary = await plugin.client.runChecks(runRequest([check("after_hang")]), {
      timeoutMs: 5_000,
    });
    expect(summary.checks.map((c) => c.status)).toEqual([contract.CheckStatus.CHECK_STATUS_PASSED]);
  });
});

describe("a plugin run by hand", () => {
  const runByHand = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [TS_ECHO_MAIN], {
      env: { PATH: process.env.PATH, ...env },
      encoding: "utf8",
      timeout: 10_000,
    });

  it("prints the started-by-hand message and exits 1 without the magic cookie", () => {
    const run = runByHand({ FLOE_PLUGIN_SOCKET_DIR: tempDir("socket") });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "This binary is a floe-quality plugin. It is started by the floe-quality host, not by hand. Try: floe-quality plugins check <provider>\n",
    );
  });

  it("prints a wrong magic cookie the same message", () => {
    const run = runByHand({ FLOE_PLUGIN_MAGIC_COOKIE: "not-the-cookie" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("This binary is a floe-quality plugin.");
  });

  it("names both version lists and exits 1 when the host speaks no version the plugin speaks", () => {
    const run = runByHand({
      FLOE_PLUGIN_MAGIC_COOKIE: "floe-quality-plugin-6d1a9f3c",
      FLOE_PLUGIN_PROTOCOL_VERSIONS: "2,3",
      FLOE_PLUGIN_SOCKET_DIR: tempDir("socket"),
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "floe-quality plugin: no common protocol version: the host speaks [2,3] (FLOE_PLUGIN_PROTOCOL_VERSIONS), this plugin speaks [1]\n",
    );
  });
});
