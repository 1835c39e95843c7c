import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { contract, SOCKET_FILE_NAME } from "@floe/quality-sdk";
import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import {
  PluginCallError,
  type PluginDescriptor,
  type RunningPlugin,
  startPlugin,
} from "../src/plugins/index.js";
import { check, ECHO_PLUGINS, isAlive, runRequest, tsEchoDescriptor } from "./plugins-support.js";

const { CheckStatus } = contract;
const running: RunningPlugin[] = [];

async function startWith(
  descriptor: PluginDescriptor,
  env: NodeJS.ProcessEnv = {},
): Promise<RunningPlugin> {
  const plugin = await startPlugin(descriptor, { env, onLog: () => undefined });
  running.push(plugin);
  return plugin;
}

async function start(env: NodeJS.ProcessEnv = {}): Promise<RunningPlugin> {
  return startWith(tsEchoDescriptor(), env);
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

describe.each(ECHO_PLUGINS)(
  "the supervisor with the $label test plugin",
  ({ name, descriptor, startupMs }) => {
    const start = (env: NodeJS.ProcessEnv = {}) => startWith(descriptor(), env);

    it("starts the plugin, reports it SERVING with its metadata, and stops it leaving no process or socket", async () => {
      const plugin = await start();
      expect(plugin.state()).toBe("serving");
      expect(plugin.metadata.name).toBe(name);
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
      const plugin = await start({ FLOE_ECHO_STARTUP_MS: String(startupMs) });
      expect(plugin.timings.servingMs).toBeGreaterThanOrEqual(startupMs);
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

    it("turns any other error raised by the plugin into INTERNAL without leaking its message", async () => {
      const plugin = await start();
      const error = await plugin.client.runChecks(runRequest([check("a")], "bug")).catch((e) => e);
      expect(error).toBeInstanceOf(PluginCallError);
      expect(error.grpcCode).toBe(status.INTERNAL);
      expect(error.code).toBe("FLOE-DQ001");
      expect(error.message).toBe(
        `plugin ${name} failed RunChecks: INTERNAL: the plugin failed while handling the call; see the plugin log`,
      );
      expect(error.message).not.toContain("passwd");
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
          `^plugin ${name} \\(pid ${firstPid}\\) was killed by SIGKILL; last stderr lines:\\n`,
        ),
      );
      expect((error as PluginCallError).message).toContain(`${name}: crashing mid-stream as asked`);
      expect(failedAfterMs).toBeLessThan(1_000);

      const summary = await plugin.client.runChecks(runRequest([check("after_restart")]), {
        timeoutMs: 10_000,
      });
      expect(summary.checks.map((c) => [c.checkName, c.status])).toEqual([
        ["after_restart", CheckStatus.CHECK_STATUS_PASSED],
      ]);
      expect(plugin.pid()).not.toBe(firstPid);
      expect(isAlive(firstPid)).toBe(false);
      expect(plugin.state()).toBe("serving");
    });
  },
);

describe("the supervisor with the TypeScript test plugin: validation, cancellation, tracing and logs", () => {
  it("validates a suite against the plugin's declared check types by default", async () => {
    const plugin = await start();
    const response = await plugin.client.validateSuite(
      contract.ValidateSuiteRequest.fromPartial({
        suite: {
          modelName: "orders",
          checks: [check("ok"), check("email_format", {}, { type: "regex" })],
        },
      }),
    );
    expect(response.result?.success).toBe(false);
    expect(response.result?.diagnostics.map((d) => [d.code, d.path, d.message])).toEqual([
      [
        "FLOE-DQ101",
        "orders/email_format",
        "check 'email_format': type 'regex' is not supported by plugin ts_echo",
      ],
    ]);
  });

  it("cancels a running suite on stop: the caller gets UNAVAILABLE with FLOE-DQ001 and the plugin exits by itself", async () => {
    const plugin = await start();
    const pid = plugin.pid()!;
    let resolveFirst: () => void = () => undefined;
    const firstResult = new Promise<void>((resolve) => {
      resolveFirst = resolve;
    });
    const run = plugin.client
      .runChecks(runRequest([check("quick"), check("slow", { sleep_ms: 30_000 })]), {
        timeoutMs: 60_000,
        onCheck: () => resolveFirst(),
      })
      .catch((e: unknown) => e);
    await firstResult;
    const stopping = Date.now();
    await plugin.stop();
    const stopMs = Date.now() - stopping;
    const error = (await run) as PluginCallError;
    expect(error).toBeInstanceOf(PluginCallError);
    expect([error.grpcCode, error.code, error.message]).toEqual([
      status.UNAVAILABLE,
      "FLOE-DQ001",
      "the plugin is shutting down",
    ]);
    expect(stopMs).toBeLessThan(2_000);
    expect(isAlive(pid)).toBe(false);
  });

  it("passes the caller's W3C trace context to the plugin", async () => {
    const plugin = await start();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const summary = await plugin.client.runChecks(runRequest([check("traced")]), { traceparent });
    expect(summary.checks[0]?.details).toEqual({ echoed: true, traceparent });
  });

  it("re-logs the plugin's stderr JSON lines under the plugin's name", async () => {
    const lines: Array<{ plugin: string; level: string; msg: string }> = [];
    const plugin = await startPlugin(tsEchoDescriptor(), { onLog: (e) => lines.push(e) });
    await plugin.stop();
    expect(lines).toContainEqual(
      expect.objectContaining({
        plugin: "ts_echo",
        level: "info",
        msg: "plugin stopping",
        fields: { time: expect.any(String), reason: "Shutdown requested by the host" },
      }),
    );
  });
});
