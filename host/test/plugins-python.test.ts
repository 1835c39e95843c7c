import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { FloeError } from "@floe/quality-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningPlugin, type SupervisorOptions, startPlugin } from "../src/plugins/index.js";
import {
  FIXTURE_PLUGINS,
  isAlive,
  pidFile,
  pidsIn,
  pyEchoDescriptor,
  waitUntil,
} from "./plugins-support.js";

// What py_echo shares with ts_echo (start, stream, deadline, errors, crash, sidecar)
// runs over both in plugins-supervisor.test.ts and plugins-sidecar.test.ts.

const running: RunningPlugin[] = [];

async function start(options: SupervisorOptions = {}): Promise<RunningPlugin> {
  const plugin = await startPlugin(pyEchoDescriptor(), { onLog: () => undefined, ...options });
  running.push(plugin);
  return plugin;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

describe("the supervisor with the Python test plugin (floe_quality_sdk)", () => {
  it("runs it with the project's virtual environment", () => {
    const descriptor = pyEchoDescriptor();
    expect(descriptor.runtime).toBe("python");
    expect(descriptor.file).toBe(join(FIXTURE_PLUGINS, "py-echo/floe-plugin.json"));
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
