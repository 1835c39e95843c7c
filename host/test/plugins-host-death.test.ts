import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { FIXTURE_PLUGINS, isAlive, waitUntil } from "./plugins-support.js";

describe("when the host dies", () => {
  it("a plugin started by a host killed with SIGKILL is gone 2 s later (stdin EOF)", async () => {
    const host = spawn(
      process.execPath,
      [join(import.meta.dirname, "fixtures/plugin-host.mjs"), FIXTURE_PLUGINS],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
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
